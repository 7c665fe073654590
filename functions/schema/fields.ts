// Building blocks for the schemas of request bodies and event details (valibot). Messages read as
// the end of a sentence naming the field: "/email must be a valid email address" (see issues.ts).
//
// Rules every block keeps:
// - Lengths count Unicode code points (what a person calls characters, emoji included), not
//   UTF-16 units: a 3-character minimum is not met by two emoji, a 100-character maximum takes 100.
// - Codes (country) are matched as ASCII before any case mapping: Unicode case mapping would turn
//   `ıt` into `IT` and `uſ` into `US`.
// - In an optional field `""` means null (text fields trim first, so "  " too); a required field
//   refuses it.
// - An object is a JSON object: an array, a string or null where an object belongs is refused.
import * as v from 'valibot';
import { ORG_ID_PATTERN } from '../../contract/table.ts';
import { COUNTRY_CODES } from './countries.ts';
import { parseEmail } from './email.ts';

const wellFormed = v.check((s: string) => s.isWellFormed(), 'must be valid Unicode text');
const noControlCharacters = v.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

const string = () => v.string('must be a string');
const stringOrNull = () => v.string('must be a string or null');

/** At least `min` characters (code points). */
export const minChars = (min: number) => v.minCodePoints(min, `must be at least ${min} characters`);

/** At most `max` characters (code points). */
export const maxChars = (max: number) => v.maxCodePoints(max, `must be at most ${max} characters`);

/** "" as null, for optional fields (after trimming). */
const emptyAsNull = v.transform((s: string): string | null => (s === '' ? null : s));

/** An organisation id (`trkref`, `corporation_id`): the first part of every key. */
export const orgId = v.pipe(string(), v.regex(ORG_ID_PATTERN, 'must be 1 to 64 letters, digits, "_" or "-"'));

/** The address as stored (see email.ts), or an issue saying what is wrong with it. */
function address({ dataset, addIssue, NEVER }: v.RawTransformContext<string>): string {
  const parsed = parseEmail(dataset.value);
  if ('problem' in parsed) {
    addIssue({ message: parsed.problem });
    return NEVER;
  }
  return parsed.address;
}

/**
 * A required email (emails identify people): trimmed, then stored as email.ts spells it (lower
 * case, punycode domain, at most 254 characters).
 */
export const email = v.pipe(
  string(),
  wellFormed,
  v.trim(),
  v.nonEmpty('must not be empty'),
  maxChars(254),
  v.rawTransform(address),
);

/** An email that may be omitted or null; "" is null. */
export const optionalEmail = v.optional(
  v.nullable(
    v.pipe(
      stringOrNull(),
      wellFormed,
      v.trim(),
      maxChars(254),
      v.rawTransform<string, string | null>((context) => (context.dataset.value === '' ? null : address(context))),
    ),
  ),
);

/** Free text that may be omitted (stored value kept) or null (cleared); trimmed, "" means null. */
export const optionalText = (max: number) =>
  v.optional(v.nullable(v.pipe(stringOrNull(), wellFormed, v.trim(), maxChars(max), emptyAsNull)));

/** Required free text, trimmed, between `min` and `max` characters. */
export const requiredText = (min: number, max: number) =>
  v.pipe(string(), wellFormed, v.trim(), minChars(min), maxChars(max));

/** A required identifier that becomes part of a key: non-empty, trimmed, printable. */
export const identifier = (max: number) =>
  v.pipe(string(), wellFormed, noControlCharacters, v.trim(), v.nonEmpty('must not be empty'), maxChars(max));

/** The code `text` is (two ASCII letters, any case, upper-cased), or undefined. */
function countryCode(text: string): string | undefined {
  const code = /^[A-Za-z]{2}$/.test(text) ? text.toUpperCase() : '';
  return COUNTRY_CODES.has(code) ? code : undefined;
}

const COUNTRY_MESSAGE = 'must be an ISO 3166-1 alpha-2 country code, such as "GB" or "US"';

/**
 * An optional field read by `parse` after trimming (undefined: refused with `message`); "" is null.
 */
const optionalParsed = (parse: (text: string) => string | undefined, message: string) =>
  v.optional(
    v.nullable(
      v.pipe(
        stringOrNull(),
        v.trim(),
        v.rawTransform<string, string | null>(({ dataset, addIssue, NEVER }) => {
          if (dataset.value === '') return null;
          const parsed = parse(dataset.value);
          if (parsed === undefined) {
            addIssue({ message });
            return NEVER;
          }
          return parsed;
        }),
      ),
    ),
  );

/**
 * ISO 3166-1 alpha-2, any case, stored upper-cased; `UK` accepted (see countries.ts); "" is null.
 * Two ASCII letters first, then upper-cased: only A-Z can change.
 */
export const country = optionalParsed(countryCode, COUNTRY_MESSAGE);

// Dates and times. The calendar is checked field by field (JavaScript's Date would roll
// 2026-02-30 over to 2 March). Event times must fall between the start of the year 2000 and one
// day from now: the registry orders events by their time ("newest wins"), and a time outside
// that window is a sender's clock or encoding fault, which would otherwise win or lose for ever.

const daysInMonth = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

const isCalendarDay = (year: number, month: number, day: number) =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isCalendarDate = (value: string) => {
  const [, year, month, day] = DATE.exec(value)?.map(Number) ?? [];
  return year !== undefined && month !== undefined && day !== undefined && isCalendarDay(year, month, day);
};

const EARLIEST_EVENT = Date.UTC(2000, 0, 1);
const DAY_MS = 24 * 60 * 60 * 1000;
const EVENT_WINDOW = 'must be no earlier than the year 2000 and at most one day in the future';

/** A calendar date as `YYYY-MM-DD`. */
export const calendarDate = v.pipe(
  string(),
  v.regex(DATE, 'must be a date as YYYY-MM-DD'),
  v.check(isCalendarDate, 'must be a real calendar date'),
);

/** The date of an event (`YYYY-MM-DD`, no zone): from 2000-01-01 to the UTC date one day from now. */
export const eventDate = v.pipe(
  calendarDate,
  v.check(
    (date) => date >= '2000-01-01' && date <= new Date(Date.now() + DAY_MS).toISOString().slice(0, 10),
    EVENT_WINDOW,
  ),
);

const emptyAsNullDate = v.pipe(
  v.literal(''),
  v.transform((): null => null),
);

/** A date (`calendarDate` or `eventDate`) that may be omitted or null; "" is null too. */
export const optionalDate = (date: typeof calendarDate | typeof eventDate) =>
  v.optional(v.nullable(v.union([emptyAsNullDate, date], 'must be a date as YYYY-MM-DD or null')));

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/** The instant an RFC 3339 / ISO 8601 time stands for, in ms (NaN unless every field is in range). */
function instantOf(text: string): number {
  const match = DATE_TIME.exec(text);
  if (!match) return Number.NaN;
  const field = (index: number) => Number(match[index] ?? 0);
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const [offsetHours, offsetMinutes] = [field(9), field(10)];
  if (!isCalendarDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
  // Milliseconds are what a Date holds: further digits are dropped, not rounded.
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  const offset = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return utc.getTime() - offset;
}

/**
 * When an event happened: ISO 8601 date and time with a zone (`Z` or an offset), calendar-valid,
 * within the event window; as a Date (an instant: the offset only says how it was written).
 */
export const eventTime = v.pipe(
  string(),
  v.regex(DATE_TIME, 'must be an ISO 8601 date and time with a zone'),
  v.transform(instantOf),
  v.check((ms) => !Number.isNaN(ms), 'must be a real date and time'),
  v.check((ms) => ms >= EARLIEST_EVENT && ms <= Date.now() + DAY_MS, EVENT_WINDOW),
  v.transform((ms) => new Date(ms)),
);

/** Anything but a JSON object (an array, null, a string…) is refused where an object belongs. */
const jsonObject = v.custom<Record<string, unknown>>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  'must be a JSON object',
);

/**
 * A JSON object with these members (unknown ones dropped). valibot's own object schema takes an
 * array for an object (its indices are keys), so the shape is checked first.
 */
export const object = <const E extends v.ObjectEntries>(entries: E) =>
  v.pipe(jsonObject, v.object(entries, 'must be a JSON object'));

/** Where a contract takes a country as free text: a code when it is one, else the text as written. */
export function countryOf(text: string | null | undefined): { country: string | null; country_name: string | null } {
  if (!text) return { country: null, country_name: null };
  const code = countryCode(text);
  return code ? { country: code, country_name: null } : { country: null, country_name: text };
}

/** A phone number with its country code: `+`, then digits with spaces, dots, hyphens or brackets. */
export const optionalPhone = optionalParsed((text) => {
  const digits = text.replace(/[ ().-]/g, '');
  return /^\+[0-9 ().-]+$/.test(text) && /^\+\d{6,15}$/.test(digits) ? text : undefined;
}, 'must be a phone number with its country code, such as "+1 555 555 5555"');

const METADATA_KEYS = 50;
const METADATA_KEY_CHARS = 40;
const METADATA_BYTES = 8 * 1024;

/**
 * Free-form metadata: a JSON object of at most 50 members, names of 1 to 40 characters, at most
 * 8 KB as JSON. Values are any JSON, kept exactly as sent.
 */
export const metadata = v.pipe(
  jsonObject,
  v.check((value) => Object.keys(value).length <= METADATA_KEYS, `must have at most ${METADATA_KEYS} members`),
  v.check(
    (value) => Object.keys(value).every((key) => key.length > 0 && [...key].length <= METADATA_KEY_CHARS),
    `must have member names of 1 to ${METADATA_KEY_CHARS} characters`,
  ),
  v.check(
    (value) => Buffer.byteLength(JSON.stringify(value)) <= METADATA_BYTES,
    `must be at most ${METADATA_BYTES} bytes as JSON`,
  ),
);

/** A password as chosen: 8 to 256 characters, not trimmed (spaces are part of it). */
export const password = v.pipe(string(), wellFormed, minChars(8), maxChars(256));

// Query parameters of routes that page with cursors.

const LIMIT = 'must be a whole number from 1 to 100';

/** `limit`: a page of 1 to 100 (25 unless sent), from its digits. */
export const pageLimit = v.optional(
  v.pipe(v.string(), v.regex(/^\d{1,3}$/, LIMIT), v.transform(Number), v.minValue(1, LIMIT), v.maxValue(100, LIMIT)),
  '25',
);

/** `cursor`: where the previous page ended, as it answered it (functions/http/cursor.ts checks it). */
export const pageCursor = v.optional(v.pipe(v.string(), v.nonEmpty('must not be empty')));

/** What a strict query schema says of a parameter the route does not take. */
export const NOT_A_PARAMETER = 'is not a parameter this route takes';
