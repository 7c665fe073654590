// The functions the benchmark measures, each with its bare twin (bench/baselines) and the request
// it handles: the same event for both, unique per call where the job is a write, so every call
// writes. A request that changes or erases a record acts on a record of its own, made before it
// outside the measure (subjectOf; bench/subjects.ts makes them). Nothing here imports the AWS SDK
// or node:crypto: runners import this before the measured window.

import {
  commerceLayerCreateCustomerRow,
  commerceLayerDeleteCustomerRow,
  commerceLayerGetCustomerRow,
  commerceLayerListCustomersRow,
  commerceLayerTokenRow,
  commerceLayerUpdateCustomerRow,
  createCustomerRow,
  createPurchaserRow,
  docsAssetRow,
  eraseCustomerRow,
  erasePurchaserRow,
  getCustomerRow,
  getPurchaserRow,
  kohortPayCreateCustomerRow,
  kohortPayDeleteCustomerRow,
  kohortPayGetCustomerRow,
  kohortPayListCustomersRow,
  kohortPayUpdateCustomerRow,
  listCustomersRow,
  listPurchasesRow,
  type Route,
  updateCustomerRow,
  updatePurchaserRow,
} from '../contract/routes.ts';
import { presentedId } from '../functions/customers/ids.ts';
import { eventBridgeEvent, sqsBatch } from '../local/events.ts';

export const FUNCTIONS = [
  'CreatePurchaser',
  'GetPurchaser',
  'UpdatePurchaser',
  'ListPurchases',
  'ErasePurchaser',
  'CreateCustomer',
  'GetCustomer',
  'ListCustomers',
  'UpdateCustomer',
  'EraseCustomer',
  'KohortPayCreateCustomer',
  'KohortPayGetCustomer',
  'KohortPayListCustomers',
  'KohortPayUpdateCustomer',
  'KohortPayDeleteCustomer',
  'CommerceLayerToken',
  'CommerceLayerCreateCustomer',
  'CommerceLayerGetCustomer',
  'CommerceLayerListCustomers',
  'CommerceLayerUpdateCustomer',
  'CommerceLayerDeleteCustomer',
  'OpenApiDocument',
  'DocsPage',
  'DocsAsset',
  'Fallback',
  'Ingest',
  'Publisher',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
/**
 * Also measurable: the Lambda authorizer partner routes had before they authenticated in the
 * handler, in trees that still have it (bench/auth-designs.ts compares the two designs).
 */
export type BenchTarget = FunctionName | 'Authorizer';

/** bench/baselines/<file>.ts for each function. */
export const TWINS: Record<FunctionName, string> = {
  CreatePurchaser: 'purchaser',
  GetPurchaser: 'purchaser-read',
  UpdatePurchaser: 'purchaser-update',
  ListPurchases: 'purchases',
  ErasePurchaser: 'purchaser-erase',
  CreateCustomer: 'customer',
  GetCustomer: 'customer-read',
  ListCustomers: 'customer-list',
  UpdateCustomer: 'customer-update',
  EraseCustomer: 'customer-erase',
  KohortPayCreateCustomer: 'kohortpay-customer',
  KohortPayGetCustomer: 'kohortpay-read',
  KohortPayListCustomers: 'kohortpay-list',
  KohortPayUpdateCustomer: 'kohortpay-update',
  KohortPayDeleteCustomer: 'kohortpay-erase',
  CommerceLayerToken: 'commercelayer-token',
  CommerceLayerCreateCustomer: 'commercelayer-customer',
  CommerceLayerGetCustomer: 'commercelayer-read',
  CommerceLayerListCustomers: 'commercelayer-list',
  CommerceLayerUpdateCustomer: 'commercelayer-update',
  CommerceLayerDeleteCustomer: 'commercelayer-erase',
  OpenApiDocument: 'docs-openapi',
  DocsPage: 'docs-page',
  DocsAsset: 'docs-asset',
  Fallback: 'fallback',
  Ingest: 'ingest',
  Publisher: 'publisher',
};

/**
 * What the requests need besides their own data, made once by the harness (bench/harness.ts) and
 * handed to the runners in their environment.
 */
export interface BenchFixture {
  /** `<key id>.<secret>`: a partner key for ACME, corp_123 and LIST_ORG. */
  readonly apiKey: string;
  /** An access token of that key, as the token endpoint issues them (functions/auth/tokens.ts). */
  readonly accessToken: string;
  /** A customer of ACME, as stored (`cust_…`): what the read routes read. */
  readonly customerId: string;
}

/** The organisations of the benchmark's key. */
export const BENCH_ORGS = ['ACME', 'corp_123', 'BENCH_LIST'] as const;

/**
 * The organisation the list routes list: LIST_CUSTOMERS customers made by the harness and nothing
 * else, so every run lists the same (the creates add thousands to ACME and corp_123 as they run).
 * Enough that a page of 25 fills in one round of list partition queries, as for a large tenant.
 */
export const LIST_ORG = 'BENCH_LIST';
export const LIST_CUSTOMERS = 400;

/** The purchaser of ACME the purchaser read routes read (the harness makes it, with the example's purchases). */
export const READ_PURCHASER = 'bench-purchaser@example.com';

/** What a changing or erasing request acts on: a customer or a purchaser of its own, made before it. */
export type Subject =
  | { readonly kind: 'customer'; readonly org: string; readonly id: string; readonly email: string }
  | { readonly kind: 'purchaser'; readonly trkref: string; readonly email: string };

/** 32 hex digits from `text` (four FNV-1a hashes): a customer id each request can name without a lookup. */
const hex32 = (text: string) =>
  [0x811c9dc5, 0x050c5d1f, 0x1b873593, 0x7f4a7c15]
    .map((seed) => {
      let hash = seed;
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
      return (hash >>> 0).toString(16).padStart(8, '0');
    })
    .join('');

/** The record the request of `name` with `unique` changes or erases (undefined for the other functions). */
export function subjectOf(name: BenchTarget, unique: string): Subject | undefined {
  switch (name) {
    case 'UpdateCustomer':
    case 'EraseCustomer':
    case 'KohortPayUpdateCustomer':
    case 'KohortPayDeleteCustomer':
    case 'CommerceLayerUpdateCustomer':
    case 'CommerceLayerDeleteCustomer':
      return { kind: 'customer', org: 'ACME', id: `cust_${hex32(unique)}`, email: `s-${unique}@example.com` };
    case 'UpdatePurchaser':
    case 'ErasePurchaser':
      return { kind: 'purchaser', trkref: 'ACME', email: `u-${unique}@example.com` };
    default:
      return undefined;
  }
}

/** Requests the warm runner sends each side: 200 to warm up, then blocks of 100 until `count` (bench/runner.ts). */
export const WARM_UP_REQUESTS = 200;
export const WARM_BLOCK = 100;
export const warmRequestsPerSide = (count: number) => WARM_UP_REQUESTS + Math.ceil(count / WARM_BLOCK) * WARM_BLOCK;

/** The fixture as environment variables (what fixtureFromEnv reads back). */
export const fixtureEnv = (fixture: BenchFixture): Record<string, string> => ({
  BENCH_TOKEN: fixture.apiKey,
  BENCH_ACCESS_TOKEN: fixture.accessToken,
  BENCH_CUSTOMER_ID: fixture.customerId,
});

/** The fixture, from the environment the harness gives runners. */
export const fixtureFromEnv = (env: NodeJS.ProcessEnv = process.env): BenchFixture => ({
  apiKey: env.BENCH_TOKEN ?? '',
  accessToken: env.BENCH_ACCESS_TOKEN ?? '',
  customerId: env.BENCH_CUSTOMER_ID ?? '',
});

const example = (route: Route) => route.example!;

/** The headers a route's example sends besides Authorization (its Content-Type included). */
const exampleHeaders = (route: Route): Record<string, string> => {
  const { contentType, headers } = example(route);
  return { ...(contentType ? { 'content-type': contentType } : {}), ...headers };
};

/**
 * An HTTP API event carrying the key both ways: in the Authorization header (read by handlers that
 * authenticate) and as the Lambda authorizer's context (read by handlers of trees that had one),
 * so one event serves this tree and older ones alike. `authorization` replaces the header (an
 * access token), or with null leaves it out; `headers` are added to (or replace) the defaults.
 */
function httpEvent(
  method: string,
  path: string,
  body: unknown,
  token: string,
  options: {
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Readonly<Record<string, string>>;
    authorization?: string | null;
  } = {},
) {
  const { pathParameters, authorization = `Bearer ${token}` } = options;
  // API Gateway leaves queryStringParameters out when the request has none.
  const query = options.query && Object.keys(options.query).length > 0 ? options.query : undefined;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    ...(query ? { queryStringParameters: query } : {}),
    headers: {
      'content-type': 'application/json',
      ...(authorization === null ? {} : { authorization }),
      ...options.headers,
    },
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      authorizer: {
        lambda: { authenticated: 'true', key_id: token.split('.')[0], orgs: BENCH_ORGS.join(','), platform: '' },
      },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/** What a browser sends besides the URL that the answer depends on. */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd' };

type Dialect = 'native' | 'kohortpay' | 'commercelayer';

/** How each contract names the organisation and authenticates, and the media type Commerce Layer asks for. */
function dialectOptions(
  dialect: Dialect,
  org: string,
  fixture: BenchFixture,
): { query: Record<string, string>; headers: Record<string, string>; authorization?: string } {
  if (dialect === 'native') return { query: { corporation_id: org }, headers: {} };
  if (dialect === 'kohortpay') return { query: {}, headers: { 'x-organisation-id': org } };
  const accept = exampleHeaders(commerceLayerCreateCustomerRow).accept ?? '';
  return { query: {}, headers: { 'x-organisation-id': org, accept }, authorization: `Bearer ${fixture.accessToken}` };
}

/**
 * A request to a route by id (`{id}` in its path) for the customer stored as `storedId`, shown as
 * `dialect` shows ids, in organisation `org`: a GET, or with `body`, the row's own method.
 */
function byIdEvent(
  route: Route,
  dialect: Dialect,
  storedId: string,
  org: string,
  fixture: BenchFixture,
  body?: object,
) {
  const id = dialect === 'native' ? storedId : presentedId(storedId, dialect);
  const options = dialectOptions(dialect, org, fixture);
  const contentType =
    dialect === 'commercelayer' ? exampleHeaders(commerceLayerCreateCustomerRow)['content-type'] : 'application/json';
  return httpEvent(route.method, route.path.replace('{id}', id), body, fixture.apiKey, {
    ...options,
    pathParameters: { id },
    headers: { ...options.headers, ...(body ? { 'content-type': contentType ?? 'application/json' } : {}) },
  });
}

/** A GET of the list route `route`, for the list organisation, with `query`. */
function listEvent(route: Route, dialect: Dialect, fixture: BenchFixture, query: Record<string, string> = {}) {
  const options = dialectOptions(dialect, LIST_ORG, fixture);
  return httpEvent('GET', route.path, undefined, fixture.apiKey, { ...options, query: { ...options.query, ...query } });
}

/** A request on one purchaser of ACME (`{email}` in the row's path). */
function purchaserEvent(route: Route, email: string, token: string, body?: object) {
  const path = route.path.replace('{trkref}', 'ACME').replace('{email}', encodeURIComponent(email));
  return httpEvent(route.method, path, body, token, { pathParameters: { trkref: 'ACME', email } });
}

/** The subject of a changing or erasing request (subjectOf), which the switch below knows it has. */
function subject<K extends Subject['kind']>(name: BenchTarget, unique: string, kind: K) {
  const found = subjectOf(name, unique);
  if (found?.kind !== kind) throw new Error(`${name} acts on no ${kind}`);
  return found as Extract<Subject, { kind: K }>;
}

/** The event `name` handles in the benchmark; `unique` makes writes distinct. */
export function eventFor(name: BenchTarget, unique: string, fixture: BenchFixture): unknown {
  const token = fixture.apiKey;
  /** The customer of ACME the request changes or erases (its own), and the request on it. */
  const own = () => subject(name, unique, 'customer').id;
  const onOwn = (route: Route, dialect: Dialect, body?: object) =>
    byIdEvent(route, dialect, own(), 'ACME', fixture, body);
  switch (name) {
    case 'CreatePurchaser': {
      const { path, body } = example(createPurchaserRow);
      const purchaser = { ...(body as object), email: `p-${unique}@example.com` };
      return httpEvent('POST', path, purchaser, token, { pathParameters: { trkref: 'ACME' } });
    }
    case 'GetPurchaser':
      return purchaserEvent(getPurchaserRow, READ_PURCHASER, token);
    case 'ListPurchases':
      return purchaserEvent(listPurchasesRow, READ_PURCHASER, token);
    case 'UpdatePurchaser': {
      // New fields and one new purchase beside the two it has: its item and one purchase written.
      const { purchases } = example(createPurchaserRow).body as { purchases: object[] };
      const body = {
        title: 'Dr',
        first_name: `Jane ${unique}`,
        purchases: [...purchases, { order_ref: `U-${unique}`, sku: 'SKU-U' }],
      };
      return purchaserEvent(updatePurchaserRow, subject(name, unique, 'purchaser').email, token, body);
    }
    case 'ErasePurchaser':
      return purchaserEvent(erasePurchaserRow, subject(name, unique, 'purchaser').email, token);
    case 'CreateCustomer': {
      const { path, body } = example(createCustomerRow);
      return httpEvent('POST', path, { ...(body as object), email: `c-${unique}@example.com` }, token);
    }
    case 'GetCustomer':
      return byIdEvent(getCustomerRow, 'native', fixture.customerId, 'ACME', fixture);
    case 'ListCustomers':
      return listEvent(listCustomersRow, 'native', fixture);
    case 'UpdateCustomer':
      return onOwn(updateCustomerRow, 'native', {
        name: `Renamed ${unique}`,
        external_id: `ext-${unique}`,
        shipping_address: { city: 'Oakland', line2: null },
      });
    case 'EraseCustomer':
      return onOwn(eraseCustomerRow, 'native');
    case 'KohortPayCreateCustomer': {
      const { path, body } = example(kohortPayCreateCustomerRow);
      const customer = { ...(body as object), emailAddress: `k-${unique}@example.com` };
      return httpEvent('POST', path, customer, token, { headers: exampleHeaders(kohortPayCreateCustomerRow) });
    }
    case 'KohortPayGetCustomer':
      return byIdEvent(kohortPayGetCustomerRow, 'kohortpay', fixture.customerId, 'ACME', fixture);
    case 'KohortPayListCustomers':
      return listEvent(kohortPayListCustomersRow, 'kohortpay', fixture);
    case 'KohortPayUpdateCustomer':
      return onOwn(kohortPayUpdateCustomerRow, 'kohortpay', {
        firstName: 'Janet',
        lastName: `Doe ${unique}`,
        phoneNumber: '+1 555 555 0000',
        address: { city: 'Chicago' },
      });
    case 'KohortPayDeleteCustomer':
      return onOwn(kohortPayDeleteCustomerRow, 'kohortpay');
    case 'CommerceLayerToken': {
      // The key's id and secret in the body, as the route's example sends them; no Authorization.
      const { path, body } = example(commerceLayerTokenRow);
      const [id, secret] = token.split('.');
      return httpEvent('POST', path, { ...(body as object), client_id: id, client_secret: secret }, token, {
        authorization: null,
        headers: exampleHeaders(commerceLayerTokenRow),
      });
    }
    case 'CommerceLayerCreateCustomer': {
      // No password, as in the example: one would add a deliberately slow scrypt hash to both sides.
      const { path } = example(commerceLayerCreateCustomerRow);
      const document = { data: { type: 'customers', attributes: { email: `cl-${unique}@example.com` } } };
      return httpEvent('POST', path, document, token, {
        authorization: `Bearer ${fixture.accessToken}`,
        headers: exampleHeaders(commerceLayerCreateCustomerRow),
      });
    }
    case 'CommerceLayerGetCustomer':
      return byIdEvent(commerceLayerGetCustomerRow, 'commercelayer', fixture.customerId, 'ACME', fixture);
    case 'CommerceLayerListCustomers':
      return listEvent(commerceLayerListCustomersRow, 'commercelayer', fixture, { 'page[size]': '25' });
    case 'CommerceLayerUpdateCustomer': {
      // JSON:API names the resource in the document too.
      const attributes = { reference: `ref-${unique}`, metadata: { tier: 'gold' } };
      const data = { type: 'customers', id: presentedId(own(), 'commercelayer'), attributes };
      return onOwn(commerceLayerUpdateCustomerRow, 'commercelayer', { data });
    }
    case 'CommerceLayerDeleteCustomer':
      return onOwn(commerceLayerDeleteCustomerRow, 'commercelayer');
    // The reference as a browser asks for it: no credential, gzip accepted; of the page's files, the largest.
    case 'OpenApiDocument':
      return httpEvent('GET', '/openapi.json', undefined, token, { authorization: null, headers: BROWSER });
    case 'DocsPage':
      return httpEvent('GET', '/docs', undefined, token, { authorization: null, headers: BROWSER });
    case 'DocsAsset': {
      const asset = 'swagger-ui-bundle.js';
      return httpEvent('GET', docsAssetRow.path.replace('{asset}', asset), undefined, token, {
        authorization: null,
        headers: BROWSER,
        pathParameters: { asset },
      });
    }
    case 'Fallback':
      return httpEvent('GET', '/nowhere', undefined, token);
    case 'Authorizer':
      return { ...httpEvent('POST', '/customers', undefined, token), type: 'REQUEST' };
    case 'Ingest':
      return sqsBatch([
        eventBridgeEvent('order.placed', {
          trkref: 'ACME',
          order_ref: `O-${unique}`,
          customer: { email: `i-${unique}@example.com`, first_name: 'Jane' },
          lines: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }],
        }),
      ]);
    case 'Publisher':
      return {
        Records: [
          {
            eventID: unique,
            eventName: 'INSERT',
            eventSource: 'aws:dynamodb',
            dynamodb: {
              SequenceNumber: '100000000000000000001',
              NewImage: {
                pk: { S: `ORG#corp_123#EMAIL#x-${unique}@example.com` },
                sk: { S: 'CUSTOMER' },
                entity: { S: 'customer' },
                id: { S: `cust_${unique}` },
                corporation_id: { S: 'corp_123' },
                name: { S: 'Bench Co' },
                created_at: { N: '1795473047' },
              },
            },
          },
        ],
      };
  }
}

/** Whether `name` answered `result` as it should (a failed call would make timings meaningless). */
export function answeredWell(name: BenchTarget, answer: unknown): boolean {
  const result = answer as
    | {
        statusCode?: number;
        isAuthorized?: boolean;
        context?: { authenticated?: string };
        batchItemFailures?: unknown[];
      }
    | undefined;
  switch (name) {
    case 'CreatePurchaser':
    case 'CreateCustomer':
    case 'KohortPayCreateCustomer':
    case 'CommerceLayerCreateCustomer':
      return result?.statusCode === 201;
    case 'GetPurchaser':
    case 'UpdatePurchaser':
    case 'ListPurchases':
    case 'GetCustomer':
    case 'ListCustomers':
    case 'UpdateCustomer':
    case 'KohortPayGetCustomer':
    case 'KohortPayListCustomers':
    case 'KohortPayUpdateCustomer':
    // KohortPay answers a deletion with the deleted customer.
    case 'KohortPayDeleteCustomer':
    case 'CommerceLayerToken':
    case 'CommerceLayerGetCustomer':
    case 'CommerceLayerListCustomers':
    case 'CommerceLayerUpdateCustomer':
    case 'OpenApiDocument':
    case 'DocsPage':
    case 'DocsAsset':
      return result?.statusCode === 200;
    case 'ErasePurchaser':
    case 'EraseCustomer':
    case 'CommerceLayerDeleteCustomer':
      return result?.statusCode === 204;
    case 'Fallback':
      return result?.statusCode === 404;
    case 'Authorizer':
      return result?.isAuthorized === true && result.context?.authenticated === 'true';
    case 'Ingest':
    case 'Publisher':
      return Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0;
  }
}
