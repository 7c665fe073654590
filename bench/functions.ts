// The functions the benchmark measures, each with its bare twin (bench/baselines) and the request
// it handles: the same event for both, unique per call where the job is a write, so every call
// writes. Nothing here imports the AWS SDK: runners import this before the measured window.

import { createCustomerRow, createPurchaserRow } from '../contract/routes.ts';
import { eventBridgeEvent, sqsBatch } from '../local/events.ts';

export const FUNCTIONS = ['CreatePurchaser', 'CreateCustomer', 'Fallback', 'Ingest', 'Publisher'] as const;
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
  Fallback: 'fallback',
  Ingest: 'ingest',
  Publisher: 'publisher',
};

const example = (route: typeof createPurchaserRow) => route.example!;

/**
 * An HTTP API event carrying the key both ways: in the Authorization header (read by handlers that
 * authenticate) and as the Lambda authorizer's context (read by handlers of trees that had one),
 * so one event serves this tree and older ones alike.
 */
function httpEvent(
  method: string,
  path: string,
  body: unknown,
  token: string,
  pathParameters?: Record<string, string>,
) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
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

/** The event `name` handles in the benchmark; `unique` makes writes distinct; `token` is a valid API key. */
export function eventFor(name: BenchTarget, unique: string, token: string): unknown {
  switch (name) {
    case 'CreatePurchaser': {
      const { path, body } = example(createPurchaserRow);
      const purchaser = { ...(body as object), email: `p-${unique}@example.com` };
      return httpEvent('POST', path, purchaser, token, { trkref: 'ACME' });
    }
    case 'CreateCustomer': {
      const { path, body } = example(createCustomerRow);
      return httpEvent('POST', path, { ...(body as object), email: `c-${unique}@example.com` }, token);
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
      return result?.statusCode === 201;
    case 'Fallback':
      return result?.statusCode === 404;
    case 'Authorizer':
      return result?.isAuthorized === true && result.context?.authenticated === 'true';
    case 'Ingest':
    case 'Publisher':
      return Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0;
  }
}
