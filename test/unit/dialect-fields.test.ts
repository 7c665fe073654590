// What the KohortPay and Commerce Layer dialects add to the shared rules: customer ids as each
// dialect shows them (functions/customers/ids.ts), the fields only they take (functions/schema/
// fields.ts: free-text countries, phone numbers, metadata, passwords), and how passwords are kept
// (functions/customers/passwords.ts).
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type IdDialect, presentedId, storedId } from '../../functions/customers/ids.ts';
import { hashPassword, verifyPassword } from '../../functions/customers/passwords.ts';
import { countryOf, metadata, optionalPhone, password } from '../../functions/schema/fields.ts';
import { fieldErrors } from '../../functions/schema/issues.ts';

const errorsOf = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success ? [] : fieldErrors(result.issues);
};
const refusal = (detail: string) => [{ pointer: '', detail }];

describe('customer ids', () => {
  const HEX = '0123456789abcdef0123456789abcdef';
  const NATIVE = `cust_${HEX}`;
  const DIALECTS: IdDialect[] = ['kohortpay', 'commercelayer'];

  it('each dialect shows the same 32 hex digits with its own prefix', () => {
    expect(presentedId(NATIVE, 'kohortpay')).toBe(`cus_${HEX}`);
    expect(presentedId(NATIVE, 'commercelayer')).toBe(HEX);
  });

  it('reads back the stored id from the id each dialect shows', () => {
    for (let i = 0; i < 50; i++) {
      const id = `cust_${randomBytes(16).toString('hex')}`;
      for (const dialect of DIALECTS) expect(storedId(presentedId(id, dialect), dialect), `${dialect} ${id}`).toBe(id);
    }
  });

  it('refuses an id with the wrong prefix: another dialect, the native one, near misses', () => {
    const refused: [string, IdDialect][] = [
      [NATIVE, 'kohortpay'],
      [NATIVE, 'commercelayer'],
      [HEX, 'kohortpay'],
      [`cus_${HEX}`, 'commercelayer'],
      [`CUS_${HEX}`, 'kohortpay'],
      [`cu_${HEX}`, 'kohortpay'],
      [`cus-${HEX}`, 'kohortpay'],
      [`cus__${HEX}`, 'kohortpay'],
      [`x${HEX}`, 'commercelayer'],
    ];
    for (const [id, dialect] of refused) expect(storedId(id, dialect), `${dialect} ${id}`).toBeUndefined();
  });

  it('refuses the wrong number of digits, upper-case hex, other characters and whitespace', () => {
    for (const hex of [
      '',
      HEX.slice(1),
      `${HEX}0`,
      HEX.toUpperCase(),
      `${HEX.slice(0, 31)}A`,
      `${HEX.slice(0, 31)}g`,
      ` ${HEX.slice(1)}`,
      `${HEX}\n`,
      `${HEX} `,
      `${HEX.slice(0, 16)}-${HEX.slice(17)}`,
    ]) {
      expect(storedId(`cus_${hex}`, 'kohortpay'), JSON.stringify(hex)).toBeUndefined();
      expect(storedId(hex, 'commercelayer'), JSON.stringify(hex)).toBeUndefined();
    }
  });
});

describe('countryOf (free-text countries)', () => {
  it('takes two ASCII letters naming an ISO code (or UK) as the code, upper-cased', () => {
    expect(countryOf('US')).toEqual({ country: 'US', country_name: null });
    expect(countryOf('us')).toEqual({ country: 'US', country_name: null });
    expect(countryOf('fR')).toEqual({ country: 'FR', country_name: null });
    expect(countryOf('UK')).toEqual({ country: 'UK', country_name: null });
    expect(countryOf('GB')).toEqual({ country: 'GB', country_name: null });
  });

  it('keeps anything else as the name, as written', () => {
    for (const text of ['France', 'United States', 'XX', 'U', 'USA', 'ıt', 'uſ', 'ＵＳ', 'U.S.']) {
      expect(countryOf(text), text).toEqual({ country: null, country_name: text });
    }
  });

  it('has neither for empty, null or absent', () => {
    for (const text of ['', null, undefined]) expect(countryOf(text)).toEqual({ country: null, country_name: null });
  });
});

describe('optionalPhone', () => {
  const MESSAGE = 'must be a phone number with its country code, such as "+1 555 555 5555"';

  it('accepts a number with its country code, spaced, dotted, hyphenated or bracketed, kept as written', () => {
    for (const phone of [
      '+1 555 555 5555',
      '+33 (0)1 23 45 67 89',
      '+33123456789',
      '+44 20 7946 0958',
      '+1-555-555-5555',
      '+1.555.555.5555',
      '+1 (555) 555-5555',
      '+683 4002',
      '+123456',
      '+123456789012345',
    ]) {
      expect(v.parse(optionalPhone, phone), phone).toBe(phone);
    }
  });

  it('trims; "" is null; null and absent stay so', () => {
    expect(v.parse(optionalPhone, '  +1 555 555 5555 ')).toBe('+1 555 555 5555');
    expect(v.parse(optionalPhone, '')).toBeNull();
    expect(v.parse(optionalPhone, '   ')).toBeNull();
    expect(v.parse(optionalPhone, null)).toBeNull();
    expect(v.parse(optionalPhone, undefined)).toBeUndefined();
  });

  it('refuses a number without "+", with letters, or with too few or too many digits', () => {
    for (const phone of [
      '555 555 5555',
      '(555) 555-5555',
      '0033 1 23 45 67 89',
      '06 12 34 56 78',
      '+1 555 CALL NOW',
      '+1 555 555 5555 ext. 12',
      '+1 555 555 5555 x12',
      'tel:+15555555555',
      '++1 555 555 5555',
      '1+555 555 5555',
      '+1/555/555/5555',
      '+',
      '+ ',
      '+12345',
      '+1234567890123456',
      '+１ ５５５ ５５５ ５５５５',
    ]) {
      expect(errorsOf(optionalPhone, phone), phone).toEqual(refusal(MESSAGE));
    }
    expect(errorsOf(optionalPhone, 15555555555)).toEqual(refusal('must be a string or null'));
  });
});

describe('metadata', () => {
  const members = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));

  it('keeps any JSON values exactly as sent, nested ones too', () => {
    const sent = {
      plan: 'gold',
      count: 3,
      ratio: 0.5,
      active: false,
      none: null,
      tags: ['a', 1, null, { deep: [true] }],
      nested: { level: { deeper: { text: 'é 😀' } } },
      empty: {},
    };
    expect(v.parse(metadata, structuredClone(sent))).toEqual(sent);
    expect(v.parse(metadata, {})).toEqual({});
  });

  it('takes at most 50 members', () => {
    expect(errorsOf(metadata, members(50))).toEqual([]);
    expect(errorsOf(metadata, members(51))).toEqual(refusal('must have at most 50 members'));
  });

  it('takes member names of 1 to 40 characters (code points)', () => {
    const NAMES = 'must have member names of 1 to 40 characters';
    expect(errorsOf(metadata, { ['k'.repeat(40)]: 1 })).toEqual([]);
    expect(errorsOf(metadata, { ['😀'.repeat(40)]: 1 })).toEqual([]);
    expect(errorsOf(metadata, { ['k'.repeat(41)]: 1 })).toEqual(refusal(NAMES));
    expect(errorsOf(metadata, { ['😀'.repeat(41)]: 1 })).toEqual(refusal(NAMES));
    expect(errorsOf(metadata, { '': 1 })).toEqual(refusal(NAMES));
    expect(errorsOf(metadata, { ok: 1, '': 2 })).toEqual(refusal(NAMES));
  });

  it('takes at most 8 KB as JSON, counted in UTF-8 bytes', () => {
    const SIZE = 'must be at most 8192 bytes as JSON';
    // {"a":"…"} is 8 bytes besides the value.
    expect(errorsOf(metadata, { a: 'x'.repeat(8184) })).toEqual([]);
    expect(errorsOf(metadata, { a: 'x'.repeat(8185) })).toEqual(refusal(SIZE));
    expect(errorsOf(metadata, { a: 'é'.repeat(4092) })).toEqual([]);
    expect(errorsOf(metadata, { a: 'é'.repeat(4093) })).toEqual(refusal(SIZE));
    expect(errorsOf(metadata, { a: { b: ['x'.repeat(9000)] } })).toEqual(refusal(SIZE));
  });

  it('refuses anything but a JSON object', () => {
    for (const value of [[], [{ a: 1 }], null, 'x', '{"a":1}', 42, true, undefined]) {
      expect(errorsOf(metadata, value), JSON.stringify(value)).toEqual(refusal('must be a JSON object'));
    }
  });
});

describe('password', () => {
  it('takes 8 to 256 characters (code points), not trimmed', () => {
    for (const chosen of ['12345678', '  secret  ', ' 1234567', 'pass word', '😀'.repeat(8), 'x'.repeat(256)]) {
      expect(v.parse(password, chosen), JSON.stringify(chosen)).toBe(chosen);
    }
  });

  it('refuses fewer than 8 or more than 256 characters', () => {
    expect(errorsOf(password, '1234567')).toEqual(refusal('must be at least 8 characters'));
    // Four emoji are 8 UTF-16 units but 4 characters.
    expect(errorsOf(password, '😀'.repeat(4))).toEqual(refusal('must be at least 8 characters'));
    expect(errorsOf(password, '')).toEqual(refusal('must be at least 8 characters'));
    expect(errorsOf(password, 'x'.repeat(257))).toEqual(refusal('must be at most 256 characters'));
    expect(errorsOf(password, '😀'.repeat(257))).toEqual(refusal('must be at most 256 characters'));
  });

  it('refuses what is not a string, or not valid Unicode', () => {
    expect(errorsOf(password, 12345678)).toEqual(refusal('must be a string'));
    expect(errorsOf(password, null)).toEqual(refusal('must be a string'));
    expect(errorsOf(password, 'abcdefg\uD800')).toEqual(refusal('must be valid Unicode text'));
  });
});

describe('hashPassword and verifyPassword', () => {
  // scrypt at N = 2^17 takes about half a second a call: four calls in all.
  const CHOSEN = 'correct horse battery staple';

  it('salts each hash, writes its parameters, and verifies the right password only', async () => {
    const [first, second] = await Promise.all([hashPassword(CHOSEN), hashPassword(CHOSEN)]);
    expect(first).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(second).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect(second.split('$')[4]).not.toBe(first.split('$')[4]);
    expect(first).not.toContain(CHOSEN);

    expect(await verifyPassword(CHOSEN, first)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl3', second)).toBe(false);
  });

  it('refuses a stored value that is not an scrypt hash, without deriving anything', async () => {
    for (const stored of ['', CHOSEN, 'bcrypt$17$8$1$c2FsdA$aGFzaA', 'scrypt$17$8$1$$aGFzaA', 'scrypt$17$8$1$c2FsdA']) {
      expect(await verifyPassword(CHOSEN, stored), stored).toBe(false);
    }
  });
});
