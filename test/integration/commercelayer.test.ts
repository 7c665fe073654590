// The Commerce Layer dialect (/compat/commercelayer) over real HTTP, byte by byte as its API
// reference has it (commercelayer-client.test.ts drives the same routes with its own clients).
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../functions/auth/api-keys.ts';
import { createTokenSigner } from '../../functions/auth/tokens.ts';
import { verifyPassword } from '../../functions/customers/passwords.ts';
import { customerKey } from '../../functions/store/keys.ts';
import { getItem } from '../../functions/store/read.ts';
import { commerceLayerCreateCustomer as seed } from '../../openapi/seeds.ts';
import {
  accessTokenResponse,
  assertContract,
  commerceLayerCustomer,
  commerceLayerCustomerList,
  commerceLayerErrors,
  customerReadResponse,
} from '../support/contract.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

const JSON_API = 'application/vnd.api+json';
let t: TestServer;
let acme: { id: string; secret: string; token: string };
let accessToken: string;
beforeAll(async () => {
  t = await startTestServer('commercelayer');
  acme = await t.key(['ACME']);
  accessToken = await tokenFor(acme);
});
afterAll(() => t?.close());

let n = 0;
const unique = (name = 'buyer') => `${name}.${Date.now().toString(36)}.${++n}@example.com`;

const tokenRequest = (body: unknown, headers: Record<string, string> = {}) =>
  t.request('POST', '/compat/commercelayer/oauth/token', { body, headers });

async function tokenFor(key: { id: string; secret: string }): Promise<string> {
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const jsonApi = (token: string, more: Record<string, string> = {}) => ({
  ...bearer(token),
  'content-type': JSON_API,
  accept: JSON_API,
  ...more,
});
const create = (body: unknown, headers: Record<string, string> = jsonApi(accessToken)) =>
  t.request('POST', '/compat/commercelayer/api/customers', { body, headers });
const read = (id: string, headers: Record<string, string> = jsonApi(accessToken)) =>
  t.request('GET', `/compat/commercelayer/api/customers/${id}`, { headers });
const document = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  data: { type: 'customers', attributes, ...extra },
});

describe('POST /compat/commercelayer/oauth/token', () => {
  it('trades a key id and secret for a bearer token, from JSON, a form or HTTP Basic', async () => {
    const json = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: acme.id,
      client_secret: acme.secret,
    });
    const form = await t.request('POST', '/compat/commercelayer/oauth/token', {
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: acme.id,
        client_secret: acme.secret,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const basic = await tokenRequest(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${acme.id}:${acme.secret}`).toString('base64')}` },
    );
    for (const res of [json, form, basic]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = assertContract(accessTokenResponse, await res.json());
      expect(body.expires_in).toBe(7200);
      const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({ sub: acme.id, orgs: ['ACME'], mode: 'live', organization: { slug: 'ACME' } });
      expect(claims.exp - claims.iat).toBe(body.expires_in);
      expect(Math.abs(body.created_at - Date.now() / 1000)).toBeLessThan(60);
    }
  });

  it('refuses a wrong secret, an unknown key or no credentials with 401, another grant with 400', async () => {
    const cases = [
      {
        grant_type: 'client_credentials',
        client_id: acme.id,
        client_secret: `${acme.secret.slice(0, -1)}${acme.secret.endsWith('A') ? 'B' : 'A'}`,
      },
      { grant_type: 'client_credentials', client_id: `key_${'0'.repeat(24)}`, client_secret: acme.secret },
      { grant_type: 'client_credentials', client_id: acme.id },
      { grant_type: 'client_credentials' },
    ];
    for (const body of cases) {
      const res = await tokenRequest(body);
      expect(res.status, JSON.stringify(body)).toBe(401);
      const errors = assertContract(commerceLayerErrors, await res.json()).errors;
      expect(errors[0]).toMatchObject({ code: 'UNAUTHORIZED', status: '401' });
    }
    const password = await tokenRequest({ grant_type: 'password', client_id: acme.id, client_secret: acme.secret });
    expect(password.status).toBe(400);
    const twice = await t.request('POST', '/compat/commercelayer/oauth/token', {
      body: `grant_type=client_credentials&client_id=${acme.id}&client_id=${acme.id}&client_secret=${acme.secret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(twice.status).toBe(400);
  });
});

describe('POST /compat/commercelayer/api/customers', () => {
  it("takes the page's example and answers 201 with the page's document: links, eight relationships, meta", async () => {
    const res = await create(seed.request);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe(JSON_API);
    const { data } = assertContract(commerceLayerCustomer, await res.json());
    const self = `${t.server.url}/compat/commercelayer/api/customers/${data.id}`;
    expect(data.links.self).toBe(self);
    expect(Object.keys(data.relationships)).toEqual(seed.relationships);
    expect(data.relationships.orders.links).toEqual({
      self: `${self}/relationships/orders`,
      related: `${self}/orders`,
    });
    expect(data.attributes).toEqual({
      email: 'john@example.com',
      status: 'prospect',
      has_password: false,
      created_at: data.attributes.created_at,
      updated_at: data.attributes.created_at,
      reference: null,
      reference_origin: null,
      metadata: {},
    });
    expect(data.meta).toEqual({ mode: 'live' });
    // The page's members, in its order.
    expect(Object.keys(data)).toEqual(['id', 'type', 'links', 'attributes', 'relationships', 'meta']);
  });

  it('keeps reference, origin, metadata and the customer group; a password only as a slow salted hash', async () => {
    const email = unique('pw');
    const password = 'correct horse battery staple';
    const res = await create(
      document(
        {
          email,
          password,
          reference: 'REF-1',
          reference_origin: 'shop',
          metadata: { foo: 'bar', n: [1, { x: null }] },
        },
        { relationships: { customer_group: { data: { type: 'customer_groups', id: 'grp_1' } } } },
      ),
    );
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(password);
    const { data } = assertContract(commerceLayerCustomer, JSON.parse(text));
    expect(data.attributes).toMatchObject({
      email,
      has_password: true,
      reference: 'REF-1',
      reference_origin: 'shop',
      metadata: { foo: 'bar', n: [1, { x: null }] },
    });
    const item = (await getItem(t.table.store, customerKey('ACME', { email })))!;
    expect(item.customer_group_id).toBe('grp_1');
    expect(JSON.stringify(item)).not.toContain(password);
    expect(item.password_hash).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword(password, String(item.password_hash))).toBe(true);
    expect(await verifyPassword(`${password}!`, String(item.password_hash))).toBe(false);
  });

  it('answers a taken email 422 VALIDATION_ERROR on /data/attributes/email, as Commerce Layer does', async () => {
    const email = unique('taken');
    expect((await create(document({ email }))).status).toBe(201);
    const res = await create(document({ email: email.toUpperCase() }));
    expect(res.status).toBe(422);
    const [error] = assertContract(commerceLayerErrors, await res.json()).errors;
    expect(error).toMatchObject({
      code: 'VALIDATION_ERROR',
      status: '422',
      title: 'has already been taken',
      source: { pointer: '/data/attributes/email' },
    });
  });

  it('answers invalid documents 422 with one error per field and its pointer', async () => {
    const res = await create({ data: { type: 'orders', attributes: { password: 'short', metadata: [] } } });
    expect(res.status).toBe(422);
    const pointers = assertContract(commerceLayerErrors, await res.json()).errors.map((e) => e.source?.pointer);
    expect(pointers.sort()).toEqual(
      ['/data/type', '/data/attributes/email', '/data/attributes/password', '/data/attributes/metadata'].sort(),
    );
  });

  it('takes only application/vnd.api+json (415), answers only it (406), in its error shape', async () => {
    const body = document({ email: unique() });
    for (const type of ['application/json', `${JSON_API}; ext="bulk"`, 'text/plain']) {
      const res = await create(body, jsonApi(accessToken, { 'content-type': type }));
      expect(res.status, type).toBe(415);
      expect(res.headers.get('content-type')).toBe(JSON_API);
      expect(assertContract(commerceLayerErrors, await res.json()).errors[0]!.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    for (const accept of ['application/json', `${JSON_API}; ext="bulk"`, `${JSON_API};q=0, text/html`]) {
      const res = await create(body, jsonApi(accessToken, { accept }));
      expect(res.status, accept).toBe(406);
      expect(assertContract(commerceLayerErrors, await res.json()).errors[0]!.code).toBe('NOT_ACCEPTABLE');
    }
    for (const accept of ['*/*', 'application/*', `text/html, ${JSON_API}`]) {
      expect((await read(`${'0'.repeat(32)}`, jsonApi(accessToken, { accept }))).status, accept).toBe(404);
    }
  });
});

describe('GET /compat/commercelayer/api/customers/{id}', () => {
  it('answers the document the create answered; 404 RECORD_NOT_FOUND for an unknown or impossible id', async () => {
    const created = await (await create(document({ email: unique(), reference: 'R' }))).json();
    const res = await read((created as { data: { id: string } }).data.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(created);
    for (const id of ['0'.repeat(32), 'xYZkjABcde', `cus_${'0'.repeat(32)}`]) {
      const missing = await read(id);
      expect(missing.status, id).toBe(404);
      expect(assertContract(commerceLayerErrors, await missing.json()).errors[0]).toMatchObject({
        code: 'RECORD_NOT_FOUND',
        status: '404',
      });
    }
  });
});

describe('access tokens on the customer routes', () => {
  const secret = process.env.TOKEN_SIGNING_SECRET!;

  it('refuses no token with 401 UNAUTHORIZED; an API key, a forged, a tampered or an expired token with 401 INVALID_TOKEN', async () => {
    const principal = { keyId: acme.id, orgs: ['ACME'], platform: null, mode: 'live' as const };
    const [header, payload, signature] = accessToken.split('.');
    const other = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...other, orgs: ['ACME', 'OTHER'] })).toString('base64url');
    const cases: Record<string, Record<string, string>> = {
      none: { 'content-type': JSON_API },
      'api key': jsonApi(acme.token),
      forged: jsonApi(createTokenSigner('another-secret-another-secret-0123456').issue(principal, new Date()).token),
      tampered: jsonApi(`${header}.${widened}.${signature}`),
      expired: jsonApi(createTokenSigner(secret, 60).issue(principal, new Date(Date.now() - 61_000)).token),
    };
    for (const [name, headers] of Object.entries(cases)) {
      const res = await read('0'.repeat(32), headers);
      expect(res.status, name).toBe(401);
      expect(res.headers.get('www-authenticate'), name).toBe('Bearer realm="registry"');
      expect(assertContract(commerceLayerErrors, await res.json()).errors[0]!.code, name).toBe(
        name === 'none' ? 'UNAUTHORIZED' : 'INVALID_TOKEN',
      );
    }
  });

  it('is not an API key elsewhere: a token on a KohortPay route is 401', async () => {
    const res = await t.request('POST', '/compat/kohortpay/customers', {
      body: { emailAddress: unique() },
      headers: bearer(accessToken),
    });
    expect(res.status).toBe(401);
  });

  it('stops working once its key is revoked (the local server keeps no key cache)', async () => {
    const key = await t.key(['ACME']);
    const token = await tokenFor(key);
    expect((await read('0'.repeat(32), jsonApi(token))).status).toBe(404);
    await revokeApiKey(t.table.store, key.id);
    const res = await read('0'.repeat(32), jsonApi(token));
    expect(res.status).toBe(401);
    expect(assertContract(commerceLayerErrors, await res.json()).errors[0]!.detail).toMatch(/revoked/);
    expect(
      (await tokenRequest({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret })).status,
    ).toBe(401);
  });

  it("carries the key's mode and organisations: meta.mode test; X-Organisation-Id for a key with several", async () => {
    const test = await tokenFor(await t.key(['ACME'], { mode: 'test' }));
    const res = await create(document({ email: unique() }), jsonApi(test));
    expect(((await res.json()) as { data: { meta: unknown } }).data.meta).toEqual({ mode: 'test' });
    const both = await tokenFor(await t.key(['ACME', 'OTHER']));
    const email = unique('orgs');
    expect((await create(document({ email }), jsonApi(both))).status).toBe(400);
    expect((await create(document({ email }), jsonApi(both, { 'x-organisation-id': 'THIRD' }))).status).toBe(403);
    const other = await create(document({ email }), jsonApi(both, { 'x-organisation-id': 'OTHER' }));
    expect(other.status).toBe(201);
    const { id } = ((await other.json()) as { data: { id: string } }).data;
    expect((await read(id)).status).toBe(404);
    expect((await read(id, jsonApi(both, { 'x-organisation-id': 'OTHER' }))).status).toBe(200);
  });
});

// Listing, changing and erasing. Each test that counts customers acts for an organisation of its own.

type Resource = { id: string; attributes: Record<string, unknown> };
const API = '/compat/commercelayer/api/customers';
let orgs = 0;
/** An organisation no other test uses, a key for it and that key's access token. */
async function freshOrg() {
  const org = `CL_${Date.now().toString(36)}_${++orgs}`;
  const key = await t.key([org]);
  return { org, key, token: await tokenFor(key) };
}
const list = (query: string, headers: Record<string, string> = jsonApi(accessToken)) =>
  t.request('GET', `${API}${query}`, { headers });
const patch = (id: string, body: unknown, headers: Record<string, string> = jsonApi(accessToken)) =>
  t.request('PATCH', `${API}/${id}`, { body, headers });
const erase = (id: string, headers: Record<string, string> = jsonApi(accessToken)) =>
  t.request('DELETE', `${API}/${id}`, { headers });
const changes = (id: string, attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  data: { type: 'customers', id, attributes, ...extra },
});
async function created(attributes: Record<string, unknown>, headers?: Record<string, string>): Promise<Resource> {
  const res = await create(document(attributes), headers);
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: Resource }).data;
}
/** The first error of a Commerce Layer error answer, checked against the contract. */
async function firstError(res: Response) {
  expect(res.headers.get('content-type')).toBe(JSON_API);
  return assertContract(commerceLayerErrors, await res.json()).errors[0]!;
}

describe('GET /compat/commercelayer/api/customers', () => {
  it('pages by page[number] and page[size] with the counts and the links Commerce Layer gives', async () => {
    const { token } = await freshOrg();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await created({ email: unique('page') }, jsonApi(token))).id);
    const base = `${t.server.url}${API}`;
    const link = (number: number) => `${base}?page%5Bnumber%5D=${number}&page%5Bsize%5D=2`;

    const pages = [];
    for (const number of [1, 2, 3]) {
      const res = await list(`?page[number]=${number}&page[size]=2`, jsonApi(token));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(JSON_API);
      pages.push(assertContract(commerceLayerCustomerList, await res.json()));
    }
    expect(pages.map((page) => page.data.map((resource) => resource.id))).toEqual([
      ids.slice(0, 2),
      ids.slice(2, 4),
      ids.slice(4),
    ]);
    for (const page of pages) expect(page.meta).toEqual({ record_count: 5, page_count: 3 });
    expect(pages[0]!.links).toEqual({ first: link(1), next: link(2), last: link(3) });
    expect(pages[1]!.links).toEqual({ first: link(1), prev: link(1), next: link(3), last: link(3) });
    expect(pages[2]!.links).toEqual({ first: link(1), prev: link(2), last: link(3) });
    // Each resource is the document GET /api/customers/{id} answers.
    const one = (await (await read(ids[0]!, jsonApi(token))).json()) as { data: unknown };
    expect(pages[0]!.data[0]).toEqual(one.data);

    // Defaults: page 1 of 10; beyond the last page, no resources and the counts still.
    const first = assertContract(commerceLayerCustomerList, await (await list('', jsonApi(token))).json());
    expect(first.data.map((resource) => resource.id)).toEqual(ids);
    expect(first.links).toEqual({
      first: `${base}?page%5Bnumber%5D=1&page%5Bsize%5D=10`,
      last: `${base}?page%5Bnumber%5D=1&page%5Bsize%5D=10`,
    });
    const beyond = assertContract(
      commerceLayerCustomerList,
      await (await list('?page[number]=9&page[size]=2', jsonApi(token))).json(),
    );
    expect(beyond.data).toEqual([]);
    expect(beyond.meta).toEqual({ record_count: 5, page_count: 3 });
    expect(beyond.links).toEqual({ first: link(1), prev: link(3), last: link(3) });

    // sort=-created_at: newest first, the sort carried by the links.
    const newest = assertContract(
      commerceLayerCustomerList,
      await (await list('?sort=-created_at&page[size]=2', jsonApi(token))).json(),
    );
    expect(newest.data.map((resource) => resource.id)).toEqual([ids[4], ids[3]]);
    expect(newest.links.next).toBe(`${base}?page%5Bnumber%5D=2&page%5Bsize%5D=2&sort=-created_at`);
  });

  it('filters by filter[q][email_eq], in any case; an organisation without customers has none', async () => {
    const { token } = await freshOrg();
    const email = unique('filter');
    const target = await created({ email, reference: 'REF-F' }, jsonApi(token));
    await created({ email: unique('other'), reference: 'REF-G' }, jsonApi(token));
    const byEmail = assertContract(
      commerceLayerCustomerList,
      await (await list(`?filter[q][email_eq]=${encodeURIComponent(email.toUpperCase())}`, jsonApi(token))).json(),
    );
    expect(byEmail.data.map((resource) => resource.id)).toEqual([target.id]);
    expect(byEmail.meta).toEqual({ record_count: 1, page_count: 1 });
    expect(byEmail.links.first).toContain(`filter%5Bq%5D%5Bemail_eq%5D=${encodeURIComponent(email)}`);
    const nobody = assertContract(
      commerceLayerCustomerList,
      await (await list(`?filter[q][email_eq]=${unique('nobody')}`, jsonApi(token))).json(),
    );
    expect(nobody).toMatchObject({ data: [], meta: { record_count: 0, page_count: 0 } });
    expect(nobody.links.next).toBeUndefined();

    const empty = await freshOrg();
    const none = assertContract(commerceLayerCustomerList, await (await list('', jsonApi(empty.token))).json());
    expect(none).toMatchObject({ data: [], meta: { record_count: 0, page_count: 0 } });
    expect(none.links.last).toBe(none.links.first);
  });

  it('refuses page sizes outside 1 to 25, pages past 10,000 customers and other parameters with 400 naming the parameter', async () => {
    const cases: Record<string, string> = {
      '?page[size]=26': 'page[size]',
      '?page[size]=0': 'page[size]',
      '?page[size]=ten': 'page[size]',
      '?page[size]=5&page[size]=6': 'page[size]',
      '?page[number]=0': 'page[number]',
      '?page[number]=-1': 'page[number]',
      '?page[number]=401&page[size]=25': 'page[number]',
      '?page[number]=10001': 'page[number]',
      '?sort=email': 'sort',
      '?filter[q][email_eq]=not-an-address': 'filter[q][email_eq]',
      '?filter[q][name_cont]=jo': 'filter[q][name_cont]',
      '?filter[q][reference_eq]=REF': 'filter[q][reference_eq]',
      '?include=customer_group': 'include',
      '?fields[customers]=email': 'fields[customers]',
    };
    for (const [query, parameter] of Object.entries(cases)) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      const error = await firstError(res);
      expect(error, query).toMatchObject({ code: 'BAD_REQUEST', status: '400', source: { parameter } });
      expect(error.detail, query).toContain(parameter);
    }
    const deep = await firstError(await list('?page[number]=401&page[size]=25'));
    expect(deep.detail).toMatch(/10000/);
    // The deepest page there is.
    expect((await list('?page[number]=400&page[size]=25')).status).toBe(200);
    expect((await list('?page[number]=1000&page[size]=10')).status).toBe(200);
  });

  it('answers only JSON:API (406) and only to a token of the organisation', async () => {
    expect((await firstError(await list('', jsonApi(accessToken, { accept: 'application/json' })))).code).toBe(
      'NOT_ACCEPTABLE',
    );
    expect((await list('', { 'content-type': JSON_API })).status).toBe(401);
    const both = await tokenFor(await t.key(['ACME', 'OTHER']));
    expect((await list('', jsonApi(both))).status).toBe(400);
    expect((await list('', jsonApi(both, { 'x-organisation-id': 'THIRD' }))).status).toBe(403);
  });
});

describe('PATCH /compat/commercelayer/api/customers/{id}', () => {
  it('replaces the attributes and relationship it sends, keeps the others, and answers the resource', async () => {
    const before = await created({
      email: unique('patch'),
      reference: 'R1',
      reference_origin: 'crm',
      metadata: { a: 1, b: 2 },
    });
    const email = unique('patched');
    const res = await patch(
      before.id,
      changes(
        before.id,
        { email: email.toUpperCase(), metadata: { c: 3 }, password: 'a long enough secret' },
        { relationships: { customer_group: { data: { type: 'customer_groups', id: 'grp_gold' } } } },
      ),
    );
    expect(res.status).toBe(200);
    const { data } = assertContract(commerceLayerCustomer, await res.json());
    expect(data.id).toBe(before.id);
    expect(data.attributes).toMatchObject({
      email,
      has_password: true,
      reference: 'R1',
      reference_origin: 'crm',
      // Replaced whole, not merged.
      metadata: { c: 3 },
      created_at: before.attributes.created_at,
    });
    expect(data.attributes.updated_at >= String(before.attributes.updated_at)).toBe(true);
    expect(await (await read(before.id)).json()).toEqual({ data });
    const item = (await getItem(t.table.store, customerKey('ACME', { email })))!;
    expect(item.customer_group_id).toBe('grp_gold');
    expect(await verifyPassword('a long enough secret', String(item.password_hash))).toBe(true);
    // The old address is free again.
    expect((await create(document({ email: String(before.attributes.email) }))).status).toBe(201);

    // null (and "" for text) clears; `{ data: null }` empties the relationship.
    const cleared = await patch(
      before.id,
      changes(
        before.id,
        { metadata: null, reference: '', reference_origin: null, password: null },
        { relationships: { customer_group: { data: null } } },
      ),
    );
    expect(cleared.status).toBe(200);
    expect(((await cleared.json()) as { data: Resource }).data.attributes).toMatchObject({
      email,
      has_password: false,
      reference: null,
      reference_origin: null,
      metadata: {},
    });
    const after = (await getItem(t.table.store, customerKey('ACME', { email })))!;
    expect(after.customer_group_id ?? null).toBeNull();
    expect(after).not.toHaveProperty('password_hash');
    // A document with no attributes changes nothing but the time.
    const nothing = await patch(before.id, { data: { type: 'customers', id: before.id } });
    expect(nothing.status).toBe(200);
  });

  it('answers a taken email 422 on /data/attributes/email and changes nothing', async () => {
    const taken = unique('taken');
    await created({ email: taken });
    const mine = await created({ email: unique('mine'), reference: 'KEEP' });
    const res = await patch(mine.id, changes(mine.id, { email: taken.toUpperCase(), reference: 'CHANGED' }));
    expect(res.status).toBe(422);
    expect(await firstError(res)).toMatchObject({
      code: 'VALIDATION_ERROR',
      status: '422',
      title: 'has already been taken',
      source: { pointer: '/data/attributes/email' },
    });
    expect(((await (await read(mine.id)).json()) as { data: Resource }).data.attributes).toMatchObject({
      email: mine.attributes.email,
      reference: 'KEEP',
    });
  });

  it('answers 409 CONFLICT for a document of another id, 422 for one without an id or with invalid attributes', async () => {
    const customer = await created({ email: unique('ids') });
    const other = '0'.repeat(32);
    const mismatch = await patch(customer.id, changes(other, { reference: 'X' }));
    expect(mismatch.status).toBe(409);
    expect(await firstError(mismatch)).toMatchObject({
      code: 'CONFLICT',
      status: '409',
      source: { pointer: '/data/id' },
      meta: { error: 'resource-id-mismatch' },
    });
    const noId = await patch(customer.id, { data: { type: 'customers', attributes: { reference: 'X' } } });
    expect(noId.status).toBe(422);
    expect((await firstError(noId)).source).toEqual({ pointer: '/data/id' });
    const invalid = await patch(
      customer.id,
      changes(customer.id, { email: null, password: 'short', metadata: [] }, { type: 'orders' }),
    );
    expect(invalid.status).toBe(422);
    const pointers = assertContract(commerceLayerErrors, await invalid.json()).errors.map((e) => e.source);
    expect(pointers).toEqual(
      expect.arrayContaining([
        { pointer: '/data/type' },
        { pointer: '/data/attributes/email' },
        { pointer: '/data/attributes/password' },
        { pointer: '/data/attributes/metadata' },
      ]),
    );
    expect(((await (await read(customer.id)).json()) as { data: Resource }).data.attributes.reference).toBeNull();
  });

  it('takes only application/vnd.api+json (415) and answers only it (406), before anything changes', async () => {
    const customer = await created({ email: unique('media'), reference: 'SAME' });
    const body = changes(customer.id, { reference: 'CHANGED' });
    for (const type of ['application/json', 'application/merge-patch+json', `${JSON_API}; charset=utf-8`]) {
      const res = await patch(customer.id, body, jsonApi(accessToken, { 'content-type': type }));
      expect(res.status, type).toBe(415);
      expect((await firstError(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    for (const accept of ['application/json', `${JSON_API}; ext="bulk"`]) {
      const res = await patch(customer.id, body, jsonApi(accessToken, { accept }));
      expect(res.status, accept).toBe(406);
      expect((await firstError(res)).code).toBe('NOT_ACCEPTABLE');
    }
    expect(((await (await read(customer.id)).json()) as { data: Resource }).data.attributes.reference).toBe('SAME');
  });

  it("is 404 for an unknown id and for another organisation's customer, which it leaves alone", async () => {
    const unknown = '0'.repeat(32);
    const res = await patch(unknown, changes(unknown, { reference: 'X' }));
    expect(res.status).toBe(404);
    expect((await firstError(res)).code).toBe('RECORD_NOT_FOUND');
    const elsewhere = await freshOrg();
    const theirs = await created({ email: unique('theirs'), reference: 'THEIRS' }, jsonApi(elsewhere.token));
    expect((await patch(theirs.id, changes(theirs.id, { reference: 'MINE' }))).status).toBe(404);
    expect((await erase(theirs.id)).status).toBe(404);
    const still = (await (await read(theirs.id, jsonApi(elsewhere.token))).json()) as { data: Resource };
    expect(still.data.attributes).toMatchObject({ reference: 'THEIRS', email: theirs.attributes.email });
  });

  it('replays an answer for a repeated Idempotency-Key and refuses the key for another request', async () => {
    const customer = await created({ email: unique('replay') });
    const headers = jsonApi(accessToken, { 'idempotency-key': `cl-patch-${Date.now()}` });
    const first = await patch(customer.id, changes(customer.id, { reference: 'ONCE' }), headers);
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    // Changed meanwhile by another request: the replay still answers the first answer, and writes nothing.
    expect((await patch(customer.id, changes(customer.id, { reference: 'LATER' }))).status).toBe(200);
    const again = await patch(customer.id, changes(customer.id, { reference: 'ONCE' }), headers);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstBody);
    expect(((await (await read(customer.id)).json()) as { data: Resource }).data.attributes.reference).toBe('LATER');
    const reused = await patch(customer.id, changes(customer.id, { reference: 'OTHER' }), headers);
    expect(reused.status).toBe(422);
  });

  it('lists and changes a customer created through the native contract, which then reads the change', async () => {
    const { org, key, token } = await freshOrg();
    const email = unique('native');
    const native = await t.request('POST', '/customers', {
      body: { corporation_id: org, name: 'Native Customer', email, external_id: 'EXT-1' },
      headers: bearer(key.token),
    });
    expect(native.status).toBe(201);
    const nativeId = ((await native.json()) as { data: { id: string } }).data.id;
    const id = nativeId.slice('cust_'.length);

    const listed = assertContract(commerceLayerCustomerList, await (await list('', jsonApi(token))).json());
    expect(listed.data.map((resource) => resource.id)).toEqual([id]);
    expect(listed.data[0]!.attributes).toMatchObject({ email, reference: 'EXT-1', metadata: {} });

    const email2 = unique('renamed');
    const res = await patch(id, changes(id, { email: email2, reference: 'EXT-2' }), jsonApi(token));
    expect(res.status).toBe(200);
    const back = await t.request('GET', `/customers/${nativeId}?corporation_id=${org}`, { headers: bearer(key.token) });
    expect(back.status).toBe(200);
    expect(assertContract(customerReadResponse, await back.json()).data).toMatchObject({
      id: nativeId,
      name: 'Native Customer',
      email: email2,
      external_id: 'EXT-2',
    });
  });
});

describe('DELETE /compat/commercelayer/api/customers/{id}', () => {
  it('answers 204 with no body; afterwards every route is 404 and the email may be registered again', async () => {
    const email = unique('erase');
    const customer = await created({ email, reference: 'GONE' });
    const res = await erase(customer.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    for (const after of [
      read(customer.id),
      patch(customer.id, changes(customer.id, { reference: 'X' })),
      erase(customer.id),
    ]) {
      const answer = await after;
      expect(answer.status).toBe(404);
      expect((await firstError(answer)).code).toBe('RECORD_NOT_FOUND');
    }
    const listed = assertContract(
      commerceLayerCustomerList,
      await (await list(`?filter[q][email_eq]=${encodeURIComponent(email)}`)).json(),
    );
    expect(listed.meta.record_count).toBe(0);
    const again = await created({ email });
    expect(again.id).not.toBe(customer.id);
  });

  it('replays its 204 for a repeated Idempotency-Key, and takes the answers stored for the customer with it', async () => {
    const email = unique('forget');
    const customer = await created({ email });
    // A stored PATCH answer holds the customer's email.
    const stored = await patch(
      customer.id,
      changes(customer.id, { reference: 'STORED' }),
      jsonApi(accessToken, { 'idempotency-key': `cl-stored-${Date.now()}` }),
    );
    expect(stored.status).toBe(200);
    const headers = jsonApi(accessToken, { 'idempotency-key': `cl-erase-${Date.now()}` });
    expect((await erase(customer.id, headers)).status).toBe(204);
    const replay = await erase(customer.id, headers);
    expect(replay.status).toBe(204);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const { Items = [] } = await t.table.store.doc.send(new ScanCommand({ TableName: t.table.tableName }));
    expect(Items.filter((item) => JSON.stringify(item).includes(email))).toEqual([]);
  });

  it('answers only JSON:API (406) and refuses an impossible id with 404', async () => {
    const customer = await created({ email: unique('erase-media') });
    expect((await erase(customer.id, jsonApi(accessToken, { accept: 'application/json' }))).status).toBe(406);
    expect((await read(customer.id)).status).toBe(200);
    for (const id of ['xYZkjABcde', `cus_${customer.id}`]) expect((await erase(id)).status, id).toBe(404);
  });
});
