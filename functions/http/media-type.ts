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
