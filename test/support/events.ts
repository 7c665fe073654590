// API Gateway HTTP API (payload 2.0) events and Lambda contexts for calling handlers directly.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type AuthFailure, contextFor, type Principal } from '../../functions/http/principal.ts';
import type { HttpEvent, HttpHandler } from '../../functions/http/route.ts';

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
   * The caller as the authorizer would describe it; `null` for no authorizer context at all. By
   * default a partner key that may act for the organisation the request names (path `trkref` or
   * body `corporation_id`), so tests of other behaviour are not about authorisation.
   */
  principal?: Principal | AuthFailure | null;
}

export const partner = (orgs: string[], platform: string | null = null): Principal => ({
  keyId: 'key_000000000000000000000000',
  orgs,
  platform,
});

function defaultPrincipal(init: EventInit): Principal {
  const body = typeof init.body === 'object' && init.body !== null ? (init.body as Record<string, unknown>) : {};
  const orgs = [init.pathParameters?.trkref, body.corporation_id].filter(
    (org): org is string => typeof org === 'string',
  );
  return partner(orgs);
}

export function httpEvent(init: EventInit): HttpEvent {
  const body = init.body === undefined || typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const method = init.method ?? 'POST';
  return {
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
      ...(init.principal === null
        ? {}
        : {
            authorizer: { lambda: contextFor(init.principal === undefined ? defaultPrincipal(init) : init.principal) },
          }),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
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
  const response = await handler(event, lambdaContext());
  const body = response.body ?? '';
  return {
    statusCode: response.statusCode ?? 200,
    headers: (response.headers ?? {}) as Record<string, string>,
    body,
    json: body ? JSON.parse(body) : undefined,
  };
}
