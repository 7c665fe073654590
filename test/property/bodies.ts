// Generators for the property tests (handlers.test.ts): request bodies valid by construction,
// each with what the API must answer for it, and the byte-level surgery that makes them invalid
// (invalid UTF-8, half a surrogate pair, deep nesting, padding to a given size).
//
// Expectations are written from the documented rules (README, functions/schema/*), not computed
// by the code under test: a text field is stored trimmed, `""` (after trimming) is null; an email
// is stored with its local part lower-cased and its domain in lower-case ASCII (punycode for a
// Unicode domain); a country is upper-cased.
import fc from 'fast-check';
import { COUNTRY_CODES } from '../../functions/schema/countries.ts';

/** Largest body accepted, in bytes after base64 decoding (README: "over 256 KB" is 413). */
export const BODY_LIMIT = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Emails

/** A generated address: as sent, and as the API must store and echo it. */
export interface GeneratedEmail {
  readonly sent: string;
  readonly stored: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
/** RFC 5321 atext: what a dot-atom local part is made of. */
const ATEXT = [...LETTERS, ...DIGITS, ..."!#$%&'*+/=?^_`{|}~-"];
const LDH = [...LETTERS, ...DIGITS];

const atom = (maxLength: number) => fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength });
const exactly = (chars: readonly string[], length: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: length, maxLength: length });

const localPart = fc
  .oneof(
    { weight: 4, arbitrary: fc.array(atom(16), { minLength: 1, maxLength: 4 }).map((atoms) => atoms.join('.')) },
    fc.constantFrom("o'brien", "O'Brien", 'a=b', 'a&b', 'x+tag', "!#$%&'*+/=?^_`{|}~-", 'first.last', 'a.b.c.d'),
    exactly(ATEXT, 64),
  )
  .filter((local) => local.length <= 64);

/** An LDH label of 1 to `max` characters: letters and digits, hyphens inside. */
const ldhLabel = (max: number) =>
  fc.oneof(
    fc.constantFrom(...LDH),
    fc
      .tuple(
        fc.constantFrom(...LDH),
        fc.string({ unit: fc.constantFrom(...LDH, '-'), maxLength: max - 2 }),
        fc.constantFrom(...LDH),
      )
      .map(([first, middle, last]) => first + middle + last),
  );

/** A label of exactly `length` LDH characters. */
const ldhLabelOf = (length: number) =>
  fc
    .tuple(fc.constantFrom(...LDH), exactly([...LDH, '-'], length - 2), fc.constantFrom(...LDH))
    .map(([first, middle, last]) => first + middle + last);

/** Punycode labels (`xn--…`), as a partner whose systems already applied IDNA sends them. */
const punycodeLabel = fc.constantFrom(
  'xn--bcher-kva',
  'xn--mnchen-3ya',
  'xn--r8jz45g',
  'xn--e1afmkfd',
  'xn--p1ai',
  'xn--strae-oqa',
  'XN--BCHER-KVA',
  'xn--80ak6aa92e',
);

const tld = fc.oneof(
  { weight: 3, arbitrary: ldhLabel(63).filter((label) => !/^\d+$/.test(label)) },
  fc.constantFrom('com', 'co.uk', 'example', 'xn--p1ai'),
);

/** An ASCII domain: LDH or punycode labels in any case; stored lower-cased. */
const asciiDomain = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: ldhLabel(63) }, punycodeLabel), { minLength: 1, maxLength: 3 }), tld)
  .map(([labels, last]) => [...labels, last].join('.'));

/**
 * Unicode domains and their punycode (IDNA UTS #46, as browsers map them): the stored form.
 * Written out by hand so the expectation does not come from the converter the API uses.
 */
const unicodeDomains: readonly (readonly [string, string])[] = [
  ['bücher.example', 'xn--bcher-kva.example'],
  ['BÜCHER.Example', 'xn--bcher-kva.example'],
  ['münchen.de', 'xn--mnchen-3ya.de'],
  ['例え.jp', 'xn--r8jz45g.jp'],
  ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
  ['shop.bücher.example', 'shop.xn--bcher-kva.example'],
];

const domain: fc.Arbitrary<{ sent: string; stored: string }> = fc.oneof(
  { weight: 6, arbitrary: asciiDomain.map((sent) => ({ sent, stored: sent.toLowerCase() })) },
  fc.constantFrom(...unicodeDomains).map(([sent, stored]) => ({ sent, stored })),
);

/** Exactly at every limit: a 64-character local part and a domain of three labels (63, 63, 61): 254 in all. */
const longestEmail = fc
  .tuple(
    exactly(ATEXT, 64),
    ldhLabelOf(63),
    ldhLabelOf(63),
    ldhLabelOf(61).filter((l) => !/^\d+$/.test(l)),
  )
  .map(([local, a, b, c]) => ({ local, domain: { sent: `${a}.${b}.${c}`, stored: `${a}.${b}.${c}`.toLowerCase() } }));

const surroundingSpace = fc.constantFrom('', '', '', ' ', '\t', ' \n ');

/** Valid addresses (RFC 5321 dot-atom local part, LDH or IDN domain), sometimes padded with spaces. */
export const validEmail: fc.Arbitrary<GeneratedEmail> = fc
  .tuple(
    fc.oneof({ weight: 12, arbitrary: fc.record({ local: localPart, domain }) }, longestEmail),
    surroundingSpace,
    surroundingSpace,
  )
  .map(([{ local, domain }, before, after]) => ({
    sent: `${before}${local}@${domain.sent}${after}`,
    stored: `${local.toLowerCase()}@${domain.stored}`,
  }))
  .filter(({ stored }) => stored.length <= 254);

// ---------------------------------------------------------------------------------------------
// Text

const codePoints = (text: string) => [...text].length;
/** Characters outside the BMP: one character, two UTF-16 units, four UTF-8 bytes. */
const astral = fc.integer({ min: 0x10000, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));

/** Any Unicode text of at most `max` characters (code points) once trimmed, emoji and astral ones included. */
export const anyText = (max: number) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: max }) },
      fc.string({ unit: 'grapheme', maxLength: max }),
      // At the limit in code points, twice over it in UTF-16 units.
      fc.string({ unit: astral, minLength: max, maxLength: max }),
      fc.constantFrom("O'Brien", 'Zoë', 'José Ñúñez', '李小龍', '👩🏽‍🚀', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'),
    )
    .filter((text) => codePoints(text.trim()) <= max);

/** A value for an optional text field and what is stored: "" and spaces mean null. */
export const optionalText = (max: number) =>
  fc.oneof({ weight: 6, arbitrary: anyText(max) }, fc.constantFrom<string | null>(null, '', '   '));

/** What an optional text field stores for `value` (absent is handled by the caller). */
export const storedText = (value: string | null) => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

/** A required identifier (order_ref, sku): printable, non-empty once trimmed, at most `max` characters. */
export const identifier = (max: number) => anyText(max).filter((text) => text.trim() !== '' && !/\p{Cc}/u.test(text));

/** A country code in any case, maybe padded: "" is null. */
export const country = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...COUNTRY_CODES), fc.constantFrom('upper', 'lower', 'mixed'), surroundingSpace)
      .map(([code, casing, space]) => {
        const cased =
          casing === 'upper' ? code : casing === 'lower' ? code.toLowerCase() : code[0]! + code[1]!.toLowerCase();
        return `${space}${cased}${space}`;
      }),
  },
  fc.constantFrom<string | null>(null, ''),
);
export const storedCountry = (value: string | null) => storedText(value)?.toUpperCase() ?? null;

const calendarDate = fc
  .oneof(
    fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }),
    fc.constantFrom(
      new Date('2024-02-29T00:00:00Z'),
      new Date('2000-02-29T00:00:00Z'),
      new Date('1999-12-31T00:00:00Z'),
    ),
  )
  .map((date) => date.toISOString().slice(0, 10));

/** Unknown members: ignored by the API, whatever they hold (well-formed text only). */
export const unknownMembers = fc
  .dictionary(
    fc.string({ unit: 'binary', maxLength: 12 }).map((key) => `x_${key}`),
    fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }),
    { maxKeys: 3 },
  )
  .filter((members) => !/"(__proto__|constructor)"/.test(JSON.stringify(members)));

// ---------------------------------------------------------------------------------------------
// Bodies

export interface PurchaseBody {
  order_ref: string;
  sku: string;
  purchase_date?: string | null;
}

export interface PurchaserBody {
  email: string;
  title?: string | null;
  first_name?: string | null;
  surname?: string | null;
  country?: string | null;
  postcode?: string | null;
  purchases?: PurchaseBody[] | null;
  [unknown: string]: unknown;
}

/** The purchaser fields echoed back, with their limits (README). */
export const PURCHASER_TEXT = { title: 50, first_name: 100, surname: 100, postcode: 20 } as const;

export const purchase = (minLength = 0) =>
  fc.array(
    fc.record(
      {
        order_ref: identifier(100),
        sku: identifier(100),
        purchase_date: fc.oneof({ weight: 3, arbitrary: calendarDate }, fc.constantFrom<string | null>(null, '')),
      },
      { requiredKeys: ['order_ref', 'sku'] },
    ),
    { minLength, maxLength: 5 },
  );

/** A valid purchaser body, and its address in stored form. */
export const validPurchaser = (minPurchases = 0) =>
  fc
    .tuple(
      validEmail,
      fc.record(
        {
          title: optionalText(PURCHASER_TEXT.title),
          first_name: optionalText(PURCHASER_TEXT.first_name),
          surname: optionalText(PURCHASER_TEXT.surname),
          country,
          postcode: optionalText(PURCHASER_TEXT.postcode),
          purchases: minPurchases > 0 ? purchase(minPurchases) : fc.oneof(purchase(), fc.constant(null)),
        },
        { requiredKeys: minPurchases > 0 ? ['purchases'] : [] },
      ),
      fc.option(unknownMembers, { nil: undefined }),
    )
    .map(([email, fields, unknown]) => ({
      email,
      body: { ...unknown, email: email.sent, ...fields } as PurchaserBody,
    }));

export interface AddressBody {
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
  [unknown: string]: unknown;
}

export interface CustomerBody {
  corporation_id: string;
  name: string;
  email?: string | null;
  external_id?: string | null;
  shipping_address?: AddressBody | null;
  [unknown: string]: unknown;
}

export const ADDRESS_TEXT = { line1: 200, line2: 200, city: 100, state: 100, postal_code: 20 } as const;

const address = fc.record(
  {
    line1: optionalText(ADDRESS_TEXT.line1),
    line2: optionalText(ADDRESS_TEXT.line2),
    city: optionalText(ADDRESS_TEXT.city),
    state: optionalText(ADDRESS_TEXT.state),
    postal_code: optionalText(ADDRESS_TEXT.postal_code),
    country,
  },
  { requiredKeys: [] },
);

/** A valid customer body for `corporation`, and its address in stored form (null for none). */
export const validCustomer = (corporation: string, { withAddress = false } = {}) =>
  fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: validEmail },
        fc.constantFrom({ sent: null, stored: null }, { sent: '', stored: null }, { sent: '  ', stored: null }),
      ),
      fc.record(
        {
          name: anyText(200).filter((name) => codePoints(name.trim()) >= 3),
          external_id: optionalText(255),
          shipping_address: withAddress ? address : fc.oneof({ weight: 3, arbitrary: address }, fc.constant(null)),
        },
        { requiredKeys: withAddress ? ['name', 'shipping_address'] : ['name'] },
      ),
      fc.boolean(),
      fc.option(unknownMembers, { nil: undefined }),
    )
    .map(([email, fields, sendEmail, unknown]) => ({
      email: sendEmail ? email.stored : null,
      body: {
        ...unknown,
        corporation_id: corporation,
        ...(sendEmail ? { email: email.sent } : {}),
        ...fields,
      } as CustomerBody,
    }));

// ---------------------------------------------------------------------------------------------
// Non-objects where an object belongs

/** Whether a value holds what the body parser refuses (`__proto__`, or `constructor` with a `prototype`). */
export const holdsReservedName = (value: unknown): boolean =>
  Array.isArray(value)
    ? value.some(holdsReservedName)
    : typeof value === 'object' && value !== null
      ? Object.entries(value).some(
          ([key, member]) =>
            key === '__proto__' ||
            (key === 'constructor' &&
              typeof member === 'object' &&
              member !== null &&
              Object.hasOwn(member, 'prototype')) ||
            holdsReservedName(member),
        )
      : false;

/** Anything but a JSON object: arrays (also of objects, and of valid members), strings, numbers, null. */
export const nonObject = (member: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.constant([]),
    fc.array(member, { minLength: 1, maxLength: 2 }),
    // Any JSON, but not a name the parser refuses: that is a 400 before any field is looked at.
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).filter((value) => !holdsReservedName(value)),
    fc.constantFrom('{}', '', '[object Object]', 0, 1, -1.5, true, false, null),
    fc.string({ maxLength: 10 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );

// ---------------------------------------------------------------------------------------------
// Surgery on JSON text

/** A place inside a string token of JSON text: between two characters (or escapes) of a key or a value. */
export interface StringSpot {
  readonly before: string;
  readonly after: string;
  readonly isKey: boolean;
}

/** Every place between two characters of every string (keys included) of JSON text from JSON.stringify. */
export function stringSpots(json: string): StringSpot[] {
  const spots: StringSpot[] = [];
  for (const match of json.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    const start = match.index + 1;
    const end = match.index + match[0].length - 1;
    const isKey = json[end + 1] === ':';
    let at = start;
    for (;;) {
      spots.push({ before: json.slice(0, at), after: json.slice(at), isKey });
      if (at >= end) break;
      if (json[at] === '\\') at += json[at + 1] === 'u' ? 6 : 2;
      else at += json.codePointAt(at)! > 0xffff ? 2 : 1;
    }
  }
  return spots;
}

/** JSON text with every character outside ASCII (or only the astral ones) written as \u escapes: the same value. */
export function escapeNonAscii(json: string, which: 'astral' | 'all'): string {
  const pattern = which === 'astral' ? /[\u{10000}-\u{10ffff}]/gu : /[^\p{ASCII}]/gu;
  return json.replace(pattern, (char) =>
    [...Array(char.length).keys()].map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

const bytesAreUtf8 = (bytes: Buffer) => Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

/** Byte sequences that are not UTF-8, wherever they stand between two characters. */
export const invalidUtf8 = fc
  .oneof(
    fc.integer({ min: 0x80, max: 0xbf }).map((byte) => [byte]), // a continuation byte alone
    fc.integer({ min: 0xc2, max: 0xf4 }).map((byte) => [byte]), // a lead byte with nothing after it
    fc.constantFrom([0xc0], [0xc1], [0xf5], [0xf8], [0xfe], [0xff]), // never in UTF-8
    fc.constantFrom([0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80]), // overlong
    fc.constantFrom([0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), // surrogates (CESU-8)
    fc.constantFrom([0xf4, 0x90, 0x80, 0x80], [0xf7, 0xbf, 0xbf, 0xbf]), // beyond U+10FFFF
    fc.constantFrom([0xe2, 0x82], [0xf0, 0x9f, 0x98]), // truncated
    fc.uint8Array({ minLength: 1, maxLength: 6 }).map((bytes) => [...bytes]),
  )
  .map((bytes) => Buffer.from(bytes))
  .filter((bytes) => !bytesAreUtf8(bytes));

const hex4 = (unit: number, upper: boolean) => {
  const digits = unit.toString(16).padStart(4, '0');
  return `\\u${upper ? digits.toUpperCase() : digits}`;
};

/** JSON escapes holding half a surrogate pair: one alone, two highs, or a pair in the wrong order. */
export const loneSurrogateEscape = fc.oneof(
  fc.tuple(fc.integer({ min: 0xd800, max: 0xdfff }), fc.boolean()).map(([unit, upper]) => hex4(unit, upper)),
  fc.constantFrom('\\ud800\\ud800', '\\ude00\\ud83d', '\\uDBFF', '\\udc00x', '\\ud83d\\u0041'),
);
