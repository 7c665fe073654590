// The Commerce Layer dialect (/compat/commercelayer) over real HTTP, byte by byte as its API
// reference has it (commercelayer-client.test.ts drives the same routes with its own clients).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../functions/auth/api-keys.ts';
import { createTokenSigner } from '../../functions/auth/tokens.ts';
import { verifyPassword } from '../../functions/customers/passwords.ts';
import { customerKey } from '../../functions/store/keys.ts';
import { getItem } from '../../functions/store/read.ts';
import { commerceLayerCreateCustomer as seed } from '../fixtures/seeds.ts';
import {
  accessTokenResponse,
  assertContract,
  commerceLayerCustomer,
  commerceLayerErrors,
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
      { grant_type: 'client_credentials', client_id: acme.id, client_secret: `${acme.secret.slice(0, -1)}A` },
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
