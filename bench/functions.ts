// The functions the benchmark measures, each with its bare twin (bench/baselines) and the request
// it handles: the same event for both, unique per call where the job is a write, so every call
// writes. Nothing here imports the AWS SDK: runners import this before the measured window.

import { createCustomerRow, createPurchaserRow } from '../contract/routes.ts';
import { contextFor } from '../functions/http/principal.ts';
import { eventBridgeEvent, sqsBatch } from '../local/events.ts';

export const FUNCTIONS = [
  'CreatePurchaser',
  'CreateCustomer',
  'Authorizer',
  'Fallback',
  'Ingest',
  'Publisher',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** bench/baselines/<file>.ts for each function. */
export const TWINS: Record<FunctionName, string> = {
  CreatePurchaser: 'purchaser',
  CreateCustomer: 'customer',
  Authorizer: 'authorizer',
  Fallback: 'fallback',
  Ingest: 'ingest',
  Publisher: 'publisher',
};

const example = (route: typeof createPurchaserRow) => route.example!;

function httpEvent(method: string, path: string, body: unknown, pathParameters?: Record<string, string>) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
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
        lambda: contextFor({ keyId: 'key_bench0000000000000000000', orgs: ['ACME', 'corp_123'], platform: null }),
      },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/** The event `name` handles in the benchmark; `unique` makes writes distinct; `token` is a valid API key. */
export function eventFor(name: FunctionName, unique: string, token: string): unknown {
  switch (name) {
    case 'CreatePurchaser': {
      const { path, body } = example(createPurchaserRow);
      return httpEvent('POST', path, { ...(body as object), email: `p-${unique}@example.com` }, { trkref: 'ACME' });
    }
    case 'CreateCustomer': {
      const { path, body } = example(createCustomerRow);
      return httpEvent('POST', path, { ...(body as object), email: `c-${unique}@example.com` });
    }
    case 'Fallback':
      return httpEvent('GET', '/nowhere', undefined);
    case 'Authorizer':
      return {
        ...httpEvent('POST', '/customers', undefined),
        type: 'REQUEST',
        headers: { authorization: `Bearer ${token}` },
      };
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
export function answeredWell(name: FunctionName, answer: unknown): boolean {
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
