// The functions the benchmark measures, each with its bare twin (bench/baselines) and the request
// it handles: the same event for both, unique per call where the job is a write, so every call
// writes. Nothing here imports the AWS SDK: runners import this before the measured window.

import {
  commerceLayerCreateCustomerRow,
  commerceLayerGetCustomerRow,
  commerceLayerTokenRow,
  createCustomerRow,
  createPurchaserRow,
  kohortPayCreateCustomerRow,
  kohortPayGetCustomerRow,
  type Route,
} from '../contract/routes.ts';
import { presentedId } from '../functions/customers/ids.ts';
import { eventBridgeEvent, sqsBatch } from '../local/events.ts';

export const FUNCTIONS = [
  'CreatePurchaser',
  'CreateCustomer',
  'KohortPayCreateCustomer',
  'KohortPayGetCustomer',
  'CommerceLayerToken',
  'CommerceLayerCreateCustomer',
  'CommerceLayerGetCustomer',
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
  CreateCustomer: 'customer',
  KohortPayCreateCustomer: 'kohortpay-customer',
  KohortPayGetCustomer: 'kohortpay-read',
  CommerceLayerToken: 'commercelayer-token',
  CommerceLayerCreateCustomer: 'commercelayer-customer',
  CommerceLayerGetCustomer: 'commercelayer-read',
  Fallback: 'fallback',
  Ingest: 'ingest',
  Publisher: 'publisher',
};

/**
 * What the requests need besides their own data, made once by the harness (bench/harness.ts) and
 * handed to the runners in their environment.
 */
export interface BenchFixture {
  /** `<key id>.<secret>`: a partner key for ACME and corp_123. */
  readonly apiKey: string;
  /** An access token of that key, as the token endpoint issues them (functions/auth/tokens.ts). */
  readonly accessToken: string;
  /** A customer of ACME, as stored (`cust_…`): what the read routes read. */
  readonly customerId: string;
}

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
    headers?: Readonly<Record<string, string>>;
    authorization?: string | null;
  } = {},
) {
  const { pathParameters, authorization = `Bearer ${token}` } = options;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
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
        lambda: { authenticated: 'true', key_id: token.split('.')[0], orgs: 'ACME,corp_123', platform: '' },
      },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/** A GET of the fixture's customer on a read route, which shows the id as `dialect` does. */
function readEvent(route: Route, dialect: 'kohortpay' | 'commercelayer', fixture: BenchFixture, headers: object) {
  const id = presentedId(fixture.customerId, dialect);
  return httpEvent('GET', route.path.replace('{id}', id), undefined, fixture.apiKey, {
    pathParameters: { id },
    headers: { 'x-organisation-id': 'ACME', ...headers },
    ...(dialect === 'commercelayer' ? { authorization: `Bearer ${fixture.accessToken}` } : {}),
  });
}

/** The event `name` handles in the benchmark; `unique` makes writes distinct. */
export function eventFor(name: BenchTarget, unique: string, fixture: BenchFixture): unknown {
  const token = fixture.apiKey;
  switch (name) {
    case 'CreatePurchaser': {
      const { path, body } = example(createPurchaserRow);
      const purchaser = { ...(body as object), email: `p-${unique}@example.com` };
      return httpEvent('POST', path, purchaser, token, { pathParameters: { trkref: 'ACME' } });
    }
    case 'CreateCustomer': {
      const { path, body } = example(createCustomerRow);
      return httpEvent('POST', path, { ...(body as object), email: `c-${unique}@example.com` }, token);
    }
    case 'KohortPayCreateCustomer': {
      const { path, body } = example(kohortPayCreateCustomerRow);
      const customer = { ...(body as object), emailAddress: `k-${unique}@example.com` };
      return httpEvent('POST', path, customer, token, { headers: exampleHeaders(kohortPayCreateCustomerRow) });
    }
    case 'KohortPayGetCustomer':
      return readEvent(kohortPayGetCustomerRow, 'kohortpay', fixture, {});
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
      return readEvent(commerceLayerGetCustomerRow, 'commercelayer', fixture, {
        accept: exampleHeaders(commerceLayerCreateCustomerRow).accept ?? '',
      });
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
    case 'KohortPayGetCustomer':
    case 'CommerceLayerToken':
    case 'CommerceLayerGetCustomer':
      return result?.statusCode === 200;
    case 'Fallback':
      return result?.statusCode === 404;
    case 'Authorizer':
      return result?.isAuthorized === true && result.context?.authenticated === 'true';
    case 'Ingest':
    case 'Publisher':
      return Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0;
  }
}
