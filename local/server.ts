// The local stand-in for API Gateway: an HTTP server that turns each request into an API Gateway
// HTTP API (payload format 2.0) event, dispatches it by the route table to the real handler, and
// turns the handler's result back into an HTTP response. Unmatched requests go to the `$default`
// row, as on AWS.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { fallbackRow, matchRoute, type Route, routes, timeoutSecondsOf } from '../contract/routes.ts';
import type { HttpEvent, HttpHandler } from '../functions/http/route.ts';

export interface Handlers {
  /** By route name. */
  readonly routes: ReadonlyMap<string, HttpHandler>;
}

/** API Gateway HTTP APIs refuse request bodies over 10 MB before any function runs. */
const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

export interface LocalServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Imports every row's handler module (paths relative to `root`). Unless told otherwise, handlers
 * read API keys on every request (no per-container cache): a key revoked locally stops at once.
 */
export async function loadHandlers(root: URL, table: readonly Route[] = routes): Promise<Handlers> {
  process.env.API_KEY_CACHE_SECONDS ??= '0';
  const handlers = new Map<string, HttpHandler>();
  for (const route of table) {
    const module = (await import(new URL(route.entry, root).href)) as { handler: HttpHandler };
    handlers.set(route.name, module.handler);
  }
  return { routes: handlers };
}

export function repositoryRoot(): URL {
  return new URL('../', import.meta.url);
}

/**
 * One line of the access log, the fields the stack's API Gateway access log has: no path, which
 * may hold an email (personal data); the route key names the route by its template.
 */
export interface AccessLogEntry {
  requestId: string;
  method: string;
  routeKey: string;
  status: number;
  latencyMs: number;
}

/** An answer as written to the client. */
export interface ObservedAnswer {
  readonly method: string;
  /** The path as sent (percent-encoded). */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export async function startLocalServer(options: {
  handlers: Handlers;
  port?: number;
  host?: string;
  table?: readonly Route[];
  /** Called once per request answered, as API Gateway writes its access log. */
  accessLog?: (entry: AccessLogEntry) => void;
  /** Called with each answer a handler gives, as the client receives it (the tests check them). */
  observe?: (answer: ObservedAnswer) => void;
}): Promise<LocalServer> {
  const table = options.table ?? routes;
  const catchAll = table.find((route) => route.path === '$default') ?? fallbackRow;

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // Only reached if the adapter itself fails; the handlers answer their own errors.
      process.stderr.write(`local server: ${(error as Error).stack ?? String(error)}\n`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const match = matchRoute(method, url.pathname, table);
    const route = match.kind === 'route' ? match.route : catchAll;
    const handler = options.handlers.routes.get(route.name);
    if (!handler) throw new Error(`no handler loaded for route ${route.name}`);

    const event = toEvent(req, url, body, route, match.kind === 'route' ? match.pathParameters : undefined);
    res.once('finish', () =>
      options.accessLog?.({
        requestId: event.requestContext.requestId,
        method,
        routeKey: event.routeKey,
        status: res.statusCode,
        latencyMs: Date.now() - started,
      }),
    );
    const result = await handler(event, lambdaContext(route, event.requestContext.requestId));
    const answer = writeResult(res, result);
    options.observe?.({ method, path: url.pathname, ...answer });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// HTTP APIs pass text bodies as strings and everything else base64-encoded.
const TEXT_CONTENT =
  /^(text\/|application\/([a-z0-9.+-]+\+)?(json|xml)|application\/(javascript|x-www-form-urlencoded))/i;

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: Route,
  pathParameters: Record<string, string> | undefined,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // Set by API Gateway from the connection, whatever the client sent; here the connection is plain HTTP.
  headers['x-forwarded-proto'] = 'http';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const text = TEXT_CONTENT.test(contentType) && isUtf8(body);
  const now = new Date();
  const method = req.method ?? 'GET';
  const routeKey = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}

function lambdaContext(route: Route, requestId: string): Context {
  const functionName = route.name;
  // The function's own timeout, as on Lambda (the stack gives every function its row's).
  const deadline = Date.now() + timeoutSecondsOf(route) * 1_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Writes the handler's result as API Gateway does; returns what was written. */
function writeResult(
  res: ServerResponse,
  result: APIGatewayProxyResultV2,
): { status: number; headers: Record<string, string>; body: Buffer } {
  // A bare value (not `{ statusCode, ... }`) is a 200 JSON response on HTTP APIs.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const headers = { 'content-type': 'application/json' };
    const body = Buffer.from(typeof result === 'string' ? result : JSON.stringify(result));
    res.writeHead(200, headers);
    res.end(body);
    return { status: 200, headers, body };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const status = result.statusCode ?? 200;
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(status, { ...headers, ...(result.cookies?.length ? { 'set-cookie': result.cookies } : {}) });
  res.end(body.length ? body : undefined);
  return { status, headers, body };
}
