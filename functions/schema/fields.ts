// Building blocks for the schemas of request bodies and event details (valibot). Messages read as
// the end of a sentence naming the field: "/email must be a valid email address" (see issues.ts).
import * as v from 'valibot';
import { ORG_ID_PATTERN } from '../../contract/table.ts';
import { COUNTRY_CODES } from './countries.ts';

const wellFormed = v.check((s: string) => s.isWellFormed(), 'must be valid Unicode text');
const noControlCharacters = v.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

const string = () => v.string('must be a string');

/** An organisation id (`trkref`, `corporation_id`): the first part of every key. */
export const orgId = v.pipe(string(), v.regex(ORG_ID_PATTERN, 'must be 1 to 64 letters, digits, "_" or "-"'));

/** A required email: trimmed, at most 254 characters, lower-cased (emails identify people). */
export const email = v.pipe(
  string(),
  v.trim(),
  v.nonEmpty('must not be empty'),
  v.maxLength(254, 'must be at most 254 characters'),
  v.email('must be a valid email address'),
  v.toLowerCase(),
);

/** Free text that may be omitted (stored value kept) or null (cleared); trimmed, "" means null. */
export const optionalText = (max: number) =>
  v.optional(
    v.nullable(
      v.pipe(
        v.string('must be a string or null'),
        wellFormed,
        v.trim(),
        v.maxLength(max, `must be at most ${max} characters`),
        v.transform((s): string | null => (s === '' ? null : s)),
      ),
    ),
  );

/** Required free text, trimmed, between `min` and `max` characters. */
export const requiredText = (min: number, max: number) =>
  v.pipe(
    string(),
    wellFormed,
    v.trim(),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );

/** A required identifier that becomes part of a key: non-empty, trimmed, printable. */
export const identifier = (max: number) =>
  v.pipe(
    string(),
    wellFormed,
    noControlCharacters,
    v.trim(),
    v.nonEmpty('must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );

/** ISO 3166-1 alpha-2, any case, stored upper-cased; `UK` accepted (see countries.ts). */
export const country = v.optional(
  v.nullable(
    v.pipe(
      string(),
      v.trim(),
      v.toUpperCase(),
      v.check((code) => COUNTRY_CODES.has(code), 'must be an ISO 3166-1 alpha-2 country code, such as "GB" or "US"'),
    ),
  ),
);

const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
};

/** A calendar date as `YYYY-MM-DD`. */
export const calendarDate = v.pipe(
  string(),
  v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
  v.check(isCalendarDate, 'must be a real calendar date'),
);

export const object = <const E extends v.ObjectEntries>(entries: E) => v.object(entries, 'must be a JSON object');
