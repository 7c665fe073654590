// The Commerce Layer dialect (/compat/commercelayer) driven by Commerce Layer's own JavaScript
// clients from npm (@commercelayer/js-auth, @commercelayer/sdk), not by our reading of its docs.
// Both clients call `https://auth.<domain>/oauth/token` and `https://<organization>.<domain>/api/...`
// through the global fetch; the wrapper below only re-addresses those requests to the local server
// (method, headers and body pass through as the clients wrote them), so the real handlers answer.
import { randomBytes } from 'node:crypto';
import { authenticate } from '@commercelayer/js-auth';
import type { ApiError } from '@commercelayer/sdk';
import { CommerceLayer } from '@commercelayer/sdk/bundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../functions/auth/api-keys.ts';
import { createTokenSigner } from '../../functions/auth/tokens.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** The domain the clients are given; nothing under it exists outside this file's fetch wrapper. */
const DOMAIN = 'commercelayer.registry.test';
const ORG = 'CL_ORG';
const ORG_A = 'CL_ORG_A';
const ORG_B = 'CL_ORG_B';
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CUSTOMER_ID = /^[0-9a-f]{32}$/;

/** One request a client made, as the wrapper forwarded it, and the server's answer. */
interface Exchange {
  readonly method: string;
  /** The URL the client asked for. */
  readonly url: string;
  readonly headers: Headers;
  readonly body: string | undefined;
  readonly status: number;
  readonly response: string;
}

let t: TestServer;
let realFetch: typeof fetch;
const exchanges: Exchange[] = [];

/** Where a client's URL is served locally, or undefined for a URL no client of this file should use. */
function localUrl(url: URL): string | undefined {
  const base = `${t.server.url}/compat/commercelayer`;
  if (url.protocol !== 'https:') return undefined;
  if (url.hostname === `auth.${DOMAIN}`) return url.pathname === '/oauth/token' ? `${base}/oauth/token` : undefined;
  if (url.hostname.endsWith(`.${DOMAIN}`) && url.pathname.startsWith('/api/')) {
    return `${base}${url.pathname}${url.search}`;
  }
  return undefined;
}

const routedFetch: typeof fetch = async (input, init) => {
  if (input instanceof Request) throw new Error('the Commerce Layer clients pass a URL, not a Request');
  const url = new URL(String(input));
  // The test server's own URL (t.request) goes through untouched.
  if (url.origin === new URL(t.server.url).origin) return realFetch(input, init);
  const target = localUrl(url);
  if (!target) throw new TypeError(`fetch failed: no route in this test for ${url}`);
  const response = await realFetch(target, init);
  exchanges.push({
    method: init?.method ?? 'GET',
    url: url.href,
    headers: new Headers(init?.headers),
    body: typeof init?.body === 'string' ? init.body : undefined,
    status: response.status,
    response: await response.clone().text(),
  });
  return response;
};

beforeAll(async () => {
  t = await startTestServer('commercelayer-client');
  realFetch = globalThis.fetch;
  globalThis.fetch = routedFetch;
});
afterAll(async () => {
  if (realFetch) globalThis.fetch = realFetch;
  await t?.close();
});

const unique = () => randomBytes(4).toString('hex');
const emailFor = (name: string) => `${name}.${unique()}@example.com`;

/** A live key for `orgs` (a test-mode one with `mode: 'test'`): its id and secret. */
async function keyFor(orgs: string[], mode: 'live' | 'test' = 'live') {
  const created = await createApiKey(t.table.store, { orgs, mode });
  return { id: created.key.id, secret: created.secret };
}

/** An access token from js-auth's client-credentials grant. */
async function tokenFor(key: { id: string; secret: string }): Promise<string> {
  const auth = await authenticate('client_credentials', { clientId: key.id, clientSecret: key.secret, domain: DOMAIN });
  expect(auth.errors, JSON.stringify(auth.errors)).toBeUndefined();
  return auth.accessToken;
}

/** The SDK, as an integration would set it up, for an access token. */
const sdk = (accessToken: string, organization = ORG, headers?: Record<string, string>) =>
  CommerceLayer({ organization, accessToken, domain: DOMAIN, ...(headers ? { headers } : {}) });

type Client = ReturnType<typeof sdk>;

/**
 * The SDK's API error a call rejects with (failing the test if it resolves, or rejects otherwise).
 * The SDK's index declares `ApiError` as a value but does not export it at run time: the client's
 * `isApiError` is how its users tell.
 */
async function rejection(cl: Client, promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected an API error, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(cl.isApiError(error), String(error)).toBe(true);
  return error as ApiError;
}

describe('@commercelayer/js-auth against the token endpoint', () => {
  it('gets a bearer token for an API key by the client-credentials grant', async () => {
    const key = await keyFor([ORG]);
    const before = Date.now();
    const auth = await authenticate('client_credentials', {
      clientId: key.id,
      clientSecret: key.secret,
      domain: DOMAIN,
    });
    expect(auth.errors).toBeUndefined();
    expect(auth.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(auth.tokenType).toBe('bearer');
    expect(auth.expiresIn).toBeGreaterThan(0);
    expect(auth.scope).toBe('market:all');
    expect(auth.createdAt).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(auth.expires).toBeInstanceOf(Date);
    expect(auth.expires.getTime()).toBeGreaterThanOrEqual(before + auth.expiresIn * 1000);
    // It asked where Commerce Layer's token endpoint is, with JSON.
    const sent = exchanges.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', url: `https://auth.${DOMAIN}/oauth/token`, status: 200 });
    expect(sent.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(sent.body!)).toMatchObject({ grant_type: 'client_credentials', client_id: key.id });
  });

  it('returns the errors for a wrong secret', async () => {
    const key = await keyFor([ORG]);
    const auth = await authenticate('client_credentials', {
      clientId: key.id,
      clientSecret: `${key.secret}x`,
      domain: DOMAIN,
    });
    expect(auth.accessToken).toBeUndefined();
    expect(auth.errors).toHaveLength(1);
    expect(auth.errors?.[0]).toMatchObject({ status: '401', code: 'UNAUTHORIZED' });
  });
});

describe('@commercelayer/sdk against the customers API', () => {
  it('creates a customer with every attribute the dialect keeps, and retrieves it', async () => {
    const cl = sdk(await tokenFor(await keyFor([ORG])));
    const email = emailFor('Ada.Lovelace').replace('example.com', 'Example.COM');
    const password = `pw-${unique()}-correct horse`;
    const metadata = { tier: 'gold', visits: 3, tags: ['a', 'b'], nested: { ok: true } };
    const from = exchanges.length;

    const created = await cl.customers.create({
      email,
      reference: 'ref-42',
      reference_origin: 'crm',
      metadata,
      password,
      customer_group: cl.customer_groups.relationship('grp_vip'),
    });
    // What the SDK sent: its JSON:API document, with the group as a relationship.
    const sent = exchanges[from]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`https://${ORG.toLowerCase()}.${DOMAIN}/api/customers`);
    expect(sent.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(JSON.parse(sent.body!).data).toMatchObject({
      type: 'customers',
      attributes: { email, password },
      relationships: { customer_group: { data: { type: 'customer_groups', id: 'grp_vip' } } },
    });
    expect(sent.status).toBe(201);

    expect(created.id).toMatch(CUSTOMER_ID);
    expect(created).toMatchObject({
      type: 'customers',
      email: email.toLowerCase(),
      status: 'prospect',
      has_password: true,
      reference: 'ref-42',
      reference_origin: 'crm',
      metadata,
    });
    expect(created.created_at).toMatch(ISO_MS);
    expect(created.updated_at).toMatch(ISO_MS);
    expect(created).not.toHaveProperty('password');

    const retrieved = await cl.customers.retrieve(created.id);
    expect(exchanges.at(-1)).toMatchObject({
      method: 'GET',
      url: `https://${ORG.toLowerCase()}.${DOMAIN}/api/customers/${created.id}`,
      status: 200,
    });
    expect(retrieved).toEqual(created);

    // The password went out once, in the request, and came back in no response.
    for (const exchange of exchanges.slice(from)) {
      expect(exchange.response).not.toContain(password);
      expect(JSON.parse(exchange.response).data.attributes).not.toHaveProperty('password');
    }
  });

  it('rejects a taken email with the SDK API error: 422 VALIDATION_ERROR at /data/attributes/email', async () => {
    const cl = sdk(await tokenFor(await keyFor([ORG])));
    const email = emailFor('taken');
    await cl.customers.create({ email });

    const error = await rejection(cl, cl.customers.create({ email: email.toUpperCase() }));
    expect(error.status).toBe(422);
    expect(error.first()).toMatchObject({
      code: 'VALIDATION_ERROR',
      status: '422',
      source: { pointer: '/data/attributes/email' },
    });
  });

  it('rejects the retrieval of an unknown id with 404 RECORD_NOT_FOUND', async () => {
    const cl = sdk(await tokenFor(await keyFor([ORG])));
    const error = await rejection(cl, cl.customers.retrieve(randomBytes(16).toString('hex')));
    expect(error.status).toBe(404);
    expect(error.first()).toMatchObject({ code: 'RECORD_NOT_FOUND', status: '404' });
  });

  it("marks a test-mode key's customers with meta mode 'test' (a live key's with 'live')", async () => {
    const live = sdk(await tokenFor(await keyFor([ORG])));
    const test = sdk(await tokenFor(await keyFor([ORG], 'test')));
    // The SDK flattens a resource to its attributes; its raw response reader keeps the document.
    const liveReader = live.addRawResponseReader();
    const testReader = test.addRawResponseReader();

    const liveCustomer = await live.customers.create({ email: emailFor('live') });
    expect(liveReader.rawResponse.data).toMatchObject({ id: liveCustomer.id, meta: { mode: 'live' } });
    const testCustomer = await test.customers.create({ email: emailFor('test') });
    expect(testReader.rawResponse.data).toMatchObject({ id: testCustomer.id, meta: { mode: 'test' } });

    await test.customers.retrieve(testCustomer.id);
    expect(testReader.rawResponse.data).toMatchObject({ id: testCustomer.id, meta: { mode: 'test' } });
  });

  it("stops a revoked key's token at the next call, with 401", async () => {
    const key = await keyFor([ORG]);
    const cl = sdk(await tokenFor(key));
    const customer = await cl.customers.create({ email: emailFor('revoked') });
    expect(await cl.customers.retrieve(customer.id)).toMatchObject({ id: customer.id });

    expect(await revokeApiKey(t.table.store, key.id)).toMatchObject({ id: key.id });
    const error = await rejection(cl, cl.customers.retrieve(customer.id));
    expect(error.status).toBe(401);
    expect(error.first()).toMatchObject({ status: '401' });
    // Nor does the key get a new token.
    const again = await authenticate('client_credentials', {
      clientId: key.id,
      clientSecret: key.secret,
      domain: DOMAIN,
    });
    expect(again.errors?.[0]).toMatchObject({ status: '401' });
  });

  it('takes the organisation of a two-organisation key from X-Organisation-Id, and keeps organisations apart', async () => {
    const token = await tokenFor(await keyFor([ORG_A, ORG_B]));

    // Without the header the organisation is ambiguous: 400, whatever the host says.
    const bare = sdk(token, ORG_A);
    const create = await rejection(bare, bare.customers.create({ email: emailFor('ambiguous') }));
    expect(create.status).toBe(400);
    expect(create.first()).toMatchObject({ code: 'BAD_REQUEST', status: '400' });
    const read = await rejection(bare, bare.customers.retrieve(randomBytes(16).toString('hex')));
    expect(read.status).toBe(400);

    // The SDK's `headers` option adds the header to every request.
    const inA = sdk(token, ORG_A, { 'X-Organisation-Id': ORG_A });
    const customer = await inA.customers.create({ email: emailFor('org-a') });
    expect(exchanges.at(-1)!.headers.get('x-organisation-id')).toBe(ORG_A);
    expect(await inA.customers.retrieve(customer.id)).toMatchObject({ id: customer.id });

    // Another organisation does not see it: not through the same key, nor through a key of its own.
    const inB = sdk(token, ORG_B, { 'X-Organisation-Id': ORG_B });
    expect((await rejection(inB, inB.customers.retrieve(customer.id))).status).toBe(404);
    const onlyB = sdk(await tokenFor(await keyFor([ORG_B])), ORG_B);
    const hidden = await rejection(onlyB, onlyB.customers.retrieve(customer.id));
    expect(hidden.status).toBe(404);
    expect(hidden.first()).toMatchObject({ code: 'RECORD_NOT_FOUND' });
  });

  it("finds the organisation in a one-organisation key's token when none is configured", async () => {
    // The SDK reads `organization.slug` from the token for its base URL.
    const cl = CommerceLayer({ accessToken: await tokenFor(await keyFor([ORG])), domain: DOMAIN });
    expect(cl.currentOrganization).toBe(ORG);
    const customer = await cl.customers.create({ email: emailFor('slug') });
    expect(exchanges.at(-1)!.url).toBe(`https://${ORG.toLowerCase()}.${DOMAIN}/api/customers`);
    expect(customer.id).toMatch(CUSTOMER_ID);
  });

  // The SDK calls its refreshToken hook only for a 401 whose first error's code is INVALID_TOKEN
  // (isExpiredTokenError in the SDK's error.ts).
  it('lets the SDK refresh an expired token (its refreshToken hook)', async () => {
    const key = await keyFor([ORG]);
    // A token of this key issued three hours ago, signed as the server signs them.
    const signer = createTokenSigner(process.env.TOKEN_SIGNING_SECRET ?? '');
    const stale = signer.issue(
      { keyId: key.id, orgs: [ORG], mode: 'live', platform: null },
      new Date(Date.now() - 3 * 3600_000),
    ).token;
    const cl = sdk(stale);
    const refreshed: string[] = [];
    cl.config({
      refreshToken: async (expired) => {
        refreshed.push(expired);
        return tokenFor(key);
      },
    });
    const customer = await cl.customers.create({ email: emailFor('refreshed') });
    expect(refreshed).toEqual([stale]);
    expect(customer.id).toMatch(CUSTOMER_ID);
  });
});

describe('@commercelayer/sdk listing, updating and deleting customers', () => {
  // A list response is an Array subclass: its own map() answers another one (with `meta`), not an array.
  const ids = (list: Iterable<{ id: string }>) => Array.from(list, (customer) => customer.id);

  it('pages through 41 customers with pageSize and pageNumber: each once, in creation order, with its counts', async () => {
    // An organisation of this test alone, so the counts are exact.
    const org = `CL_LIST_${unique()}`;
    const cl = sdk(await tokenFor(await keyFor([org])), org);
    const created: string[] = [];
    for (let batch = 0; batch < 41; batch += 8) {
      const made = await Promise.all(
        Array.from({ length: Math.min(8, 41 - batch) }, (_, i) =>
          cl.customers.create({ email: emailFor(`list${batch + i}`) }),
        ),
      );
      created.push(...made.map((customer) => customer.id));
    }
    const byTime = await Promise.all(created.map((id) => cl.customers.retrieve(id)));
    const oldestFirst = byTime
      .sort((a, b) => (a.created_at === b.created_at ? 0 : a.created_at < b.created_at ? -1 : 1))
      .map((customer) => customer.created_at);

    const seen: string[] = [];
    const times: string[] = [];
    let pageNumber = 1;
    for (;;) {
      const page = await cl.customers.list({ pageSize: 12, pageNumber });
      const asked = new URL(exchanges.at(-1)!.url);
      expect(asked.pathname).toBe('/api/customers');
      expect(Object.fromEntries(asked.searchParams)).toEqual({
        'page[size]': '12',
        'page[number]': String(pageNumber),
      });
      expect(page.recordCount).toBe(41);
      expect(page.pageCount).toBe(4);
      expect(page.length).toBe(pageNumber < 4 ? 12 : 5);
      seen.push(...ids(page));
      times.push(...Array.from(page, (customer) => customer.created_at));
      expect(page.hasPrevPage()).toBe(pageNumber > 1);
      if (!page.hasNextPage()) break;
      pageNumber++;
    }
    expect(pageNumber).toBe(4);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...created].sort());
    expect(times).toEqual(oldestFirst);

    // Its defaults (page 1 of 10), its count(), and newest first.
    const first = await cl.customers.list();
    expect(exchanges.at(-1)!.url).toBe(`https://${org.toLowerCase()}.${DOMAIN}/api/customers?page%5Bnumber%5D=1`);
    expect(ids(first)).toEqual(seen.slice(0, 10));
    expect([first.recordCount, first.pageCount, first.hasNextPage()]).toEqual([41, 5, true]);
    expect(await cl.customers.count()).toBe(41);
    const newest = await cl.customers.list({ sort: { created_at: 'desc' }, pageSize: 25 });
    expect(ids(newest)).toEqual(seen.slice(-25).reverse());
  });

  it('filters by email_eq, whatever its case', async () => {
    const cl = sdk(await tokenFor(await keyFor([ORG])));
    const email = emailFor('filtered');
    const customer = await cl.customers.create({ email });
    await cl.customers.create({ email: emailFor('unfiltered') });
    const found = await cl.customers.list({ filters: { email_eq: email.toUpperCase() }, pageSize: 5, pageNumber: 1 });
    expect(new URL(exchanges.at(-1)!.url).searchParams.get('filter[q][email_eq]')).toBe(email.toUpperCase());
    expect(ids(found)).toEqual([customer.id]);
    expect([found.recordCount, found.pageCount, found.hasNextPage()]).toEqual([1, 1, false]);
    expect(found.first()).toMatchObject({ id: customer.id, email, status: 'prospect' });
    const none = await cl.customers.list({ filters: { email_eq: emailFor('nobody') } });
    expect([none.length, none.recordCount, none.hasNextPage()]).toEqual([0, 0, false]);
  });

  it('updates email, metadata, reference and the customer group; a taken email is its 422', async () => {
    const cl = sdk(await tokenFor(await keyFor([ORG])));
    const customer = await cl.customers.create({ email: emailFor('update'), metadata: { a: 1 }, reference: 'R0' });
    const email = emailFor('updated');
    const from = exchanges.length;
    const updated = await cl.customers.update({
      id: customer.id,
      email,
      metadata: { b: 2 },
      reference: 'R1',
      customer_group: cl.customer_groups.relationship('grp_silver'),
    });
    const sent = exchanges[from]!;
    expect(sent).toMatchObject({
      method: 'PATCH',
      url: `https://${ORG.toLowerCase()}.${DOMAIN}/api/customers/${customer.id}`,
      status: 200,
    });
    expect(JSON.parse(sent.body!).data).toMatchObject({ type: 'customers', id: customer.id });
    expect(updated).toMatchObject({
      id: customer.id,
      email,
      metadata: { b: 2 },
      reference: 'R1',
      created_at: customer.created_at,
    });
    expect(await cl.customers.retrieve(customer.id)).toEqual(updated);

    // Emptying the group, clearing the metadata.
    const emptied = await cl.customers.update({
      id: customer.id,
      metadata: null as unknown as Record<string, unknown>,
      customer_group: cl.customer_groups.relationship(null),
    });
    expect(JSON.parse(exchanges.at(-1)!.body!).data.relationships).toEqual({ customer_group: { data: null } });
    expect(emptied).toMatchObject({ email, metadata: {}, reference: 'R1' });

    const other = await cl.customers.create({ email: emailFor('other') });
    const error = await rejection(cl, cl.customers.update({ id: other.id, email: email.toUpperCase() }));
    expect(error.status).toBe(422);
    expect(error.first()).toMatchObject({ code: 'VALIDATION_ERROR', source: { pointer: '/data/attributes/email' } });
    const missing = await rejection(cl, cl.customers.update({ id: randomBytes(16).toString('hex'), reference: 'X' }));
    expect(missing.status).toBe(404);
  });

  it('deletes a customer: retrieve, update and delete then reject with 404, and the list no longer has it', async () => {
    const cl = sdk(await tokenFor(await keyFor([ORG])));
    const email = emailFor('deleted');
    const customer = await cl.customers.create({ email });
    expect(await cl.customers.delete(customer.id)).toBeUndefined();
    expect(exchanges.at(-1)).toMatchObject({ method: 'DELETE', status: 204, response: '' });
    for (const call of [
      () => cl.customers.retrieve(customer.id),
      () => cl.customers.update({ id: customer.id, reference: 'X' }),
      () => cl.customers.delete(customer.id),
    ]) {
      const error = await rejection(cl, call());
      expect(error.status).toBe(404);
      expect(error.first()).toMatchObject({ code: 'RECORD_NOT_FOUND' });
    }
    expect(await cl.customers.count({ email_eq: email })).toBe(0);
    // The address may be registered again: a new customer.
    expect((await cl.customers.create({ email })).id).not.toBe(customer.id);
  });
});
