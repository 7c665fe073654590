// The native customer routes after the create (GET /customers/{id}, GET /customers, PATCH and
// DELETE /customers/{id}) over real HTTP: the local server with the real handler modules, on a
// table of its own. Erasure is checked against the table itself (a Scan of every item).
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../functions/store/codec.ts';
import { createCustomerCorporation } from '../../openapi/seeds.ts';
import {
  assertContract,
  customerListResponse,
  customerReadResponse,
  customerResponse,
  customerUpdateResponse,
  problemResponse,
} from '../support/contract.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

type Token = string;
type Data = ReturnType<typeof assertContract<typeof customerResponse>>['data'];

let t: TestServer;
/** Keys of one organisation each (A, B), and of both. */
let keyA: Token;
let keyB: Token;
let keyAB: Token;
const A = 'life_a';
const B = 'life_b';

beforeAll(async () => {
  t = await startTestServer('customer-lifecycle');
  [keyA, keyB, keyAB] = await Promise.all([
    t.key([A]).then((key) => key.token),
    t.key([B]).then((key) => key.token),
    t.key([A, B]).then((key) => key.token),
  ]);
});
afterAll(() => t?.close());

let n = 0;
const unique = (name = 'buyer') => `${name}.${Date.now().toString(36)}.${++n}@example.com`;
const withQuery = (path: string, query: Record<string, string> = {}) => {
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
};

/** The contract page's address: every member set. */
const ADDRESS = createCustomerCorporation.request.shipping_address;

async function create(token: Token, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await t.request('POST', '/customers', { body, headers: { ...bearer(token), ...headers } });
  return { res, body: await res.json() };
}

/** A new customer of `org` (201 checked), with a unique email unless the body says otherwise. */
async function customerOf(token: Token, org: string, body: Record<string, unknown> = {}): Promise<Data> {
  const { res, body: answer } = await create(token, {
    corporation_id: org,
    name: 'Jane Buyer',
    email: unique(),
    ...body,
  });
  expect(res.status, JSON.stringify(answer)).toBe(201);
  return assertContract(customerResponse, answer).data;
}

const read = (token: Token, id: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  t.request('GET', withQuery(`/customers/${id}`, query), { headers: { ...bearer(token), ...headers } });

/** The customer as GET /customers/{id} answers it (200 checked). */
async function stored(
  token: Token,
  id: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const res = await read(token, id, query, headers);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return assertContract(customerReadResponse, body).data;
}

const list = (token: Token, query: Record<string, string> = {}) =>
  t.request('GET', withQuery('/customers', query), { headers: bearer(token) });

const patch = (
  token: Token,
  id: string,
  body: unknown,
  { query = {}, headers = {} }: { query?: Record<string, string>; headers?: Record<string, string> } = {},
) =>
  t.request('PATCH', withQuery(`/customers/${id}`, query), {
    body,
    headers: { ...bearer(token), 'content-type': 'application/merge-patch+json', ...headers },
  });

const erase = (
  token: Token,
  id: string,
  { query = {}, headers = {} }: { query?: Record<string, string>; headers?: Record<string, string> } = {},
) => t.request('DELETE', withQuery(`/customers/${id}`, query), { headers: { ...bearer(token), ...headers } });

async function problem(res: Response, status: number, type: string) {
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  assertContract(problemResponse, body);
  expect(body.type).toBe(`/problems/${type}`);
  return body;
}

/** Every page of a listing, following next_cursor; each page's size checked against `limit`. */
async function allPages(token: Token, query: Record<string, string>, limit: number) {
  const pages: Data[][] = [];
  let cursor: string | null = null;
  do {
    const res = await list(token, { ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const body = assertContract(customerListResponse, await res.json());
    expect(res.status).toBe(200);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    pages.push(body.data);
    cursor = body.next_cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return pages;
}

/** Every item of the table, as DynamoDB holds it. */
async function scanTable(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await t.table.store.doc.send(
      new ScanCommand({ TableName: t.table.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The items in which `text` occurs anywhere (keys, attributes, stored answers), case-insensitively. */
const holding = (items: readonly Item[], text: string) =>
  items.filter((item) => JSON.stringify(item).toLowerCase().includes(text.toLowerCase()));

describe('GET /customers/{id}', () => {
  it('reads back exactly what the create answered, at once, as { data, message }', async () => {
    const created = await customerOf(keyA, A, { external_id: 'ext_read', shipping_address: ADDRESS });
    const res = await read(keyA, created.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = assertContract(customerReadResponse, await res.json());
    expect(body.data).toEqual(created);
    // The organisation named explicitly, by query parameter or header: the same answer.
    expect(await stored(keyA, created.id, { corporation_id: A })).toEqual(created);
    expect(await stored(keyAB, created.id, {}, { 'x-organisation-id': A })).toEqual(created);
  });

  it('is 404 for an unknown id and for a path that is not a customer id', async () => {
    const unknown = await problem(await read(keyA, `cust_${'0'.repeat(32)}`), 404, 'not-found');
    expect(unknown.detail).toContain(`cust_${'0'.repeat(32)}`);
    await problem(await read(keyA, 'cus_0123456789abcdef0123456789abcdef'), 404, 'not-found');
    await problem(await read(keyA, 'cust_XYZ'), 404, 'not-found');
  });

  it("keeps tenants apart: another organisation's customer is 404 in the key's own, 403 when named", async () => {
    const theirs = await customerOf(keyB, B);
    const ours = await problem(await read(keyA, theirs.id, { corporation_id: A }), 404, 'not-found');
    // Word for word what an id nobody has gets: nothing tells the two apart.
    const nobody = await problem(await read(keyA, `cust_${'f'.repeat(32)}`, { corporation_id: A }), 404, 'not-found');
    expect(ours.detail).toBe(String(nobody.detail).replace('f'.repeat(32), theirs.id.slice(5)));
    await problem(await read(keyA, theirs.id), 404, 'not-found');
    const forbidden = await problem(await read(keyA, theirs.id, { corporation_id: B }), 403, 'forbidden-organisation');
    expect(JSON.stringify(forbidden)).not.toContain(theirs.email!);
    await problem(await read(keyA, theirs.id, {}, { 'x-organisation-id': B }), 403, 'forbidden-organisation');
    // A key of both must say which; it reads B's customer as B.
    await problem(await read(keyAB, theirs.id), 400, 'organisation-required');
    expect((await read(keyAB, theirs.id, { corporation_id: B })).status).toBe(200);
    expect((await read(keyAB, theirs.id, { corporation_id: A })).status).toBe(404);
  });

  it('takes no query parameter but corporation_id, and no request without a key', async () => {
    const created = await customerOf(keyA, A);
    const body = await problem(await read(keyA, created.id, { expand: 'all' }), 400, 'invalid-query');
    expect(body.parameter).toBe('expand');
    expect(body.detail).toBe('The query parameter expand is not a parameter this route takes.');
    const res = await t.request('GET', `/customers/${created.id}`);
    await problem(res, 401, 'unauthenticated');
  });
});

describe('GET /customers', () => {
  it('pages with limit and cursor: every customer once, none missed, each page at most the limit', async () => {
    const org = 'life_pages';
    const key = (await t.key([org])).token;
    const ids: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const made = await Promise.all(Array.from({ length: 9 }, () => customerOf(key, org)));
      ids.push(...made.map((customer) => customer.id));
    }
    for (const limit of [1, 4, 10, 27, 100]) {
      const pages = await allPages(key, {}, limit);
      const listed = pages.flat().map((customer) => customer.id);
      expect(new Set(listed).size, `limit ${limit}: no duplicates`).toBe(listed.length);
      expect([...listed].sort(), `limit ${limit}: none missed`).toEqual([...ids].sort());
      // Full pages until the last customer.
      for (const page of pages.slice(0, Math.floor(ids.length / limit))) expect(page).toHaveLength(limit);
    }
    // Oldest first, the same order whatever the page size.
    const one = (await allPages(key, {}, 1)).flat().map((customer) => customer.id);
    expect((await allPages(key, {}, 10)).flat().map((customer) => customer.id)).toEqual(one);
    const createdAt = (await allPages(key, {}, 100)).flat().map((customer) => customer.created_at);
    expect(createdAt).toEqual([...createdAt].sort((a, b) => a - b));
  });

  it('answers 25 by default, the listed customers as the create shows them', async () => {
    const org = 'life_default';
    const key = (await t.key([org])).token;
    const made = await Promise.all(
      Array.from({ length: 26 }, (_, i) => customerOf(key, org, { external_id: `x${i}` })),
    );
    const body = assertContract(customerListResponse, await (await list(key)).json());
    expect(body.data).toHaveLength(25);
    expect(body.next_cursor).not.toBeNull();
    const byId = new Map(made.map((customer) => [customer.id, customer]));
    for (const customer of body.data) expect(customer).toEqual(byId.get(customer.id));
    const rest = assertContract(customerListResponse, await (await list(key, { cursor: body.next_cursor! })).json());
    expect(rest.data).toHaveLength(1);
    expect(rest.next_cursor).toBeNull();
    // An organisation without customers: an empty page, no cursor.
    const empty = assertContract(
      customerListResponse,
      await (await list(keyA, { corporation_id: A, email: unique() })).json(),
    );
    expect(empty).toEqual({ data: [], next_cursor: null, message: 'Successfully retrieved customers.' });
  });

  it('filters by external_id (paging through the matches), by email and by source_platform', async () => {
    const org = 'life_filters';
    const key = (await t.key([org])).token;
    const shopKey = (await t.key([org], { platform: 'shopify' })).token;
    const shared = await Promise.all([1, 2, 3].map(() => customerOf(key, org, { external_id: 'ext_shared' })));
    const other = await customerOf(key, org, { external_id: 'ext_other' });
    const shop = await Promise.all([1, 2].map(() => customerOf(shopKey, org, { external_id: 'ext_shop' })));

    const byExternal = (await allPages(key, { external_id: 'ext_shared' }, 2)).flat();
    expect(byExternal.map((c) => c.id).sort()).toEqual(shared.map((c) => c.id).sort());
    expect((await allPages(key, { external_id: ' ext_other ' }, 25)).flat()).toEqual([other]);
    expect((await allPages(key, { external_id: 'ext_nobody' }, 25)).flat()).toEqual([]);

    const byPlatform = (await allPages(key, { source_platform: 'shopify' }, 1)).flat();
    expect(byPlatform.map((c) => c.id).sort()).toEqual(shop.map((c) => c.id).sort());
    expect(byPlatform.every((c) => c.source_platform === 'shopify')).toBe(true);
    // Filters combine.
    expect((await allPages(key, { source_platform: 'shopify', external_id: 'ext_shared' }, 25)).flat()).toEqual([]);

    // By email: as stored (any case), at most one, no cursor.
    const res = await list(key, { email: other.email!.toUpperCase() });
    expect(assertContract(customerListResponse, await res.json())).toEqual({
      data: [other],
      next_cursor: null,
      message: 'Successfully retrieved customers.',
    });
    expect((await allPages(key, { email: other.email!, external_id: 'ext_shared' }, 25)).flat()).toEqual([]);
    // Another organisation's customer is not found by its email.
    expect((await allPages(keyA, { email: other.email! }, 25)).flat()).toEqual([]);
    await problem(await list(key, { email: 'not an email' }), 400, 'invalid-query');
    await problem(await list(key, { external_id: '' }), 400, 'invalid-query');
  });

  it('refuses a tampered cursor, or one issued for other filters or another organisation (400)', async () => {
    const org = 'life_cursors';
    const key = (await t.key([org, A])).token;
    await Promise.all([1, 2, 3].map(() => customerOf(key, org, { external_id: 'ext_c' })));
    await Promise.all([1, 2].map(() => customerOf(key, A, { external_id: 'ext_c' })));
    const first = assertContract(
      customerListResponse,
      await (await list(key, { corporation_id: org, external_id: 'ext_c', limit: '1' })).json(),
    );
    const cursor = first.next_cursor!;
    expect(cursor).toBeTruthy();
    // The cursor works for its own query...
    const next = await list(key, { corporation_id: org, external_id: 'ext_c', limit: '1', cursor });
    expect(next.status).toBe(200);
    // ...whatever the page size, but not for another one.
    expect((await list(key, { corporation_id: org, external_id: 'ext_c', limit: '5', cursor })).status).toBe(200);
    const refused: Record<string, string>[] = [
      { corporation_id: org, external_id: 'ext_d', cursor },
      { corporation_id: org, cursor },
      { corporation_id: org, external_id: 'ext_c', source_platform: 'shopify', cursor },
      { corporation_id: A, external_id: 'ext_c', cursor },
      {
        corporation_id: org,
        external_id: 'ext_c',
        cursor: `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`,
      },
      { corporation_id: org, external_id: 'ext_c', cursor: `${cursor}x` },
      { corporation_id: org, external_id: 'ext_c', cursor: 'not-a-cursor' },
    ];
    for (const query of refused) {
      const body = await problem(await list(key, query), 400, 'invalid-cursor');
      expect(JSON.stringify(body)).not.toContain('cust_');
    }
    // A key of another organisation presenting the cursor for its own.
    const body = await problem(await list(keyB, { external_id: 'ext_c', cursor }), 400, 'invalid-cursor');
    expect(body.status).toBe(400);
    // Naming the cursor's organisation without covering it: 403 before the cursor is looked at.
    await problem(
      await list(keyB, { corporation_id: org, external_id: 'ext_c', cursor }),
      403,
      'forbidden-organisation',
    );
  });

  it('refuses a limit outside 1 to 100, an unknown parameter, and an organisation outside the key', async () => {
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '', '1000', '5,6']) {
      const body = await problem(await list(keyA, { limit }), 400, 'invalid-query');
      expect(body.parameter, limit).toBe('limit');
      expect(body.detail).toBe('The query parameter limit must be a whole number from 1 to 100.');
    }
    for (const limit of ['1', '100', '025']) expect((await list(keyA, { limit })).status, limit).toBe(200);
    const unknown = await problem(await list(keyA, { page: '2' }), 400, 'invalid-query');
    expect(unknown.parameter).toBe('page');
    await problem(await list(keyA, { corporation_id: B }), 403, 'forbidden-organisation');
    await problem(await list(keyAB), 400, 'organisation-required');
  });
});

describe('PATCH /customers/{id}', () => {
  it('merges: absent members stay, null clears a field, an address merges member by member or is cleared whole', async () => {
    const created = await customerOf(keyA, A, { external_id: 'ext_1', shipping_address: ADDRESS });
    const step = async (body: unknown, contentType = 'application/merge-patch+json') => {
      const res = await patch(keyA, created.id, body, { headers: { 'content-type': contentType } });
      const answer = await res.json();
      expect(res.status, JSON.stringify(answer)).toBe(200);
      const { data } = assertContract(customerUpdateResponse, answer);
      // What the answer says is what is stored.
      expect(await stored(keyA, created.id)).toEqual(data);
      return data;
    };

    const moved = await step({ shipping_address: { line2: null, city: 'Oakland' } });
    expect(moved).toEqual({ ...created, shipping_address: { ...ADDRESS, line2: null, city: 'Oakland' } });

    const renamed = await step({ name: '  Jane Doe ', external_id: null }, 'application/json');
    expect(renamed).toEqual({ ...moved, name: 'Jane Doe', external_id: null });

    // "" is null in optional fields, as on create; a country is a code.
    const blanked = await step({ shipping_address: { state: '', country: 'ca' } });
    expect(blanked.shipping_address).toEqual({ ...moved.shipping_address, state: null, country: 'CA' });

    const cleared = await step({ shipping_address: null });
    expect(cleared).toEqual({ ...renamed, shipping_address: null });

    const fresh = await step({ shipping_address: { city: 'Leeds' } });
    expect(fresh.shipping_address).toEqual({
      line1: null,
      line2: null,
      city: 'Leeds',
      state: null,
      postal_code: null,
      country: null,
    });

    // An empty patch changes nothing the contract shows.
    expect(await step({})).toEqual(fresh);
    expect(fresh.id).toBe(created.id);
    expect(fresh.created_at).toBe(created.created_at);
  });

  it('keeps the create rules: the name required (3 to 200), a valid email, a JSON object', async () => {
    const created = await customerOf(keyA, A);
    const invalid = async (body: unknown, pointer: string) => {
      const problemBody = await problem(await patch(keyA, created.id, body), 422, 'validation-failed');
      expect(problemBody.errors).toEqual([expect.objectContaining({ pointer })]);
    };
    await invalid({ name: null }, '/name');
    await invalid({ name: ' ab ' }, '/name');
    await invalid({ name: 'x'.repeat(201) }, '/name');
    await invalid({ email: 'nobody' }, '/email');
    await invalid({ external_id: 'x'.repeat(256) }, '/external_id');
    await invalid({ shipping_address: { country: 'XX' } }, '/shipping_address/country');
    await invalid({ shipping_address: 'Leeds' }, '/shipping_address');
    await invalid([{ op: 'replace', path: '/name', value: 'JSON Patch' }], '');
    expect(await stored(keyA, created.id)).toEqual(created);
  });

  it("takes corporation_id only as the customer's own (422 otherwise)", async () => {
    const created = await customerOf(keyA, A);
    const same = await patch(keyA, created.id, { corporation_id: A, name: 'Same Corp' });
    expect(same.status).toBe(200);
    const moved = await problem(
      await patch(keyA, created.id, { corporation_id: B, name: 'Moved' }),
      422,
      'validation-failed',
    );
    expect(moved.errors).toEqual([
      { pointer: '/corporation_id', detail: `must be the customer's own corporation, ${A}` },
    ]);
    expect((await stored(keyA, created.id)).name).toBe('Same Corp');
  });

  it("is 404 for an unknown id or another organisation's customer, 403 for an organisation outside the key", async () => {
    const theirs = await customerOf(keyB, B);
    await problem(await patch(keyA, `cust_${'0'.repeat(32)}`, { name: 'Nobody' }), 404, 'not-found');
    await problem(
      await patch(keyA, theirs.id, { name: 'Hijacked' }, { query: { corporation_id: A } }),
      404,
      'not-found',
    );
    await problem(
      await patch(keyA, theirs.id, { name: 'Hijacked' }, { query: { corporation_id: B } }),
      403,
      'forbidden-organisation',
    );
    expect(await stored(keyB, theirs.id)).toEqual(theirs);
  });

  it('changes the email: the old address is free again, the new one taken (409 naming the customer)', async () => {
    const [first, second] = [unique('first'), unique('second')];
    const one = await customerOf(keyA, A, { email: first });
    const two = await customerOf(keyA, A, { email: second });
    const next = unique('next');

    const changed = await patch(keyA, one.id, { email: `  ${next.toUpperCase()} ` });
    expect(changed.status).toBe(200);
    expect(assertContract(customerUpdateResponse, await changed.json()).data).toMatchObject({
      id: one.id,
      email: next,
    });
    expect((await allPages(keyA, { email: next }, 25)).flat().map((c) => c.id)).toEqual([one.id]);
    expect((await allPages(keyA, { email: first }, 25)).flat()).toEqual([]);

    // The new address is taken: by create and by another customer's patch, each 409 naming it.
    const { res: dup, body: dupBody } = await create(keyA, { corporation_id: A, name: 'Copy Cat', email: next });
    expect(dup.status).toBe(409);
    expect(dupBody).toMatchObject({ type: '/problems/duplicate-customer', customer_id: one.id });
    const taken = await problem(
      await patch(keyA, two.id, { email: next, name: 'Not Applied' }),
      409,
      'duplicate-customer',
    );
    expect(taken).toMatchObject({
      customer_id: one.id,
      detail: `A customer with this email already exists in corporation ${A}: ${one.id}.`,
    });
    expect(await stored(keyA, two.id)).toEqual(two);

    // The old address is free: a new customer takes it.
    const again = await customerOf(keyA, A, { email: first });
    expect(again.id).not.toBe(one.id);

    // Null clears the email; the customer stays, by id, and its former address is free.
    const cleared = await patch(keyA, one.id, { email: null });
    expect(assertContract(customerUpdateResponse, await cleared.json()).data).toMatchObject({
      id: one.id,
      email: null,
    });
    expect((await read(keyA, one.id)).status).toBe(200);
    expect((await patch(keyA, two.id, { email: next })).status).toBe(200);
    // And a customer without an email may be given one.
    const given = await patch(keyA, one.id, { email: unique('given') });
    expect(given.status).toBe(200);
    expect((await stored(keyA, one.id)).email).toMatch(/^given\./);
  });

  it('gives one address to one customer when two patches race for it', async () => {
    const [x, y] = await Promise.all([customerOf(keyA, A), customerOf(keyA, A)]);
    const wanted = unique('contested');
    const answers = await Promise.all([patch(keyA, x.id, { email: wanted }), patch(keyA, y.id, { email: wanted })]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    const owners = (await allPages(keyA, { email: wanted }, 25)).flat();
    expect(owners).toHaveLength(1);
    const loser = owners[0]!.id === x.id ? y : x;
    expect((await stored(keyA, loser.id)).email).toBe(loser.email);
  });

  it('replays an answer for a repeated Idempotency-Key instead of applying the patch again', async () => {
    const created = await customerOf(keyA, A);
    const key = { 'idempotency-key': `patch-${created.id}` };
    const first = await patch(keyA, created.id, { name: 'First Change' }, { headers: key });
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    // Changed in between, without a key.
    expect((await patch(keyA, created.id, { name: 'Second Change' })).status).toBe(200);
    const replayed = await patch(keyA, created.id, { name: 'First Change' }, { headers: key });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await replayed.json()).toEqual(firstBody);
    expect((await stored(keyA, created.id)).name).toBe('Second Change');
    // The same key for another patch is refused.
    await problem(
      await patch(keyA, created.id, { name: 'Third Change' }, { headers: key }),
      422,
      'idempotency-key-reused',
    );
  });
});

describe('DELETE /customers/{id}', () => {
  it('answers 204, then the customer is 404 everywhere, and a second DELETE is 404', async () => {
    const created = await customerOf(keyA, A, { external_id: 'ext_erased' });
    const res = await erase(keyA, created.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await problem(await read(keyA, created.id), 404, 'not-found');
    await problem(await patch(keyA, created.id, { name: 'Revived' }), 404, 'not-found');
    await problem(await erase(keyA, created.id), 404, 'not-found');
    expect((await allPages(keyA, { external_id: 'ext_erased' }, 25)).flat()).toEqual([]);
    expect((await allPages(keyA, { email: created.email! }, 25)).flat()).toEqual([]);
  });

  it("does not erase another organisation's customer: 404 in the key's own, 403 when named", async () => {
    const theirs = await customerOf(keyB, B);
    await problem(await erase(keyA, theirs.id), 404, 'not-found');
    await problem(await erase(keyA, theirs.id, { query: { corporation_id: A } }), 404, 'not-found');
    await problem(await erase(keyA, theirs.id, { query: { corporation_id: B } }), 403, 'forbidden-organisation');
    expect(await stored(keyB, theirs.id)).toEqual(theirs);
  });

  it('leaves the email nowhere in the table, stored answers included; the email may then register a new customer', async () => {
    const email = unique('erased');
    const changedEmail = unique('erased-changed');
    const name = `Erin ${Date.now().toString(36)}`;
    const street = `${Date.now().toString(36)} Forget Me Lane`;
    const { res, body } = await create(
      keyA,
      { corporation_id: A, name, email, shipping_address: { line1: street, city: 'Leeds' } },
      { 'idempotency-key': `create-${email}` },
    );
    expect(res.status).toBe(201);
    const { data: created } = assertContract(customerResponse, body);
    const patched = await patch(
      keyA,
      created.id,
      { external_id: 'ext_forget' },
      { headers: { 'idempotency-key': `patch-${email}` } },
    );
    expect(patched.status).toBe(200);
    const moved = await patch(
      keyA,
      created.id,
      { email: changedEmail },
      { headers: { 'idempotency-key': `move-${email}` } },
    );
    expect(moved.status).toBe(200);

    // Before: the stored answers hold the personal data (so the scan below can find it).
    const before = await scanTable();
    expect(holding(before, email).some((item) => item.entity === 'idempotency')).toBe(true);
    expect(holding(before, changedEmail).length).toBeGreaterThan(0);
    expect(holding(before, street).length).toBeGreaterThan(0);

    const erased = await erase(keyA, created.id, { headers: { 'idempotency-key': `erase-${email}` } });
    expect(erased.status).toBe(204);

    const after = await scanTable();
    for (const text of [email, changedEmail, name, street]) expect(holding(after, text), text).toEqual([]);
    // A tombstone keeps the id, without personal data.
    const tombstones = after.filter((item) => item.id === created.id);
    expect(tombstones).toEqual([expect.objectContaining({ entity: 'customer-erased', corporation_id: A })]);
    expect(Object.keys(tombstones[0]!)).not.toEqual(expect.arrayContaining(['email']));
    for (const field of ['email', 'name', 'shipping_address', 'external_id'])
      expect(tombstones[0]).not.toHaveProperty(field);

    // The replayed DELETE is still a 204; the create's key, its answer forgotten, runs anew.
    const again = await erase(keyA, created.id, { headers: { 'idempotency-key': `erase-${email}` } });
    expect(again.status).toBe(204);
    const recreated = await customerOf(keyA, A, { email });
    expect(recreated.id).not.toBe(created.id);
    expect(recreated.email).toBe(email);
    const movedAgain = await customerOf(keyA, A, { email: changedEmail });
    expect(movedAgain.id).not.toBe(created.id);
    await problem(await read(keyA, created.id), 404, 'not-found');
  });

  it('forgets a stored create answer: its Idempotency-Key then runs anew instead of replaying the erased customer', async () => {
    const email = unique('replay');
    const body = { corporation_id: A, name: 'Replay Me', email };
    const headers = { 'idempotency-key': `replay-${email}` };
    const first = await create(keyA, body, headers);
    expect(first.res.status).toBe(201);
    const { id } = assertContract(customerResponse, first.body).data;
    const replay = await create(keyA, body, headers);
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect((await erase(keyA, id)).status).toBe(204);
    const after = await create(keyA, body, headers);
    expect(after.res.status).toBe(201);
    expect(after.res.headers.get('idempotent-replayed')).toBeNull();
    expect(assertContract(customerResponse, after.body).data.id).not.toBe(id);
  });
});
