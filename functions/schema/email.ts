// Email addresses as the registry keys people by them: what SMTP delivers to, in one spelling.
//
// - Local part: an RFC 5321 dot-atom (letters, digits and !#$%&'*+/=?^_`{|}~- in atoms joined by
//   single dots), at most 64 characters. Quoted local parts ("john doe"@…) and non-ASCII local
//   parts (SMTPUTF8) are not accepted: few mail systems deliver to them.
// - Domain: at least two labels of letters, digits and hyphens (no hyphen at either end), each at
//   most 63 characters, at most 253 in all, the last not all digits (that would be an IP address).
//   An internationalised domain may come as punycode (`xn--bcher-kva.example`) or in Unicode
//   (`bücher.example`); Unicode is converted to punycode (IDNA, as browsers do) so one mailbox has
//   one spelling, and so one key.
// - The address is lower-cased (case-insensitive identity) and at most 254 characters as stored.
import { domainToASCII } from 'node:url';

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export const MAX_EMAIL = 254;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

export const EMAIL_PROBLEMS = {
  invalid: 'must be a valid email address',
  localPart: `must have at most ${MAX_LOCAL_PART} characters before the "@"`,
  domain: `must have a domain of at most ${MAX_DOMAIN} characters, with at most ${MAX_LABEL} between dots`,
  length: `must be at most ${MAX_EMAIL} characters`,
} as const;

export type EmailResult = { readonly address: string } | { readonly problem: string };

/** The address as stored (ASCII, lower case, punycode domain), or what is wrong with it. */
export function parseEmail(text: string): EmailResult {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { problem: EMAIL_PROBLEMS.invalid };
  const local = text.slice(0, at);
  if (!DOT_ATOM.test(local)) return { problem: EMAIL_PROBLEMS.invalid };
  if (local.length > MAX_LOCAL_PART) return { problem: EMAIL_PROBLEMS.localPart };

  const domain = asciiDomain(text.slice(at + 1));
  if (domain === undefined) return { problem: EMAIL_PROBLEMS.invalid };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LDH_LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? ''))
    return { problem: EMAIL_PROBLEMS.invalid };
  if (domain.length > MAX_DOMAIN || labels.some((label) => label.length > MAX_LABEL))
    return { problem: EMAIL_PROBLEMS.domain };

  const address = `${local.toLowerCase()}@${domain}`;
  if (address.length > MAX_EMAIL) return { problem: EMAIL_PROBLEMS.length };
  return { address };
}

/**
 * The domain in lower-case ASCII: an ASCII domain only lower-cased (ASCII case mapping, so no
 * character outside A-Z changes), a Unicode one as IDNA punycode. Undefined when IDNA refuses it.
 */
export function asciiDomain(domain: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "only ASCII", control characters included
  if (/^[\x00-\x7f]*$/.test(domain)) return domain.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
  return domainToASCII(domain) || undefined;
}
