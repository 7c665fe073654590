import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { customerRequest } from '../../functions/customers/schema.ts';
import { purchaserRequest } from '../../functions/purchasers/schema.ts';
import { fieldErrors } from '../../functions/schema/issues.ts';
import { createCustomerCorporation, reevooCreatePurchaser, reevooPurchaserAndPurchases } from '../../openapi/seeds.ts';

const errorsOf = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success ? [] : fieldErrors(result.issues);
};

describe('purchaser request', () => {
  it('accepts both seed examples', () => {
    expect(v.parse(purchaserRequest, reevooCreatePurchaser.request)).toEqual({
      email: 'jane@example.com',
      title: 'Ms',
      first_name: 'Jane',
      country: 'UK',
    });
    expect(v.parse(purchaserRequest, reevooPurchaserAndPurchases.request).purchases).toHaveLength(3);
  });

  it('normalises: email trimmed and lower-cased, country upper-cased, empty text is null', () => {
    expect(
      v.parse(purchaserRequest, { email: ' Jane@Example.COM ', country: 'gb', surname: '  ', postcode: ' SW1A 1AA ' }),
    ).toEqual({ email: 'jane@example.com', country: 'GB', surname: null, postcode: 'SW1A 1AA' });
  });

  it('keeps absent fields absent and null fields null (so updates touch only what was sent)', () => {
    const parsed = v.parse(purchaserRequest, { email: 'a@b.co', title: null });
    expect(parsed).toEqual({ email: 'a@b.co', title: null });
    expect('first_name' in parsed).toBe(false);
  });

  it('names every bad field by JSON Pointer', () => {
    expect(
      errorsOf(purchaserRequest, {
        email: 'not-an-email',
        title: 42,
        country: 'XX',
        purchases: [{ order_ref: '', sku: 'S' }, { sku: 'S', purchase_date: '2024-02-30' }, 'x'],
      }),
    ).toEqual([
      { pointer: '/email', detail: 'must be a valid email address' },
      { pointer: '/title', detail: 'must be a string or null' },
      { pointer: '/country', detail: 'must be an ISO 3166-1 alpha-2 country code, such as "GB" or "US"' },
      { pointer: '/purchases/0/order_ref', detail: 'must not be empty' },
      { pointer: '/purchases/1/order_ref', detail: 'is required' },
      { pointer: '/purchases/1/purchase_date', detail: 'must be a real calendar date' },
      { pointer: '/purchases/2', detail: 'must be a JSON object' },
    ]);
  });

  it('requires the email and bounds its length', () => {
    expect(errorsOf(purchaserRequest, {})).toEqual([{ pointer: '/email', detail: 'is required' }]);
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(long.length).toBe(254);
    expect(errorsOf(purchaserRequest, { email: long })).toEqual([]);
    expect(errorsOf(purchaserRequest, { email: `a${long}` })).toEqual([
      { pointer: '/email', detail: 'must be at most 254 characters' },
    ]);
  });

  it('allows at most 100 purchases', () => {
    const purchases = (n: number) => Array.from({ length: n }, (_, i) => ({ order_ref: `O${i}`, sku: 'S' }));
    expect(errorsOf(purchaserRequest, { email: 'a@b.co', purchases: purchases(100) })).toEqual([]);
    expect(errorsOf(purchaserRequest, { email: 'a@b.co', purchases: purchases(101) })).toEqual([
      { pointer: '/purchases', detail: 'must list at most 100 purchases' },
    ]);
  });

  it('rejects control characters and broken Unicode in identifiers', () => {
    expect(
      errorsOf(purchaserRequest, { email: 'a@b.co', purchases: [{ order_ref: 'A\u0000', sku: '\ud800' }] }),
    ).toEqual([
      { pointer: '/purchases/0/order_ref', detail: 'must not contain control characters' },
      { pointer: '/purchases/0/sku', detail: 'must be valid Unicode text' },
    ]);
  });

  it('escapes pointer tokens', () => {
    const result = v.safeParse(v.object({ 'a/b~c': v.string() }), { 'a/b~c': 1 });
    expect(fieldErrors(result.issues!)[0]!.pointer).toBe('/a~1b~0c');
  });
});

describe('customer request', () => {
  it('accepts the seed example', () => {
    expect(v.parse(customerRequest, createCustomerCorporation.request)).toEqual(createCustomerCorporation.request);
  });

  it('needs corporation_id and a name of 3 to 200 characters; email is optional', () => {
    expect(errorsOf(customerRequest, { name: 'Al' })).toEqual([
      { pointer: '/corporation_id', detail: 'is required' },
      { pointer: '/name', detail: 'must be at least 3 characters' },
    ]);
    expect(errorsOf(customerRequest, { corporation_id: 'c', name: 'x'.repeat(201) })).toEqual([
      { pointer: '/name', detail: 'must be at most 200 characters' },
    ]);
    expect(errorsOf(customerRequest, { corporation_id: 'c', name: 'Bob' })).toEqual([]);
  });

  it('checks the corporation id alphabet and the address country', () => {
    expect(
      errorsOf(customerRequest, { corporation_id: 'corp#1', name: 'Acme', shipping_address: { country: 'USA' } }),
    ).toEqual([
      { pointer: '/corporation_id', detail: 'must be 1 to 64 letters, digits, "_" or "-"' },
      {
        pointer: '/shipping_address/country',
        detail: 'must be an ISO 3166-1 alpha-2 country code, such as "GB" or "US"',
      },
    ]);
  });
});
