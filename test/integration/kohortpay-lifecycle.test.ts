// KohortPay's routes after the create (GET /customers, PATCH and DELETE /customers/{id}, under
// /compat/kohortpay) over real HTTP: the local server with the real handler modules, on a table of
// its own. Erasure is checked against the table itself (a Scan of every item).
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Address, getCustomerById } from '../../functions/customers/customers.ts';
import { storedId } from '../../functions/customers/ids.ts';
import { countryOf } from '../../functions/schema/fields.ts';
import { customerKey } from '../../functions/store/keys.ts';
import { getItem } from '../../functions/store/read.ts';
import { kohortPayCreateCustomer as seed } from '../../openapi/seeds.ts';
import { storedText } from '../property/bodies.ts';
import { sentValue, validKohortPay, validKohortPayPatch } from '../property/dialect-bodies.ts';
import {
  assertContract,
  kohortPayCustomer,
  kohortPayCustomerList,
  kohortPayErasedCustomer,
  kohortPayError,
} from '../support/contract.ts';
import { httpEvent, invoke, partner } from '../support/events.ts';
import { kohortPayCustomerHandler, kohortPayRoutesHandlers } from '../support/handlers.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

type Document = ReturnType<typeof assertContract<typeof kohortPayCustomer>>;

let t: TestServer;
let acme: { id: string; token: string };
let other: { id: string; token: string };
beforeAll(async () => {
  t = await startTestServer('kohortpay-lifecycle');
  [acme, other] = await Promise.all([t.key(['ACME']), t.key(['OTHER'])]);
});
afterAll(() => t?.close());

const BASE = '/compat/kohortpay/customers';
/** KohortPay's list page (https://api-docs.kohortpay.com/customers/list-customers): its answer's members. */
const LIST_PAGE_RESPONSE = { data: [seed.response], count: 123 };

let n = 0;
const unique = (name = 'buyer') => `${name}.${Date.now().toString(36)}.${++n}@example.com`;
const unknownId = () => `cus_${randomBytes(16).toString('hex')}`;

const headersOf = (token: string, extra: Record<string, string> = {}) => ({ ...bearer(token), ...extra });

async function call(method: string, path: string, token: string, body?: unknown, extra?: Record<string, string>) {
  const res = await t.request(method, path, { body, headers: headersOf(token, extra) });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests walk answers; their shapes are checked by assertContract
  return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : undefined) as any };
}

const list = (query: Record<string, string> = {}, token = acme.token) =>
  call('GET', `${BASE}?${new URLSearchParams(query)}`, token);
const patch = (id: string, body: unknown, token = acme.token, extra?: Record<string, string>) =>
  call('PATCH', `${BASE}/${id}`, token, body, extra);
const erase = (id: string, token = acme.token, extra?: Record<string, string>) =>
  call('DELETE', `${BASE}/${id}`, token, undefined, extra);
const read = (id: string, token = acme.token) => call('GET', `${BASE}/${id}`, token);

/** A new KohortPay customer (201 checked), with a unique email unless the body names one. */
async function customer(body: Record<string, unknown> = {}, token = acme.token): Promise<Document> {
  const res = await call('POST', BASE, token, { emailAddress: unique(), ...body });
  expect(res.status).toBe(201);
  return assertContract(kohortPayCustomer, res.json);
}

/** A key for an organisation of its own, so counts and pages hold only this test's customers. */
async function freshOrganisation(label: string) {
  const org = `KP_${label}_${randomBytes(4).toString('hex')}`;
  return { org, token: (await t.key([org])).token };
}

/** Creates `count` customers, ten at a time; answers them in creation order as answered. */
async function many(count: number, token: string): Promise<Document[]> {
  const created: Document[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, () => customer({}, token));
    created.push(...(await Promise.all(batch)));
  }
  return created;
}

/** Every customer, page by page (`take` each) in `orderBy`, with the count each page gave. */
async function everyPage(token: string, take: number, orderBy?: string) {
  const ids: string[] = [];
  const counts = new Set<number>();
  for (let skip = 0; ; skip += take) {
    const res = await list({ take: String(take), skip: String(skip), ...(orderBy ? { orderBy } : {}) }, token);
    expect(res.status).toBe(200);
    const page = assertContract(kohortPayCustomerList, res.json);
    expect(page.data.length).toBeLessThanOrEqual(take);
    ids.push(...page.data.map((c) => c.id));
    counts.add(page.count);
    if (page.data.length < take) return { ids, counts };
    expect(skip).toBeLessThan(1000);
  }
}

/** The customer's stored record (by its email). */
const stored = (email: string, org = 'ACME') => getItem(t.table.store, customerKey(org, { email }));

/** Every item of the table, as DynamoDB holds it, as JSON text. */
async function tableText(): Promise<string> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await t.table.store.doc.send(
      new ScanCommand({ TableName: t.table.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return JSON.stringify(items).toLowerCase();
}

function expectKohortPayError(res: { status: number; json: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = assertContract(kohortPayError, res.json);
  expect(body.error.code).toBe(code);
  expect(body.error.type).toBe('invalid_request_error');
  return body.error;
}

describe('GET /compat/kohortpay/customers', () => {
  it("answers the page's shape: data (each the customer's own document) and the organisation's count", async () => {
    const { token } = await freshOrganisation('shape');
    const created = await many(3, token);
    const res = await list({}, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const page = assertContract(kohortPayCustomerList, res.json);
    expect(Object.keys(page).sort()).toEqual(Object.keys(LIST_PAGE_RESPONSE).sort());
    expect(Object.keys(page.data[0] ?? {}).sort()).toEqual(Object.keys(seed.response).sort());
    expect(page.count).toBe(3);
    // Oldest first by default, each as GET /customers/{id} answers it.
    expect(page.data.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort());
    for (const listed of page.data) expect(listed).toEqual((await read(listed.id, token)).json);
    const times = page.data.map((c) => c.createdAt);
    expect(times).toEqual([...times].sort());
  });

  it('pages through 60 customers with take and skip: each once, none missed, in both orders', async () => {
    const { token } = await freshOrganisation('paging');
    const created = await many(60, token);
    const everyId = created.map((c) => c.id).sort();

    const ascending = await everyPage(token, 25);
    expect(ascending.ids).toHaveLength(60);
    expect(new Set(ascending.ids).size).toBe(60);
    expect([...ascending.ids].sort()).toEqual(everyId);
    expect(ascending.counts).toEqual(new Set([60]));
    const byId = new Map(created.map((c) => [c.id, c.createdAt]));
    const times = ascending.ids.map((id) => byId.get(id) ?? '');
    expect(times).toEqual([...times].sort());

    const explicit = await everyPage(token, 7, 'createdAt:asc');
    expect(explicit.ids).toEqual(ascending.ids);

    const descending = await everyPage(token, 7, 'createdAt:desc');
    expect(descending.ids).toEqual([...ascending.ids].reverse());
    expect(descending.counts).toEqual(new Set([60]));

    // The default take is 25; take=0 answers the count alone.
    expect((await list({}, token)).json.data).toHaveLength(25);
    expect((await list({ take: '0' }, token)).json).toEqual({ data: [], count: 60 });
    expect((await list({ take: '100', skip: '55' }, token)).json.data.map((c: Document) => c.id)).toEqual(
      ascending.ids.slice(55),
    );
  });

  it('finds one customer by its whole email address (any case), with a count of 1 or 0', async () => {
    const target = await customer();
    const found = await list({ search: `  ${target.emailAddress.toUpperCase()} ` });
    expect(found.status).toBe(200);
    expect(assertContract(kohortPayCustomerList, found.json)).toEqual({ data: [target], count: 1 });
    expect((await list({ search: unique('nobody') })).json).toEqual({ data: [], count: 0 });
    expect((await list({ search: target.emailAddress, skip: '1' })).json).toEqual({ data: [], count: 1 });
  });

  it("answers an invalid query 400 in KohortPay's shape, naming the parameter", async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ take: '101' }, 'take', /from 0 to 100/],
      [{ take: '-1' }, 'take', /from 0 to 100/],
      [{ take: 'ten' }, 'take', /from 0 to 100/],
      [{ take: '2.5' }, 'take', /from 0 to 100/],
      [{ skip: '-1' }, 'skip', /0 or more/],
      [{ skip: '1e3' }, 'skip', /0 or more/],
      [{ orderBy: 'email:asc' }, 'orderBy', /createdAt:asc or createdAt:desc/],
      [{ search: 'John~Doe' }, 'search', /whole email address/],
      [{ expand: 'organization' }, 'expand', /not supported/],
      [{ page: '2' }, 'page', /not a parameter/],
    ];
    for (const [query, parameter, detail] of cases) {
      const res = await list(query);
      const error = expectKohortPayError(res, 400, 'invalid_query');
      expect(error.message).toContain(`query parameter ${parameter} `);
      expect(error.message).toMatch(detail);
    }
  });

  it('refuses a window past 10 000 customers (skip + take) with 400, and serves the one that ends there', async () => {
    const error = expectKohortPayError(await list({ skip: '9990', take: '11' }), 400, 'invalid_query');
    expect(error.message).toMatch(/skip plus take must be at most 10000/);
    expectKohortPayError(await list({ skip: '10000' }), 400, 'invalid_query');
    expectKohortPayError(await list({ skip: '99999999999999999999999', take: '1' }), 400, 'invalid_query');
    const deepest = await list({ skip: '9990', take: '10' });
    expect(deepest.status).toBe(200);
    expect(deepest.json.data).toEqual([]);
  });

  it("lists only the caller's organisation", async () => {
    const mine = await customer();
    const theirs = await customer({}, other.token);
    const ids = (await everyPage(other.token, 100)).ids;
    expect(ids).toContain(theirs.id);
    expect(ids).not.toContain(mine.id);
    expect((await list({ search: mine.emailAddress }, other.token)).json).toEqual({ data: [], count: 0 });
  });
});

describe('PATCH /compat/kohortpay/customers/{id}', () => {
  it('changes only the members sent: an address merges field by field onto the stored one', async () => {
    const email = unique();
    const before = await customer({ ...seed.request, emailAddress: email });
    const res = await patch(before.id, { address: { city: 'Chicago', postalCode: null }, firstName: 'Jack' });
    expect(res.status).toBe(200);
    const after = assertContract(kohortPayCustomer, res.json);
    expect(after).toEqual({
      ...before,
      firstName: 'Jack',
      updatedAt: after.updatedAt,
      updatedBy: acme.id,
    });
    expect(after.updatedAt > before.updatedAt).toBe(true);
    expect((await read(before.id)).json).toEqual(after);
    const item = await stored(email);
    expect(item?.billing_address).toEqual({
      id: before.addressId,
      line1: '123 Main St',
      city: 'Chicago',
      state: 'IL',
      country: 'US',
    });
    // Unchanged: the other address, the locale, the reference; the native name follows the names.
    expect(item).toMatchObject({
      name: 'Jack Doe',
      locale: 'fr_FR',
      external_id: 'myclientid-1234',
      shipping_address: { line1: 'Avenue des Champs-Élysées', country_name: 'France' },
    });
  });

  it('clears with null (names, phone, an address, metadata, locale) and replaces metadata as a whole', async () => {
    const email = unique();
    const before = await customer({ ...seed.request, emailAddress: email, metadata: { a: 1, b: { c: 2 } } });
    const replaced = await patch(before.id, { metadata: { b: 'x' }, shippingAddress: { country: 'de' } });
    expect(replaced.status).toBe(200);
    expect(replaced.json.metadata).toEqual({ b: 'x' });
    expect(replaced.json.shippingAddressId).toBe(before.shippingAddressId);
    expect((await stored(email))?.shipping_address).toMatchObject({ country: 'DE', city: 'Paris' });
    expect((await stored(email))?.shipping_address).not.toHaveProperty('country_name');

    const cleared = await patch(before.id, {
      firstName: null,
      lastName: null,
      phoneNumber: null,
      shippingAddress: null,
      metadata: null,
      locale: null,
      clientReferenceId: '',
      deletedAt: null,
    });
    expect(cleared.status).toBe(200);
    expect(assertContract(kohortPayCustomer, cleared.json)).toMatchObject({
      emailAddress: email,
      firstName: null,
      lastName: null,
      phoneNumber: null,
      shippingAddressId: null,
      addressId: before.addressId,
      metadata: null,
    });
    const item = await stored(email);
    for (const attribute of ['name', 'shipping_address', 'metadata', 'locale', 'external_id']) {
      expect(item?.[attribute] ?? null).toBeNull();
    }
    // An empty patch changes nothing but the update stamp.
    const empty = await patch(before.id, {});
    expect(empty.status).toBe(200);
    expect({ ...empty.json, updatedAt: null }).toEqual({ ...cleared.json, updatedAt: null });
  });

  it('moves the customer to a new email address: the old one is free again, the id stays', async () => {
    const old = unique('old');
    const before = await customer({ emailAddress: old });
    const fresh = unique('new');
    const res = await patch(before.id, { emailAddress: `  ${fresh.toUpperCase()}` });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: before.id, emailAddress: fresh });
    expect((await read(before.id)).json.emailAddress).toBe(fresh);
    expect((await list({ search: old })).json.count).toBe(0);
    await customer({ emailAddress: old });
  });

  it('answers 409 customer_already_exists, naming the holder, when the new email is taken; nothing changes', async () => {
    const holder = await customer();
    const mover = await customer({ firstName: 'Mo' });
    const res = await patch(mover.id, { emailAddress: holder.emailAddress.toUpperCase(), firstName: 'Changed' });
    const error = expectKohortPayError(res, 409, 'customer_already_exists');
    expect(error.message).toBe(`A customer with this email address already exists: ${holder.id}.`);
    expect((await read(mover.id)).json).toEqual(mover);
    expect((await read(holder.id)).json).toEqual(holder);
  });

  it("answers an invalid patch 422 in KohortPay's shape; deletedAt may only be null", async () => {
    const target = await customer();
    const res = await patch(target.id, {
      emailAddress: null,
      phoneNumber: '555',
      address: ['x'],
      metadata: 'x',
      deletedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(res.status).toBe(422);
    const error = assertContract(kohortPayError, res.json).error;
    expect(error.code).toBe('validation_failed');
    expect(error.errors?.map((e) => e.pointer).sort()).toEqual(
      ['/address', '/deletedAt', '/emailAddress', '/metadata', '/phoneNumber'].sort(),
    );
    expect(error.errors?.find((e) => e.pointer === '/deletedAt')?.detail).toMatch(/DELETE/);
    expect((await read(target.id)).json).toEqual(target);
  });

  it('answers 404 for an unknown id, a malformed one, and a customer of another organisation', async () => {
    const theirs = await customer({}, other.token);
    for (const id of [unknownId(), 'cus_123', theirs.id.replace('cus_', 'cust_')]) {
      expectKohortPayError(await patch(id, { firstName: 'X' }), 404, 'not_found');
    }
    // ACME's key does not find OTHER's customer, and changes nothing.
    expectKohortPayError(await patch(theirs.id, { firstName: 'X' }), 404, 'not_found');
    expectKohortPayError(await erase(theirs.id), 404, 'not_found');
    expectKohortPayError(await read(theirs.id), 404, 'not_found');
    expect((await read(theirs.id, other.token)).json).toEqual(theirs);
  });

  it('patches a customer created through the native contract, keeping its native name', async () => {
    const email = unique('native');
    const created = await call('POST', '/customers', acme.token, {
      corporation_id: 'ACME',
      name: 'Acme Corporation',
      email,
      shipping_address: { line1: '1 Main St', city: 'Austin', country: 'US' },
    });
    expect(created.status).toBe(201);
    const id = String(created.json.data.id).replace('cust_', 'cus_');
    const listed = await list({ search: email });
    expect(listed.json.data.map((c: Document) => c.id)).toEqual([id]);

    const res = await patch(id, { firstName: 'Ann', shippingAddress: { city: 'Dallas' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, emailAddress: email, firstName: 'Ann' });
    const native = await call('GET', `/customers/${created.json.data.id}`, acme.token);
    expect(native.status).toBe(200);
    expect(native.json.data).toMatchObject({
      name: 'Acme Corporation',
      email,
      shipping_address: { line1: '1 Main St', city: 'Dallas', country: 'US' },
    });
  });

  it('replays a PATCH sent again with its Idempotency-Key, and refuses the key for another body', async () => {
    const target = await customer();
    const key = { 'idempotency-key': `kp-patch-${randomBytes(6).toString('hex')}` };
    const first = await patch(target.id, { metadata: { step: 1 } }, acme.token, key);
    expect(first.status).toBe(200);
    // Changed in between: the replay answers the first outcome without applying the patch again.
    await patch(target.id, { metadata: { step: 2 } });
    const again = await patch(target.id, { metadata: { step: 1 } }, acme.token, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    expect((await read(target.id)).json.metadata).toEqual({ step: 2 });
    expect((await patch(target.id, { metadata: { step: 3 } }, acme.token, key)).status).toBe(422);
  });
});

describe('DELETE /compat/kohortpay/customers/{id}', () => {
  it('erases the customer and answers its document without personal data; afterwards it is not found', async () => {
    const email = unique('erased');
    const before = await customer({ ...seed.request, emailAddress: email });
    const count = (await list({ take: '0' })).json.count;
    const res = await erase(before.id);
    expect(res.status).toBe(200);
    const gone = assertContract(kohortPayErasedCustomer, res.json);
    expect(gone).toMatchObject({
      id: before.id,
      livemode: true,
      organizationId: 'org_ACME',
      createdAt: before.createdAt,
      createdBy: before.createdBy,
      updatedBy: acme.id,
    });
    expect(gone.deletedAt).toBe(gone.updatedAt);
    for (const personal of [email, 'John', 'Doe', '555', 'Springfield', 'Paris', 'ord_1JYLo8KerLxWZaQtys6ZQ1xS']) {
      expect(res.text).not.toContain(personal);
    }

    expectKohortPayError(await read(before.id), 404, 'not_found');
    expectKohortPayError(await patch(before.id, { firstName: 'Back' }), 404, 'not_found');
    expectKohortPayError(await erase(before.id), 404, 'not_found');
    expect((await list({ search: email })).json).toEqual({ data: [], count: 0 });
    expect((await list({ take: '0' })).json.count).toBe(count - 1);
    // The address may be registered again, as a new customer.
    const again = await customer({ emailAddress: email });
    expect(again.id).not.toBe(before.id);
  });

  it('leaves no trace of the email anywhere in the table, stored create and PATCH answers included', async () => {
    const email = unique('forgotten');
    const key = { 'idempotency-key': `kp-forget-${randomBytes(6).toString('hex')}` };
    const createKey = { 'idempotency-key': `${key['idempotency-key']}-create` };
    const created = await call('POST', BASE, acme.token, { emailAddress: email, firstName: 'Forgotten' }, createKey);
    expect(created.status).toBe(201);
    const target = assertContract(kohortPayCustomer, created.json);
    expect((await patch(target.id, { lastName: 'Person' }, acme.token, key)).status).toBe(200);
    expect(await tableText()).toContain(email);
    expect((await erase(target.id)).status).toBe(200);
    expect(await tableText()).not.toContain(email);
    // The PATCH's stored answer went with the customer: its key now runs again, and finds no one.
    expectKohortPayError(await patch(target.id, { lastName: 'Person' }, acme.token, key), 404, 'not_found');
  });

  it('replays a DELETE sent again with its Idempotency-Key', async () => {
    const target = await customer();
    const key = { 'idempotency-key': `kp-delete-${randomBytes(6).toString('hex')}` };
    const first = await erase(target.id, acme.token, key);
    expect(first.status).toBe(200);
    const again = await erase(target.id, acme.token, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it("does not erase another organisation's customer", async () => {
    const theirs = await customer({}, other.token);
    expectKohortPayError(await erase(theirs.id), 404, 'not_found');
    expect((await read(theirs.id, other.token)).status).toBe(200);
    expect((await erase(theirs.id, other.token)).status).toBe(200);
  });
});

// A property, through the handlers in process (many runs): any valid PATCH applied to a customer made
// from any valid create body changes exactly the members it sends, as the create would store them.

/** KohortPay's address members and where each is stored (the country apart: a code, or a name). */
const BILLING = { street: 'line1', city: 'city', state: 'state', postalCode: 'postal_code' } as const;
const SHIPPING = {
  addressLine1: 'line1',
  addressLine2: 'line2',
  city: 'city',
  postalCode: 'postal_code',
  state: 'state',
  companyName: 'company_name',
  vatNumber: 'vat_number',
  registrationNumber: 'registration_number',
} as const;

/** The stored address after merging `sent` (absent: unchanged; null: none) onto `previous`. */
function mergedAddress(previous: Address | null, sent: unknown, members: Record<string, string>) {
  if (sent === undefined) return previous;
  if (sent === null) return null;
  const patch = sent as Record<string, string | null>;
  const next: Record<string, unknown> = previous
    ? { ...previous }
    : {
        id: expect.stringMatching(/^adr_[0-9a-f]{24}$/),
        ...Object.fromEntries(
          [
            'line1',
            'line2',
            'city',
            'state',
            'postal_code',
            'country',
            'country_name',
            'company_name',
            'vat_number',
            'registration_number',
          ].map((name) => [name, null]),
        ),
      };
  for (const [member, stored] of Object.entries(members)) {
    if (member in patch) next[stored] = storedText(patch[member] ?? null);
  }
  return 'country' in patch ? { ...next, ...countryOf(storedText(patch.country ?? null)) } : next;
}

describe('property: a PATCH changes exactly the members it sends', () => {
  it('PATCH /compat/kohortpay/customers/{id}: any valid create body, then any valid patch', async () => {
    const store = t.table.store;
    const create = kohortPayCustomerHandler(store);
    const { update } = kohortPayRoutesHandlers(store);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(validKohortPay(), validKohortPayPatch, async (created, { email, patch }) => {
        // An organisation of its own per run: the patch's email is never another customer's.
        const principal = partner([`KP_PROP_${Date.now().toString(36)}_${++run}`]);
        const org = principal.orgs[0] ?? '';
        const made = await invoke(create, httpEvent({ path: BASE, body: created.body, principal }));
        expect(made.statusCode, made.body).toBe(201);
        const before = made.json as Document;
        const id = storedId(before.id, 'kohortpay') ?? '';
        const was = await getCustomerById(store, org, id);
        const event = httpEvent({
          method: 'PATCH',
          path: `${BASE}/${before.id}`,
          pathParameters: { id: before.id },
          body: patch,
          principal,
        });
        const res = await invoke(update, event);
        expect(res.statusCode, res.body).toBe(200);
        assertContract(kohortPayCustomer, res.json);
        const after = res.json as Document;
        const keyId = /^Bearer (key_[0-9a-f]+)\./.exec(event.headers.authorization ?? '')?.[1];
        const sent = (member: string) => member in patch;
        const text = (member: string, previous: string | null) =>
          sent(member) ? storedText((patch[member] as string | null) ?? null) : previous;
        /** An address id: kept while the address is, a new one for a first address, null once cleared. */
        const addressId = (member: string, previous: string | null, shown: string | null) =>
          !sent(member) ? previous : patch[member] ? (previous ?? shown) : null;
        expect(after).toEqual({
          ...before,
          emailAddress: sent('emailAddress') ? email.stored : before.emailAddress,
          firstName: text('firstName', before.firstName),
          lastName: text('lastName', before.lastName),
          phoneNumber: text('phoneNumber', before.phoneNumber),
          metadata: sent('metadata') ? (patch.metadata ? sentValue(patch.metadata) : null) : before.metadata,
          addressId: addressId('address', before.addressId, after.addressId),
          shippingAddressId: addressId('shippingAddress', before.shippingAddressId, after.shippingAddressId),
          updatedAt: after.updatedAt,
          updatedBy: keyId,
        });
        expect(after.addressId === null).toBe(sent('address') ? !patch.address : before.addressId === null);
        expect(after.updatedAt >= before.updatedAt).toBe(true);
        // What the document does not show: the addresses merged, locale, reference, the native name.
        const now = await getCustomerById(store, org, id);
        expect(now?.billing_address).toEqual(mergedAddress(was?.billing_address ?? null, patch.address, BILLING));
        expect(now?.shipping_address).toEqual(
          mergedAddress(was?.shipping_address ?? null, patch.shippingAddress, SHIPPING),
        );
        expect(now?.locale).toBe(sent('locale') ? patch.locale : was?.locale);
        expect(now?.external_id).toBe(text('clientReferenceId', was?.external_id ?? null));
        expect(now?.name).toBe([now?.first_name, now?.last_name].filter(Boolean).join(' ') || null);
      }),
      { numRuns: 80 },
    );
  });
});
