// API Gateway HTTP API (payload 2.0) events and Lambda contexts for calling handlers directly.
//
// Callers are real: a handler built by test/support/handlers.ts authenticates against its table,
// so `invoke` mints (once per table and caller) the API key the event's `principal` describes and
// sends it in the Authorization header, as a partner would.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { createApiKey, revokeApiKey } from '../../functions/auth/api-keys.ts';
import type { AuthFailure, KeyMode, Principal } from '../../functions/http/principal.ts';
import type { HttpEvent, HttpHandler } from '../../functions/http/route.ts';
import type { Store } from '../../functions/store/client.ts';
import { isOrgId } from '../../functions/store/keys.ts';
import { localStore } from '../../local/dynamodb.ts';
import { eventBridgeEvent } from '../../local/events.ts';
import { dynamoEndpoint } from './dynamo.ts';
import { breachesOf } from './openapi.ts';

export interface EventInit {
  method?: string;
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  isBase64Encoded?: boolean;
  /**
   * The caller: a key with these organisations (and platform), or a key that fails this way;
   * `null` for no Authorization header at all. By default a partner key that may act for the
   * organisation the request names (path `trkref` or body `corporation_id`), so tests of other
   * behaviour are not about authorisation. An `authorization` header in `headers` wins.
   */
  principal?: Principal | AuthFailure | null;
}

export const partner = (orgs: string[], platform: string | null = null, mode: KeyMode = 'live'): Principal => ({
  keyId: 'key_000000000000000000000000',
  orgs,
  platform,
  mode,
});

function defaultPrincipal(init: EventInit): Principal {
  const body = typeof init.body === 'object' && init.body !== null ? (init.body as Record<string, unknown>) : {};
  const orgs = [init.pathParameters?.trkref, body.corporation_id].filter(
    (org): org is string => typeof org === 'string',
  );
  return partner(orgs);
}

/** The caller each event asks for, until invoke sends its key. */
const callers = new WeakMap<HttpEvent, Principal | AuthFailure>();
/** The store each test handler authenticates against (registered by test/support/handlers.ts). */
const stores = new WeakMap<HttpHandler, Store>();

export function authenticatesAgainst<H extends HttpHandler>(handler: H, store: Store): H {
  stores.set(handler, store);
  return handler;
}

// Keys are minted through a client of their own: a test's fault injection on the handler's store
// must not break the minting.
const minters = new Map<string, Store>();
const tokens = new Map<string, Promise<string>>();
// Stands in for organisations no key can hold (ids the key format refuses): the request then
// reaches validation or the organisation check with a valid key that does not cover it.
const NO_ORG = 'NO_SUCH_ORG';

/** The Authorization header a caller presents (undefined for none). */
function authorizationFor(store: Store, caller: Principal | AuthFailure): Promise<string | undefined> {
  if (caller === 'missing') return Promise.resolve(undefined);
  if (caller === 'malformed') return Promise.resolve('Bearer not-a-key');
  if (caller === 'unknown' || caller === 'expired') {
    return Promise.resolve(`Bearer key_${randomBytes(12).toString('hex')}.${randomBytes(32).toString('base64url')}`);
  }
  const minter = minters.get(store.tableName) ?? localStore(dynamoEndpoint(), store.tableName);
  minters.set(store.tableName, minter);
  const wanted =
    caller === 'revoked'
      ? { keyId: 'revoked', orgs: [NO_ORG], platform: null, mode: 'live' as const }
      : { ...caller, orgs: caller.orgs.filter(isOrgId).length ? caller.orgs.filter(isOrgId) : [NO_ORG] };
  const id = [store.tableName, wanted.keyId, [...wanted.orgs].sort().join(','), wanted.platform, wanted.mode].join('|');
  let token = tokens.get(id);
  if (!token) {
    token = createApiKey(minter, { orgs: wanted.orgs, platform: wanted.platform, mode: wanted.mode }).then(
      async (created) => {
        if (caller === 'revoked') await revokeApiKey(minter, created.key.id);
        return created.token;
      },
    );
    tokens.set(id, token);
  }
  return token.then((value) => `Bearer ${value}`);
}

export function httpEvent(init: EventInit): HttpEvent {
  const body = init.body === undefined || typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const method = init.method ?? 'POST';
  const event: HttpEvent = {
    version: '2.0',
    routeKey: init.routeKey ?? '$default',
    rawPath: init.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.pathParameters ? { pathParameters: init.pathParameters } : {}),
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: { method, path: init.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: init.routeKey ?? '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
  if (init.principal !== null) callers.set(event, init.principal ?? defaultPrincipal(init));
  return event;
}

export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:test',
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: '/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

export interface TestResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when there is one. */
  // biome-ignore lint/suspicious/noExplicitAny: tests walk response bodies (`res.json.purchases[0].review_url`); contracts are checked by assertContract
  json: any;
}

export async function invoke(handler: HttpHandler, event: HttpEvent): Promise<TestResponse> {
  const caller = callers.get(event);
  const store = stores.get(handler);
  if (caller && store && event.headers.authorization === undefined) {
    const authorization = await authorizationFor(store, caller);
    if (authorization !== undefined) event.headers.authorization = authorization;
  }
  const response = await handler(event, lambdaContext());
  const body = response.body ?? '';
  // Every answer is held to the API reference, by the route its method and path name.
  const breaches = breachesOf({
    method: event.requestContext.http.method,
    path: event.rawPath,
    status: response.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: response.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body,
  });
  if (breaches.length) throw new Error(`answer outside the API reference:\n${breaches.join('\n')}`);
  return {
    statusCode: response.statusCode ?? 200,
    headers: (response.headers ?? {}) as Record<string, string>,
    body,
    json: body ? JSON.parse(body) : undefined,
  };
}

/** A review event (EventBridge envelope) for purchase `orderRef` / `SKU-1` of `email` at ACME. */
export const reviewEvent = (
  type: string,
  email: string,
  orderRef: string,
  occurredAt: string,
  extra: Record<string, unknown> = {},
) =>
  eventBridgeEvent(type, {
    trkref: 'ACME',
    email,
    order_ref: orderRef,
    sku: 'SKU-1',
    occurred_at: occurredAt,
    ...extra,
  });
