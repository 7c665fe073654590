// The KohortPay dialect (/compat/kohortpay) over real HTTP: the local server with the real handler
// modules, on a table of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerKey } from '../../functions/store/keys.ts';
import { getItem } from '../../functions/store/read.ts';
import { kohortPayCreateCustomer as seed } from '../../openapi/seeds.ts';
import { assertContract, kohortPayCustomer, kohortPayError } from '../support/contract.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let acme: { id: string; token: string };
beforeAll(async () => {
  t = await startTestServer('kohortpay');
  acme = await t.key(['ACME']);
});
afterAll(() => t?.close());

const BASE = '/compat/kohortpay/customers';
let n = 0;
const unique = (name = 'buyer') => `${name}.${Date.now().toString(36)}.${++n}@example.com`;

const create = (body: unknown, headers: Record<string, string> = bearer(acme.token)) =>
  t.request('POST', BASE, { body, headers });
const read = (id: string, headers: Record<string, string> = bearer(acme.token)) =>
  t.request('GET', `${BASE}/${id}`, { headers });

describe('POST /compat/kohortpay/customers', () => {
  it("takes the page's example verbatim (with a real address) and answers 201 with every field it lists", async () => {
    const email = unique('john.doe');
    const res = await create({ ...seed.request, emailAddress: email });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = assertContract(kohortPayCustomer, await res.json());
    // Every member of the page's response, and no other.
    expect(Object.keys(body).sort()).toEqual(Object.keys(seed.response).sort());
    expect(body).toMatchObject({
      emailAddress: email,
      firstName: 'John',
      lastName: 'Doe',
      phoneNumber: '+1 555 555 5555',
      livemode: true,
      isBlocked: false,
      organizationId: 'org_ACME',
      metadata: seed.request.metadata,
      createdBy: acme.id,
      updatedBy: acme.id,
      blockedAt: null,
      blockedBy: null,
      deletedAt: null,
    });
    expect(body.addressId).not.toBe(body.shippingAddressId);
    expect(body.updatedAt).toBe(body.createdAt);
    expect(Math.abs(Date.parse(body.createdAt) - Date.now())).toBeLessThan(60_000);
  });

  it('stores the addresses it does not show: the free-text country as written, a code as a code', async () => {
    const email = unique();
    const res = await create({ ...seed.request, emailAddress: email });
    expect(res.status).toBe(201);
    const item = await getItem(t.table.store, customerKey('ACME', { email }));
    expect(item).toMatchObject({
      name: 'John Doe',
      locale: 'fr_FR',
      external_id: 'myclientid-1234',
      billing_address: { line1: '123 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country: 'US' },
      shipping_address: {
        line1: 'Avenue des Champs-Élysées',
        line2: 'Appartement 4B',
        country_name: 'France',
        company_name: 'Google LLC',
        vat_number: 'FR123456789',
        registration_number: '123456789',
      },
    });
    expect(item?.shipping_address).not.toHaveProperty('country');
  });

  it('takes only the required email, and null for every nullable field', async () => {
    const minimal = await create({ emailAddress: unique() });
    expect(minimal.status).toBe(201);
    expect(assertContract(kohortPayCustomer, await minimal.json())).toMatchObject({
      firstName: null,
      addressId: null,
      shippingAddressId: null,
      metadata: null,
    });
    const nulls = await create({
      emailAddress: unique(),
      firstName: null,
      lastName: null,
      phoneNumber: null,
      address: null,
      shippingAddress: null,
      metadata: null,
      locale: null,
    });
    expect(nulls.status).toBe(201);
  });

  it('shows a test key as livemode false', async () => {
    const test = await t.key(['ACME'], { mode: 'test' });
    const res = await create({ emailAddress: unique() }, bearer(test.token));
    expect(res.status).toBe(201);
    expect(((await res.json()) as { livemode: boolean }).livemode).toBe(false);
  });

  it("answers an invalid body 422 in KohortPay's error shape, naming every bad field", async () => {
    const res = await create({
      firstName: 'x'.repeat(101),
      phoneNumber: '555 555',
      locale: 'de_DE',
      metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])),
      shippingAddress: ['not', 'an', 'object'],
    });
    expect(res.status).toBe(422);
    const body = assertContract(kohortPayError, await res.json());
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'validation_failed' });
    expect(body.error.errors?.map((e) => e.pointer).sort()).toEqual(
      ['/emailAddress', '/firstName', '/locale', '/metadata', '/phoneNumber', '/shippingAddress'].sort(),
    );
  });

  it('answers a taken email 409 customer_already_exists, naming the customer, whatever its case', async () => {
    const email = unique('taken');
    const first = (await (await create({ emailAddress: email })).json()) as { id: string };
    const res = await create({ emailAddress: email.toUpperCase(), firstName: 'Other' });
    expect(res.status).toBe(409);
    const body = assertContract(kohortPayError, await res.json());
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'customer_already_exists' });
    expect(body.error.message).toContain(first.id);
  });

  it('answers no key 401 and a wrong media type 415, in its error shape', async () => {
    const anonymous = await create({ emailAddress: unique() }, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(assertContract(kohortPayError, await anonymous.json()).error.type).toBe('authentication_error');
    const text = await t.request('POST', BASE, {
      body: JSON.stringify({ emailAddress: unique() }),
      headers: { ...bearer(acme.token), 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(assertContract(kohortPayError, await text.json()).error.code).toBe('unsupported_media_type');
  });

  it('replays a retried request with the same Idempotency-Key instead of creating twice', async () => {
    const body = { emailAddress: unique('retry') };
    const headers = { ...bearer(acme.token), 'idempotency-key': `kp-${n}` };
    const first = await create(body, headers);
    const again = await create(body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
  });
});

describe('the organisation a KohortPay request acts for', () => {
  it('is the key’s own; a key for several must name one in X-Organisation-Id (400 without, 403 for another)', async () => {
    const both = await t.key(['ACME', 'OTHER']);
    const email = unique('orgs');
    const none = await create({ emailAddress: email }, bearer(both.token));
    expect(none.status).toBe(400);
    expect(assertContract(kohortPayError, await none.json()).error.code).toBe('organisation_required');
    const foreign = await create({ emailAddress: email }, { ...bearer(both.token), 'x-organisation-id': 'THIRD' });
    expect(foreign.status).toBe(403);
    const mine = await create({ emailAddress: email }, { ...bearer(both.token), 'x-organisation-id': 'OTHER' });
    expect(mine.status).toBe(201);
    const created = (await mine.json()) as { id: string; organizationId: string };
    expect(created.organizationId).toBe('org_OTHER');
    // A one-organisation key naming another is refused too.
    const acmeNamingOther = await read(created.id, { ...bearer(acme.token), 'x-organisation-id': 'OTHER' });
    expect(acmeNamingOther.status).toBe(403);
    // The same email is free in another organisation, and each reads only its own.
    expect((await create({ emailAddress: email })).status).toBe(201);
    expect((await read(created.id)).status).toBe(404);
    expect((await read(created.id, { ...bearer(both.token), 'x-organisation-id': 'OTHER' })).status).toBe(200);
  });
});

describe('GET /compat/kohortpay/customers/{id}', () => {
  it('answers the document the create answered', async () => {
    const created = await (await create({ ...seed.request, emailAddress: unique() })).json();
    const res = await read((created as { id: string }).id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(created);
  });

  it('answers 404 in its error shape for an unknown or impossible id', async () => {
    for (const id of [`cus_${'0'.repeat(32)}`, 'cus_123', `cust_${'0'.repeat(32)}`, `${'0'.repeat(32)}`]) {
      const res = await read(id);
      expect(res.status, id).toBe(404);
      expect(assertContract(kohortPayError, await res.json()).error.code).toBe('not_found');
    }
  });
});
