// The validation rules every request body and event detail shares (functions/schema/fields.ts), in
// both directions: what is accepted (and how it is stored) and what is refused, with the JSON
// Pointer of the refusal. Only the exported schemas are used, so each case tests what the API does.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { customerRequest } from '../../functions/customers/schema.ts';
import { orderPlaced, reviewEvent, reviewPublished } from '../../functions/events/schema.ts';
import { purchaserRequest } from '../../functions/purchasers/schema.ts';
import { fieldErrors } from '../../functions/schema/issues.ts';
import { normaliseEmail, purchaserKey } from '../../functions/store/keys.ts';

const errorsOf = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success ? [] : fieldErrors(result.issues);
};
const refusal = (pointer: string, detail: string) => [{ pointer, detail }];
const NOT_OBJECT = 'must be a JSON object';

const customer = (extra: Record<string, unknown>) => ({ corporation_id: 'corp_1', name: 'Acme', ...extra });
const order = (extra: Record<string, unknown> = {}) => ({
  trkref: 'ACME',
  order_ref: 'O1',
  customer: { email: 'jane@example.com' },
  lines: [{ sku: 'S1' }],
  ...extra,
});
const review = (occurred_at: unknown) => ({
  trkref: 'ACME',
  email: 'jane@example.com',
  order_ref: 'O1',
  sku: 'S1',
  occurred_at,
});

describe('objects are JSON objects', () => {
  // Each place an object belongs, in every schema, with what is put there instead.
  const places: [string, v.GenericSchema, (value: unknown) => unknown, string][] = [
    ['purchaser body', purchaserRequest, (x) => x, ''],
    ['purchase', purchaserRequest, (x) => ({ email: 'a@b.co', purchases: [x] }), '/purchases/0'],
    ['customer body', customerRequest, (x) => x, ''],
    ['shipping address', customerRequest, (x) => customer({ shipping_address: x }), '/shipping_address'],
    ['order event', orderPlaced, (x) => x, ''],
    ['order customer', orderPlaced, (x) => order({ customer: x }), '/customer'],
    ['order line', orderPlaced, (x) => order({ lines: [x] }), '/lines/0'],
    ['review event', reviewEvent, (x) => x, ''],
    ['published review event', reviewPublished, (x) => x, ''],
  ];

  for (const [name, schema, place, pointer] of places) {
    it(`${name}: an array, a string or a number is refused at ${pointer || 'the root'}`, () => {
      for (const bad of [[], [{}], ['a'], 'x', 42, true])
        expect(errorsOf(schema, place(bad)), JSON.stringify(bad)).toEqual(refusal(pointer, NOT_OBJECT));
    });
  }

  it('"shipping_address": [] is refused, {} and null are accepted', () => {
    expect(errorsOf(customerRequest, customer({ shipping_address: [] }))).toEqual(
      refusal('/shipping_address', NOT_OBJECT),
    );
    expect(v.parse(customerRequest, customer({ shipping_address: {} })).shipping_address).toEqual({});
    expect(v.parse(customerRequest, customer({ shipping_address: null })).shipping_address).toBeNull();
  });

  it('an order event customer must be an object, not null', () => {
    expect(errorsOf(orderPlaced, order({ customer: null }))).toEqual(refusal('/customer', NOT_OBJECT));
    expect(errorsOf(orderPlaced, order())).toEqual([]);
  });
});

describe('email', () => {
  const stored = (email: string) => v.parse(purchaserRequest, { email }).email;
  const refused = (email: string) => errorsOf(purchaserRequest, { email });
  const INVALID = 'must be a valid email address';

  it('accepts every dot-atom character in the local part', () => {
    for (const email of [
      "o'brien@example.com",
      'a=b@x.com',
      'a&b@x.com',
      "!#$%&'*+/=?^_`{|}~-@example.com",
      'first.last+tag@mail.example.co.uk',
      'x@a-b.c0m',
      '1@2.io',
    ])
      expect(stored(email), email).toBe(email.toLowerCase());
  });

  it('refuses local parts that are not a dot-atom', () => {
    for (const email of [
      'a..b@x.com',
      '.a@x.com',
      'a.@x.com',
      'a b@x.com',
      '"a b"@x.com',
      'a(b)@x.com',
      'a,b@x.com',
      'a@b@x.com',
      'ü@x.com',
      '@x.com',
      'a@',
      'plain',
    ])
      expect(refused(email), email).toEqual(refusal('/email', INVALID));
  });

  it('allows at most 64 characters before the @', () => {
    expect(stored(`${'a'.repeat(64)}@example.com`)).toBe(`${'a'.repeat(64)}@example.com`);
    expect(refused(`${'a'.repeat(65)}@example.com`)).toEqual(
      refusal('/email', 'must have at most 64 characters before the "@"'),
    );
  });

  it('needs a domain of at least two LDH labels, the last not all digits', () => {
    for (const email of [
      'a@localhost',
      'a@-x.com',
      'a@x-.com',
      'a@x_y.com',
      'a@x..com',
      'a@x.com.',
      'a@.x.com',
      'a@x.123',
      'a@1.2.3.4',
      'a@[1.2.3.4]',
      'a@x%41.com',
    ])
      expect(refused(email), email).toEqual(refusal('/email', INVALID));
    expect(stored('a@x--y.example')).toBe('a@x--y.example');
  });

  it('allows labels of at most 63 characters and a domain of at most 253', () => {
    expect(stored(`a@${'b'.repeat(63)}.com`)).toBe(`a@${'b'.repeat(63)}.com`);
    const DOMAIN = 'must have a domain of at most 253 characters, with at most 63 between dots';
    expect(refused(`a@${'b'.repeat(64)}.com`)).toEqual(refusal('/email', DOMAIN));
    // 40 characters each in Unicode, 56 each in punycode: 210 characters sent, 289 stored.
    const label = 'äïåéûœëñüôæêçöîøèùäïåéûœëñüôæêçöîøèùäïåé';
    expect(refused(`a@${Array(5).fill(label).join('.')}.com`)).toEqual(refusal('/email', DOMAIN));
    expect(refused(`${'a'.repeat(64)}@${Array(4).fill(label).join('.')}.com`)).toEqual(
      refusal('/email', 'must be at most 254 characters'),
    );
  });

  it('accepts punycode domains, and stores a Unicode domain as punycode: one mailbox, one key', () => {
    expect(stored('user@xn--bcher-kva.example')).toBe('user@xn--bcher-kva.example');
    expect(stored('User@BÜCHER.example')).toBe('user@xn--bcher-kva.example');
    expect(stored(' user@bücher.example ')).toBe('user@xn--bcher-kva.example');
    expect(v.parse(customerRequest, customer({ email: 'user@bücher.example' })).email).toBe(
      'user@xn--bcher-kva.example',
    );
    // The key builders agree, for callers that skipped the schema.
    expect(normaliseEmail('User@Bücher.Example')).toBe('user@xn--bcher-kva.example');
    expect(purchaserKey('ACME', 'user@bücher.example')).toEqual(purchaserKey('ACME', 'user@xn--bcher-kva.example'));
    // IDNA maps case its own way (`ẞ` is `ss`): the schema and the key builders use the same mapping.
    expect(normaliseEmail('a@STRAẞE.de')).toBe(stored('a@STRAẞE.de'));
  });

  it('is required on a purchaser and in review events, optional on a customer ("" is no email)', () => {
    expect(refused('')).toEqual(refusal('/email', 'must not be empty'));
    expect(refused('  ')).toEqual(refusal('/email', 'must not be empty'));
    expect(errorsOf(reviewEvent, { ...review('2026-11-22T09:00:00Z'), email: '' })).toEqual(
      refusal('/email', 'must not be empty'),
    );
    expect(v.parse(customerRequest, customer({ email: '' })).email).toBeNull();
    expect(v.parse(customerRequest, customer({ email: ' ' })).email).toBeNull();
    expect(errorsOf(customerRequest, customer({ email: "o'brien" }))).toEqual(refusal('/email', INVALID));
    expect(v.parse(customerRequest, customer({ email: "O'Brien@Example.com" })).email).toBe("o'brien@example.com");
  });
});

describe('lengths count characters (code points), not UTF-16 units', () => {
  const emoji = (n: number) => '😀'.repeat(n);

  it('a 3-character minimum is not met by two emoji', () => {
    expect(errorsOf(customerRequest, customer({ name: emoji(2) }))).toEqual(
      refusal('/name', 'must be at least 3 characters'),
    );
    expect(v.parse(customerRequest, customer({ name: emoji(3) })).name).toBe(emoji(3));
  });

  it('a maximum of N allows N emoji, and not N + 1', () => {
    const cases: [v.GenericSchema, (text: string) => unknown, string, number][] = [
      [customerRequest, (s) => customer({ name: s }), '/name', 200],
      [customerRequest, (s) => customer({ external_id: s }), '/external_id', 255],
      [customerRequest, (s) => customer({ shipping_address: { line1: s } }), '/shipping_address/line1', 200],
      [customerRequest, (s) => customer({ shipping_address: { city: s } }), '/shipping_address/city', 100],
      [customerRequest, (s) => customer({ shipping_address: { postal_code: s } }), '/shipping_address/postal_code', 20],
      [purchaserRequest, (s) => ({ email: 'a@b.co', title: s }), '/title', 50],
      [purchaserRequest, (s) => ({ email: 'a@b.co', first_name: s }), '/first_name', 100],
      [purchaserRequest, (s) => ({ email: 'a@b.co', postcode: s }), '/postcode', 20],
      [
        purchaserRequest,
        (s) => ({ email: 'a@b.co', purchases: [{ order_ref: s, sku: 'S' }] }),
        '/purchases/0/order_ref',
        100,
      ],
      [
        purchaserRequest,
        (s) => ({ email: 'a@b.co', purchases: [{ order_ref: 'O', sku: s }] }),
        '/purchases/0/sku',
        100,
      ],
      [orderPlaced, (s) => order({ order_ref: s }), '/order_ref', 100],
      [orderPlaced, (s) => order({ customer: { email: 'a@b.co', surname: s } }), '/customer/surname', 100],
      [reviewEvent, (s) => ({ ...review('2026-11-22T09:00:00Z'), sku: s }), '/sku', 100],
    ];
    for (const [schema, place, pointer, max] of cases) {
      expect(errorsOf(schema, place(emoji(max))), pointer).toEqual([]);
      expect(errorsOf(schema, place(emoji(max + 1))), pointer).toEqual(
        refusal(pointer, `must be at most ${max} characters`),
      );
    }
  });

  it('a review URL of at most 2000 characters', () => {
    const url = (n: number) => `https://reviews.example.com/${'😀'.repeat(n - 28)}`;
    const published = (review_url: string) => ({ ...review('2026-11-22T09:00:00Z'), review_url });
    expect(errorsOf(reviewPublished, published(url(2000)))).toEqual([]);
    expect(errorsOf(reviewPublished, published(url(2001)))).toEqual(
      refusal('/review_url', 'must be at most 2000 characters'),
    );
  });
});

describe('country codes', () => {
  const COUNTRY = 'must be an ISO 3166-1 alpha-2 country code, such as "GB" or "US"';
  const places: [v.GenericSchema, (code: unknown) => unknown, string, (output: unknown) => unknown][] = [
    [
      purchaserRequest,
      (c) => ({ email: 'a@b.co', country: c }),
      '/country',
      (o) => (o as { country: unknown }).country,
    ],
    [
      customerRequest,
      (c) => customer({ shipping_address: { country: c } }),
      '/shipping_address/country',
      (o) => (o as { shipping_address: { country: unknown } }).shipping_address.country,
    ],
    [
      orderPlaced,
      (c) => order({ customer: { email: 'a@b.co', country: c } }),
      '/customer/country',
      (o) => (o as { customer: { country: unknown } }).customer.country,
    ],
  ];

  it('are matched as ASCII before upper-casing: `ıt` and `uſ` are not IT and US', () => {
    for (const [schema, place, pointer] of places) {
      for (const code of ['ıt', 'uſ', 'ＧＢ', 'İT', 'g', 'gbr', 'XX', 'u s'])
        expect(errorsOf(schema, place(code)), `${pointer} ${code}`).toEqual(refusal(pointer, COUNTRY));
      expect(errorsOf(schema, place(42))).toEqual(refusal(pointer, 'must be a string or null'));
    }
  });

  it('are accepted in any case, stored upper-cased; "" is null', () => {
    for (const [schema, place, pointer, country] of places) {
      for (const [code, stored] of [
        ['gb', 'GB'],
        [' it ', 'IT'],
        ['Us', 'US'],
        ['uk', 'UK'],
        ['', null],
        ['  ', null],
        [null, null],
      ])
        expect(country(v.parse(schema, place(code))), `${pointer} ${code}`).toBe(stored);
    }
  });
});

describe('"" means null in every optional text field; required fields refuse it', () => {
  it('purchaser fields', () => {
    expect(
      v.parse(purchaserRequest, {
        email: 'a@b.co',
        title: '',
        first_name: '',
        surname: ' ',
        country: '',
        postcode: '',
        purchases: [{ order_ref: 'O', sku: 'S', purchase_date: '' }],
      }),
    ).toEqual({
      email: 'a@b.co',
      title: null,
      first_name: null,
      surname: null,
      country: null,
      postcode: null,
      purchases: [{ order_ref: 'O', sku: 'S', purchase_date: null }],
    });
    expect(errorsOf(purchaserRequest, { email: 'a@b.co', purchases: [{ order_ref: '', sku: ' ' }] })).toEqual([
      { pointer: '/purchases/0/order_ref', detail: 'must not be empty' },
      { pointer: '/purchases/0/sku', detail: 'must not be empty' },
    ]);
  });

  it('customer fields', () => {
    const address = { line1: '', line2: '', city: '', state: '', postal_code: '', country: '' };
    expect(v.parse(customerRequest, customer({ email: '', external_id: '', shipping_address: address }))).toEqual(
      customer({
        email: null,
        external_id: null,
        shipping_address: { line1: null, line2: null, city: null, state: null, postal_code: null, country: null },
      }),
    );
    expect(errorsOf(customerRequest, { corporation_id: '', name: '' })).toEqual([
      { pointer: '/corporation_id', detail: 'must be 1 to 64 letters, digits, "_" or "-"' },
      { pointer: '/name', detail: 'must be at least 3 characters' },
    ]);
  });

  it('order event fields', () => {
    const parsed = v.parse(
      orderPlaced,
      order({ purchase_date: '', customer: { email: 'a@b.co', title: '', country: '', postcode: '' } }),
    );
    expect(parsed.purchase_date).toBeNull();
    expect(parsed.customer).toEqual({ email: 'a@b.co', title: null, country: null, postcode: null });
    expect(errorsOf(orderPlaced, order({ order_ref: '', lines: [{ sku: '' }] }))).toEqual([
      { pointer: '/order_ref', detail: 'must not be empty' },
      { pointer: '/lines/0/sku', detail: 'must not be empty' },
    ]);
  });
});

describe('dates and times', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const REAL_TIME = 'must be a real date and time';
  const WINDOW = 'must be no earlier than the year 2000 and at most one day in the future';
  const occurredAt = (text: unknown) => v.parse(reviewEvent, review(text)).occurred_at.toISOString();
  const timeErrors = (text: unknown) => errorsOf(reviewEvent, review(text));

  it('event times are calendar-valid: no 30 February, 29 February only in leap years', () => {
    expect(occurredAt('2024-02-29T10:00:00Z')).toBe('2024-02-29T10:00:00.000Z');
    expect(occurredAt('2000-02-29T10:00:00Z')).toBe('2000-02-29T10:00:00.000Z');
    for (const text of [
      '2026-02-30T10:00:00Z',
      '2025-02-29T10:00:00Z',
      '2026-04-31T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-00-10T10:00:00Z',
      '2026-01-00T10:00:00Z',
      '2026-01-10T24:00:00Z',
      '2026-01-10T10:60:00Z',
      '2026-01-10T10:00:60Z',
      '2026-01-10T10:00:00+24:00',
      '2026-01-10T10:00:00+01:60',
    ])
      expect(timeErrors(text), text).toEqual(refusal('/occurred_at', REAL_TIME));
  });

  it('event times need a zone and ISO 8601 form', () => {
    for (const text of ['2026-11-22T09:00:00', '2026-11-22', 'yesterday', '22/11/2026 09:00Z', 1795473047])
      expect(timeErrors(text)[0]?.pointer, String(text)).toBe('/occurred_at');
  });

  it('event times are instants: the offset says how the time was written, not when it was', () => {
    expect(occurredAt('2026-11-22T01:00:00+05:00')).toBe('2026-11-21T20:00:00.000Z');
    expect(occurredAt('2026-11-21T23:30:00-0300')).toBe('2026-11-22T02:30:00.000Z');
    expect(occurredAt('2026-11-22T09:00Z')).toBe('2026-11-22T09:00:00.000Z');
    expect(occurredAt('2026-11-24T09:00:00.123456789Z')).toBe('2026-11-24T09:00:00.123Z');
    expect(occurredAt('2026-11-24T09:00:00.5+01:00')).toBe('2026-11-24T08:00:00.500Z');
  });

  it('event times fall between the year 2000 and one day from now', () => {
    expect(occurredAt('2000-01-01T00:00:00Z')).toBe('2000-01-01T00:00:00.000Z');
    const soon = new Date(Date.now() + DAY - 60_000).toISOString();
    expect(occurredAt(soon)).toBe(soon);
    for (const text of [
      '1999-12-31T23:59:59Z',
      // 1999-12-31T23:30Z, written in a zone where it was already 2000.
      '2000-01-01T00:30:00+01:00',
      '0001-01-01T00:00:00Z',
      new Date(Date.now() + DAY + 60_000).toISOString(),
      '9999-12-31T23:59:59Z',
      // Year 10000 in UTC: toISOString would write `+010000-…`, which sorts before `2026-…`.
      '9999-12-31T23:00:00-05:00',
    ])
      expect(timeErrors(text), text).toEqual(refusal('/occurred_at', WINDOW));
  });

  it('an order event purchase date is a calendar date between 2000-01-01 and tomorrow (UTC)', () => {
    const date = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
    for (const ok of ['2000-01-01', '2024-02-29', date(0), date(1)])
      expect(v.parse(orderPlaced, order({ purchase_date: ok })).purchase_date, ok).toBe(ok);
    for (const [bad, detail] of [
      ['1999-12-31', WINDOW],
      [date(2), WINDOW],
      ['2026-02-30', 'must be a real calendar date'],
      ['2023-02-29', 'must be a real calendar date'],
      ['2026-11-22T00:00:00Z', 'must be a date as YYYY-MM-DD'],
    ] as const)
      expect(errorsOf(orderPlaced, order({ purchase_date: bad })), bad).toEqual(refusal('/purchase_date', detail));
  });

  it('a purchase date sent over HTTP is a calendar date ("" is none)', () => {
    const purchaseDate = (value: unknown) => ({
      email: 'a@b.co',
      purchases: [{ order_ref: 'O', sku: 'S', purchase_date: value }],
    });
    expect(v.parse(purchaserRequest, purchaseDate('2024-02-29')).purchases?.[0]?.purchase_date).toBe('2024-02-29');
    expect(v.parse(purchaserRequest, purchaseDate('')).purchases?.[0]?.purchase_date).toBeNull();
    expect(errorsOf(purchaserRequest, purchaseDate('2026-02-30'))).toEqual(
      refusal('/purchases/0/purchase_date', 'must be a real calendar date'),
    );
    expect(errorsOf(purchaserRequest, purchaseDate(20260230))).toEqual(
      refusal('/purchases/0/purchase_date', 'must be a date as YYYY-MM-DD or null'),
    );
  });
});
