// API Gateway HTTP API (payload 2.0) events and Lambda contexts for calling handlers directly.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpResponse } from '../../functions/shared/http.ts';

export interface EventInit {
  method?: string;
  path: string;
  routeKey?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  isBase64Encoded?: boolean;
}

export function httpEvent(init: EventInit): APIGatewayProxyEventV2 {
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
  json: any;
}

export async function invoke(
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>,
  event: APIGatewayProxyEventV2,
): Promise<TestResponse> {
  const response = await handler(event, lambdaContext());
  const body = response.body ?? '';
  return {
    statusCode: response.statusCode ?? 200,
    headers: (response.headers ?? {}) as Record<string, string>,
    body,
    json: body ? JSON.parse(body) : undefined,
  };
}
