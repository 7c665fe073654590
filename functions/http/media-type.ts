// Content-Type and Content-Encoding as RFC 9110 writes them (sections 8.3.1 and 8.4), read without
// a library: a media type is `type "/" subtype *( OWS ";" OWS [ parameter ] )`, names are
// case-insensitive, a parameter value is a token or a quoted string, and OWS is spaces and tabs.

export interface MediaType {
  /** Lower-cased. */
  readonly type: string;
  /** Lower-cased. */
  readonly subtype: string;
  /** By lower-cased name; `charset` lower-cased too (its values are case-insensitive). */
  readonly parameters: Readonly<Record<string, string>>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TYPE = new RegExp(`^[ \\t]*(${TOKEN})/(${TOKEN})[ \\t]*`, 'y');
// One `; name=value` (or an empty `;`), with the whitespace RFC 9110 allows around the semicolon.
const PARAMETER = new RegExp(`;[ \\t]*(?:(${TOKEN})=(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)"))?[ \\t]*`, 'y');

/** The media type of a Content-Type value, or undefined when it is absent or not one. */
export function parseMediaType(value: string | undefined): MediaType | undefined {
  if (value === undefined) return undefined;
  TYPE.lastIndex = 0;
  const head = TYPE.exec(value);
  if (!head) return undefined;
  const parameters: Record<string, string> = {};
  let at = TYPE.lastIndex;
  while (at < value.length) {
    PARAMETER.lastIndex = at;
    const match = PARAMETER.exec(value);
    if (!match) return undefined;
    at = PARAMETER.lastIndex;
    const [, rawName, token, quoted] = match;
    if (rawName === undefined) continue;
    const name = rawName.toLowerCase();
    // A repeated parameter is ambiguous; the first one counts, as most parsers do.
    if (name in parameters) continue;
    const text = token ?? (quoted ?? '').replace(/\\(.)/g, '$1');
    parameters[name] = name === 'charset' ? text.toLowerCase() : text;
  }
  return { type: head[1]!.toLowerCase(), subtype: head[2]!.toLowerCase(), parameters };
}

/**
 * Whether a Content-Encoding says the body is as sent: absent, empty, or only `identity`. Any real
 * coding (gzip, br, ...) is refused rather than read as if it were plain.
 */
export function isIdentityEncoding(value: string | undefined): boolean {
  if (value === undefined) return true;
  return value.split(',').every((coding) => {
    const name = coding.trim().toLowerCase();
    return name === '' || name === 'identity';
  });
}

/**
 * Whether an Accept header (RFC 9110 12.5.1) admits `mediaType` (`type/subtype`). The most specific
 * range that names it decides, by its weight (`q=0` excludes): the type itself, then `type/*`, then
 * `*\/*`. Absent, the header admits everything. JSON:API's rule for its media type: where the
 * header names the type only with parameters other than `q`, it does not admit it, whatever
 * wildcards it also lists. A header none of whose members can be read is ignored, as RFC 9110 allows.
 */
export function accepts(header: string | undefined, mediaType: string): boolean {
  if (header === undefined || header.trim() === '') return true;
  const [type] = mediaType.split('/');
  const ranges = splitList(header).flatMap((member) => {
    const range = parseMediaType(member);
    if (!range) return [];
    const { q, ...others } = range.parameters;
    const weight = q === undefined ? 1 : Number(q);
    return [{ name: `${range.type}/${range.subtype}`, plain: Object.keys(others).length === 0, weight }];
  });
  if (ranges.length === 0) return true;
  const exact = ranges.filter((range) => range.name === mediaType);
  if (exact.length > 0) return exact.some((range) => range.plain && range.weight > 0);
  const wildcard =
    ranges.filter((range) => range.name === `${type}/*`).length > 0
      ? ranges.filter((range) => range.name === `${type}/*`)
      : ranges.filter((range) => range.name === '*/*');
  return wildcard.some((range) => range.weight > 0);
}

/** The members of a comma-separated header, commas inside quoted strings kept. */
function splitList(header: string): string[] {
  const members: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const char = header[i];
    if (char === '\\' && quoted) {
      current += char + (header[++i] ?? '');
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      members.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  members.push(current);
  return members.filter((member) => member.trim() !== '');
}
