// Property tests of the dialects' create routes, KohortPay's POST /compat/kohortpay/customers and
// Commerce Layer's POST /compat/commercelayer/api/customers, through the real handlers on DynamoDB
// Local, each with an oracle of its own (generators in dialect-bodies.ts, built on bodies.ts):
//
// 1. A body valid by construction (any Unicode text up to each field's limit, optional fields
//    present, absent, null or "", metadata of any JSON up to its limits, unknown members, non-ASCII
//    written raw or as \u escapes, sent as text or base64) is a 201 that matches the dialect's
//    strict contract and shows every field as stored: text trimmed, "" as null, the email
//    lower-cased with its domain in punycode, metadata exactly as sent; reading the customer back
//    by the id shown gives the same document. A taken email is the dialect's conflict.
// 2. A non-object where an object belongs is a 422 whose errors name exactly that JSON pointer, in
//    the dialect's error shape.
// 3. Invalid UTF-8 bytes (sent base64) or half a surrogate pair (raw, or escaped) in any string,
//    key or value, is a 400 in the dialect's error shape.
// 4. Nothing a client sends (any JSON, any text or bytes as the body, any Content-Type, Accept,
//    X-Organisation-Id, Idempotency-Key or Content-Encoding) yields a 5xx; a success fits the
//    contract, and every error fits the dialect's error schema, status and content type.
//
// Each property writes under organisations of its own, so none leans on another's data.
import fc from 'fast-check';
import type * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../functions/auth/authenticator.ts';
import { commerceLayerGetCustomerRoute } from '../../functions/commercelayer/api.ts';
import type { HttpEvent, HttpHandler } from '../../functions/http/route.ts';
import { kohortPayGetCustomerRoute } from '../../functions/kohortpay/api.ts';
import {
  assertContract,
  commerceLayerCustomer,
  commerceLayerErrors,
  kohortPayCustomer,
  kohortPayError,
} from '../support/contract.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { authenticatesAgainst, httpEvent, invoke, partner, type TestResponse } from '../support/events.ts';
import { commerceLayerCustomerHandler, kohortPayCustomerHandler, silentLog } from '../support/handlers.ts';
import { escapeNonAscii, storedText, stringSpots } from './bodies.ts';
import {
  type CommerceLayerBody,
  commerceLayerMisplaced,
  contentType,
  type KohortPayBody,
  kohortPayMisplaced,
  type Misplaced,
  nearValidCommerceLayer,
  nearValidKohortPay,
  otherHeaders,
  type Payload,
  rawBody,
  sentValue,
  spoil,
  spoilt,
  transport,
  validCommerceLayer,
  validKohortPay,
} from './dialect-bodies.ts';

const JSON_API = 'application/vnd.api+json';
const KP_PATH = '/compat/kohortpay/customers';
const CL_PATH = '/compat/commercelayer/api/customers';

let t: TestTable;
let kohortPay: HttpHandler;
let commerceLayer: HttpHandler;
let kohortPayRead: HttpHandler;
let commerceLayerRead: HttpHandler;
beforeAll(async () => {
  t = await createTestTable('dialects');
  kohortPay = kohortPayCustomerHandler(t.store);
  commerceLayer = commerceLayerCustomerHandler(t.store);
  // The read routes, to see what was stored (Commerce Layer's with API keys, as its create route here).
  const authenticate = createAuthenticator({ store: t.store, ttlSeconds: 60 });
  kohortPayRead = authenticatesAgainst(
    kohortPayGetCustomerRoute({ store: t.store, log: silentLog, authenticate }),
    t.store,
  );
  commerceLayerRead = authenticatesAgainst(
    commerceLayerGetCustomerRoute({ store: t.store, log: silentLog, authenticate }),
    t.store,
  );
});

/** A request's answer, and the id of the API key invoke sent for it. */
interface Sent {
  readonly res: TestResponse;
  readonly keyId: string | undefined;
}

async function send(handler: HttpHandler, event: HttpEvent): Promise<Sent> {
  const res = await invoke(handler, event);
  return { res, keyId: /^Bearer (key_[0-9a-f]+)\./.exec(event.headers.authorization ?? '')?.[1] };
}

/** Headers as sent: undefined values are headers not sent (no Content-Type at all, too). */
function withHeaders(event: HttpEvent, headers: Record<string, string | undefined>): HttpEvent {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete event.headers[name];
    else event.headers[name] = value;
  }
  return event;
}

const postKohortPay = (org: string, payload: Payload, headers: Record<string, string | undefined> = {}) =>
  send(
    kohortPay,
    withHeaders(
      httpEvent({
        path: KP_PATH,
        body: payload.body,
        isBase64Encoded: payload.isBase64Encoded ?? false,
        principal: partner([org]),
      }),
      headers,
    ),
  );

const postCommerceLayer = (org: string, payload: Payload, headers: Record<string, string | undefined> = {}) =>
  send(
    commerceLayer,
    withHeaders(
      httpEvent({
        path: CL_PATH,
        body: payload.body,
        isBase64Encoded: payload.isBase64Encoded ?? false,
        headers: { 'content-type': JSON_API },
        principal: partner([org]),
      }),
      headers,
    ),
  );

const readKohortPay = (org: string, id: string) =>
  invoke(
    kohortPayRead,
    httpEvent({ method: 'GET', path: `${KP_PATH}/${id}`, pathParameters: { id }, principal: partner([org]) }),
  );

const readCommerceLayer = (org: string, id: string) =>
  invoke(
    commerceLayerRead,
    httpEvent({
      method: 'GET',
      path: `${CL_PATH}/${id}`,
      pathParameters: { id },
      headers: { accept: JSON_API },
      principal: partner([org]),
    }),
  );

/**
 * The body, once it fits the contract: the body as sent, not the schema's output, which drops the
 * members of a record named `__proto__`, `constructor` or `prototype` (metadata may have them).
 */
function conforming<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  assertContract(schema, body);
  return body as v.InferOutput<S>;
}

// ---------------------------------------------------------------------------------------------
// The dialects' error shapes

/** KohortPay's `error.type` for a status (README). */
const kohortPayType = (status: number) =>
  status === 401
    ? 'authentication_error'
    : status === 403
      ? 'permission_error'
      : status === 429
        ? 'rate_limit_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';

/** The response is KohortPay's error (status, and code when given); its `error` is returned. */
function expectKohortPayError(res: TestResponse, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type'], res.body).toBe('application/json');
  const { error } = assertContract(kohortPayError, res.json);
  expect(error.type, res.body).toBe(kohortPayType(status));
  if (code) expect(error.code, res.body).toBe(code);
  // `errors` (the fields at fault) belong to validation failures only.
  if (error.errors) expect(error.code, res.body).toBe('validation_failed');
  return error;
}

/** Commerce Layer's `code` for a status (README); 401 is also INVALID_TOKEN, for tokens. */
const COMMERCE_LAYER_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'RECORD_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The response is Commerce Layer's errors (status, and problem slug when given); they are returned. */
function expectCommerceLayerErrors(res: TestResponse, status: number, slug?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type'], res.body).toBe(JSON_API);
  const { errors } = assertContract(commerceLayerErrors, res.json);
  for (const error of errors) {
    expect(error.status, res.body).toBe(String(status));
    expect(error.code, res.body).toBe(COMMERCE_LAYER_CODES[status] ?? 'BAD_REQUEST');
    expect(typeof error.meta?.error, res.body).toBe('string');
    if (slug) expect(error.meta?.error, res.body).toBe(slug);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// 1. Valid bodies

/** JSON text of a body, as JSON.stringify writes it or with its non-ASCII characters escaped. */
const spelling = fc.constantFrom<'raw' | 'astral' | 'all'>('raw', 'raw', 'astral', 'all');
const written = (body: unknown, how: 'raw' | 'astral' | 'all') => {
  const json = JSON.stringify(body);
  return how === 'raw' ? json : escapeNonAscii(json, how);
};

/** What an optional text field shows: absent is null, else as stored. */
const shown = (body: Record<string, unknown>, field: string) =>
  field in body ? storedText((body[field] as string | null | undefined) ?? null) : null;

/** An ISO time with milliseconds, near now. */
function expectNow(iso: string) {
  expect(Math.abs(Date.parse(iso) - Date.now())).toBeLessThan(60_000);
}

describe('a valid body is a 201 in the dialect, every field shown as stored', () => {
  it('POST /compat/kohortpay/customers', async () => {
    const org = 'KP_VALID';
    const taken = new Set<string>();
    await fc.assert(
      fc.asyncProperty(validKohortPay(), spelling, fc.boolean(), async ({ email, body }, how, base64) => {
        const { res, keyId } = await postKohortPay(org, transport(written(body, how), base64));
        if (taken.has(email.stored)) {
          // The organisation has this address already (README: unique per organisation).
          expectKohortPayError(res, 409, 'customer_already_exists');
          return;
        }
        if (res.statusCode === 201) taken.add(email.stored);
        expect(res.statusCode, res.body).toBe(201);
        expect(res.headers['content-type']).toBe('application/json');
        const customer = conforming(kohortPayCustomer, res.json);
        expect(customer).toEqual({
          ...customer,
          emailAddress: email.stored,
          firstName: shown(body, 'firstName'),
          lastName: shown(body, 'lastName'),
          phoneNumber: shown(body, 'phoneNumber'),
          livemode: true,
          isBlocked: false,
          organizationId: `org_${org}`,
          metadata: body.metadata ? sentValue(body.metadata) : null,
          createdBy: keyId,
          updatedBy: keyId,
          updatedAt: customer.createdAt,
          blockedAt: null,
          blockedBy: null,
          deletedAt: null,
        });
        expect(keyId).toBeDefined();
        expectNow(customer.createdAt);
        // An address sent (even `{}`) is stored, with an id of its own; null or none is none.
        expect(customer.addressId === null, res.body).toBe(!body.address);
        expect(customer.shippingAddressId === null, res.body).toBe(!body.shippingAddress);
        if (customer.addressId !== null) expect(customer.addressId).not.toBe(customer.shippingAddressId);
        // Stored as shown: the same document read back by its id.
        const read = await readKohortPay(org, customer.id);
        expect(read.statusCode, read.body).toBe(200);
        expect(read.json).toEqual(res.json);
      }),
      { numRuns: 100 },
    );
  });

  /** Commerce Layer's document for `body` as created, apart from its id and times. */
  function expectCommerceLayerCustomer(res: TestResponse, email: string, body: CommerceLayerBody) {
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['content-type']).toBe(JSON_API);
    const { data } = conforming(commerceLayerCustomer, res.json);
    const { attributes } = body.data;
    const self = `https://test.local${CL_PATH}/${data.id}`;
    const relationship = (name: string) => ({
      links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` },
    });
    expect(data).toEqual({
      id: data.id,
      type: 'customers',
      links: { self },
      attributes: {
        email,
        status: 'prospect',
        has_password: attributes.password !== undefined && attributes.password !== null,
        created_at: data.attributes.created_at,
        updated_at: data.attributes.created_at,
        reference: shown(attributes, 'reference'),
        reference_origin: shown(attributes, 'reference_origin'),
        metadata: attributes.metadata ? sentValue(attributes.metadata) : {},
      },
      relationships: Object.fromEntries(
        [
          'customer_group',
          'customer_addresses',
          'customer_payment_sources',
          'customer_subscriptions',
          'orders',
          'order_subscriptions',
          'returns',
          'attachments',
        ].map((name) => [name, relationship(name)]),
      ),
      meta: { mode: 'live' },
    });
    expectNow(data.attributes.created_at);
    return data;
  }

  it('POST /compat/commercelayer/api/customers', async () => {
    const org = 'CL_VALID';
    const taken = new Set<string>();
    await fc.assert(
      fc.asyncProperty(validCommerceLayer(), spelling, fc.boolean(), async ({ email, body }, how, base64) => {
        const { res } = await postCommerceLayer(org, transport(written(body, how), base64));
        if (taken.has(email.stored)) {
          // Commerce Layer answers a taken email as a validation error of the attribute.
          const errors = expectCommerceLayerErrors(res, 422, 'validation-failed');
          expect(errors.map((error) => error.source?.pointer)).toEqual(['/data/attributes/email']);
          return;
        }
        if (res.statusCode === 201) taken.add(email.stored);
        const data = expectCommerceLayerCustomer(res, email.stored, body);
        const read = await readCommerceLayer(org, data.id);
        expect(read.statusCode, read.body).toBe(200);
        expect(read.json).toEqual(res.json);
      }),
      { numRuns: 100 },
    );
  });

  it('POST /compat/commercelayer/api/customers with a password (has_password, never the password)', async () => {
    const org = 'CL_PASSWORD';
    await fc.assert(
      fc.asyncProperty(validCommerceLayer({ withPassword: true }), async ({ email, body }) => {
        const { res } = await postCommerceLayer(org, transport(JSON.stringify(body), false));
        const data = expectCommerceLayerCustomer(res, email.stored, body);
        expect(data.attributes.has_password).toBe(true);
        expect(res.body).not.toContain(JSON.stringify(body.data.attributes.password).slice(1, -1));
        // Read back: has_password comes from the stored hash then.
        const read = await readCommerceLayer(org, data.id);
        expect(read.statusCode, read.body).toBe(200);
        expect(read.json).toEqual(res.json);
      }),
      // Each is a scrypt hash (about 0.5 s); the addresses are unique enough in so few runs.
      { numRuns: 6 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Non-objects where an object belongs

describe('a non-object where an object belongs is a 422 naming its pointer', () => {
  const property = (misplaced: fc.Arbitrary<Misplaced>, post: (payload: Payload) => Promise<string[]>) =>
    fc.asyncProperty(misplaced, fc.boolean(), async ({ pointer, value }, base64) => {
      expect(await post(transport(JSON.stringify(value), base64))).toEqual([pointer]);
    });

  it('POST /compat/kohortpay/customers: the body, address, shippingAddress, metadata', async () => {
    // Nothing here is valid, so nothing is written.
    const org = 'KP_EDGE';
    await fc.assert(
      property(kohortPayMisplaced, async (payload) => {
        const { res } = await postKohortPay(org, payload);
        const error = expectKohortPayError(res, 422, 'validation_failed');
        return (error.errors ?? []).map((field) => field.pointer);
      }),
      { numRuns: 150 },
    );
  });

  it('POST /compat/commercelayer/api/customers: the body, data, attributes, metadata, relationships', async () => {
    const org = 'CL_EDGE';
    await fc.assert(
      property(commerceLayerMisplaced, async (payload) => {
        const { res } = await postCommerceLayer(org, payload);
        const errors = expectCommerceLayerErrors(res, 422, 'validation-failed');
        return errors.map((error) => error.source?.pointer ?? '(no source)');
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Invalid UTF-8 and half surrogate pairs, in any string

describe('invalid UTF-8 or half a surrogate pair in any string is a 400 in the dialect', () => {
  async function check(bodies: fc.Arbitrary<{ body: object }>, post: (payload: Payload) => Promise<string>) {
    const hits = { key: 0, value: 0 };
    await fc.assert(
      fc.asyncProperty(bodies, fc.nat(), spoil, async ({ body }, n, how) => {
        const spots = stringSpots(JSON.stringify(body));
        const spot = spots[n % spots.length]!;
        hits[spot.isKey ? 'key' : 'value']++;
        const { payload, detail } = spoilt(spot.before, spot.after, how);
        expect(await post(payload)).toMatch(detail);
      }),
      { numRuns: 150 },
    );
    // The spoilt string is a key often enough, and a value often enough.
    expect(hits.key).toBeGreaterThan(15);
    expect(hits.value).toBeGreaterThan(15);
  }

  it('POST /compat/kohortpay/customers', async () => {
    const org = 'KP_SPOIL';
    await check(validKohortPay(), async (payload) => {
      const { res } = await postKohortPay(org, payload);
      return expectKohortPayError(res, 400, 'malformed_json').message;
    });
  });

  it('POST /compat/commercelayer/api/customers', async () => {
    const org = 'CL_SPOIL';
    await check(validCommerceLayer(), async (payload) => {
      const { res } = await postCommerceLayer(org, payload);
      const errors = expectCommerceLayerErrors(res, 400, 'malformed-json');
      expect(errors).toHaveLength(1);
      return errors[0]!.detail;
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Anything at all: never a 5xx, and every answer in the dialect's shape

describe('no client input yields a server error, and every error is in the dialect', () => {
  const RUNS = 500;
  /** Headers for one request: Content-Type (undefined: none) and, sometimes, the others. */
  const headers = (usual: string, org: string) =>
    fc.tuple(contentType(usual), otherHeaders(org)).map(([type, others]) => ({ 'content-type': type, ...others }));

  it('POST /compat/kohortpay/customers', async () => {
    const org = 'KP_ANY';
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(rawBody(nearValidKohortPay), headers('application/json', org), async (payload, sentHeaders) => {
        const { res, keyId } = await postKohortPay(org, payload, sentHeaders);
        expect(res.statusCode, `status ${res.statusCode}: ${res.body}`).toBeLessThan(500);
        if (res.statusCode < 300) {
          successes++;
          expect(res.statusCode, res.body).toBe(201);
          expect(res.headers['content-type']).toBe('application/json');
          const customer = conforming(kohortPayCustomer, res.json);
          expect(customer.organizationId).toBe(`org_${org}`);
          expect(customer.createdBy).toBe(keyId);
          const sent = JSON.parse(
            Buffer.from(payload.body!, payload.isBase64Encoded ? 'base64' : 'utf8').toString(),
          ) as KohortPayBody;
          expect(customer.metadata).toEqual(sent.metadata ?? null);
        } else {
          expectKohortPayError(res, res.statusCode);
        }
      }),
      { numRuns: RUNS },
    );
    // The generators must reach the success path often enough for the contract check to matter.
    expect(successes).toBeGreaterThan(RUNS / 20);
  });

  it('POST /compat/commercelayer/api/customers', async () => {
    const org = 'CL_ANY';
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(rawBody(nearValidCommerceLayer), headers(JSON_API, org), async (payload, sentHeaders) => {
        const { res } = await postCommerceLayer(org, payload, sentHeaders);
        expect(res.statusCode, `status ${res.statusCode}: ${res.body}`).toBeLessThan(500);
        if (res.statusCode < 300) {
          successes++;
          expect(res.statusCode, res.body).toBe(201);
          expect(res.headers['content-type']).toBe(JSON_API);
          const { data } = conforming(commerceLayerCustomer, res.json);
          expect(data.attributes.has_password).toBe(false);
          const sent = JSON.parse(
            Buffer.from(payload.body!, payload.isBase64Encoded ? 'base64' : 'utf8').toString(),
          ) as CommerceLayerBody;
          expect(data.attributes.metadata).toEqual(sent.data.attributes.metadata ?? {});
        } else {
          expectCommerceLayerErrors(res, res.statusCode);
        }
      }),
      { numRuns: RUNS },
    );
    expect(successes).toBeGreaterThan(RUNS / 20);
  });
});
