// The middy stack every HTTP handler is built from, given its row of the route table:
//
//   boundary: request id, 401 unless the authorizer vouched for a valid key, problem+json answers
//     -> path parameters (404) -> 403 unless the key covers the path's organisation
//     -> body size limit (413) -> JSON body (415, 400)                      (routes with a body)
//     -> handler: valibot schema (422) -> 403 unless the key covers the body's organisation
//          -> Idempotency-Key (claim / replay) -> the route's handle(): one domain call, one response mapping
//
// A route's handle() returns `{ statusCode, body }` with a plain body; the handler serialises it
// with the headers every response carries. Any thrown Problem becomes its problem+json response;
// throttling and timeouts become 503; anything else is logged and answered with a bare 500.
//
// What the boundary learns about a request (its id, the caller) travels on Lambda's context as
// `context.http` (middy's typed context), seeded when the request comes in.
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithRequestContext,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as v from 'valibot';
import type { Route } from '../../contract/routes.ts';
import { describeError, type Logger } from '../runtime/logger.ts';
import { readableStack } from '../runtime/stack-trace.ts';
import { fieldErrors } from '../schema/issues.ts';
import { isTransientStoreError } from '../store/errors.ts';
import type { Idempotency } from './idempotency.ts';
import { type Principal, principalFrom, type ReceivedAuthorizerContext } from './principal.ts';
import {
  forbiddenOrganisation,
  internalError,
  malformedJson,
  notFound,
  Problem,
  type ProblemBody,
  payloadTooLarge,
  serviceUnavailable,
  unauthenticated,
  unsupportedMediaType,
  validationFailed,
} from './problem.ts';

/** Largest request body accepted, in bytes (after base64 decoding). */
const MAX_BODY_BYTES = 256 * 1024;

/** An HTTP API request (payload format 2.0), with the Lambda authorizer's context when it ran. */
export type HttpEvent = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { authorizer?: { lambda?: ReceivedAuthorizerContext } }
>;
export type HttpResponse = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** A route's answer, before serialisation (also what an idempotent retry replays). */
export interface HttpResult {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a route's handle() knows about its request. */
export interface RouteRequest<B> {
  readonly requestId: string;
  /** The partner calling (routes with `auth: 'partner'`); undefined on open routes. */
  readonly principal: Principal | undefined;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** The body, valid for the route's schema (undefined for routes without one). */
  readonly body: B;
  readonly event: HttpEvent;
  /** The route's logger, carrying the request's ids. */
  readonly log: Logger;
}

export interface RouteOptions<B> {
  readonly log: Logger;
  /** Checks the path parameters before the body is read; a failure is a 404 naming the parameter. */
  readonly pathParameters?: v.GenericSchema;
  /**
   * The organisation the request acts for: outside the caller's key, the answer is 403. Named by a
   * path parameter, it is checked before the body is read (a caller learns nothing about another
   * organisation's validation rules); named in the body, once the body is valid.
   */
  readonly organisation?: { readonly pathParameter: string } | ((body: B) => string);
  /** Honours Idempotency-Key (records kept by idempotency.ts); without it the header is ignored. */
  readonly idempotency?: Idempotency;
  /** Adds route-specific members to every problem body (the Reevoo contract's `message`). */
  readonly decorateProblem?: (body: ProblemBody) => ProblemBody;
  readonly handle: (request: RouteRequest<B>) => Promise<HttpResult>;
}

/** A route that takes a JSON body, valid for `body`. */
export function jsonRoute<S extends v.GenericSchema>(
  row: Route,
  options: RouteOptions<v.InferOutput<S>> & { readonly body: S },
): HttpHandler {
  return build(row, options, [bodyLimit(MAX_BODY_BYTES), jsonBody()], (event) => validBody(options.body, event.body));
}

/** A route that reads no body. */
export function plainRoute(row: Route, options: RouteOptions<undefined>): HttpHandler {
  return build(row, options, [], () => undefined);
}

/** The request as the boundary knows it, on `context.http`. */
interface RequestState {
  readonly requestId: string;
  readonly startedAt: number;
  /** The body as received, before parsing: what an idempotent retry must repeat. */
  readonly received: { readonly body: string | undefined; readonly base64: boolean };
  readonly routeLog: Logger;
  principal: Principal | undefined;
  /** The request's own logger (with its ids), made on first use: see logOf. */
  log: Logger | undefined;
}

type HttpContext = Context & { readonly http: RequestState };
type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResponse, Error, HttpContext>;

function build<B>(
  row: Route,
  options: RouteOptions<B>,
  bodyMiddlewares: HttpMiddleware[],
  readBody: (event: HttpEvent) => B,
): HttpHandler {
  const routeLog = options.log.child({ route: row.name });
  const organisation = options.organisation;
  const stack = middy<HttpEvent, HttpResponse, Error, HttpContext>()
    .use([
      boundary(row, options.decorateProblem),
      // Only the steps a route has: each middleware is a call on every request, taken or not.
      ...(options.pathParameters ? [validatePath(options.pathParameters)] : []),
      ...(typeof organisation === 'object' ? [authorisePath(organisation.pathParameter)] : []),
      ...bodyMiddlewares,
    ])
    .handler(async (event, context) => {
      const state = context.http;
      const body = readBody(event);
      const { principal } = state;
      if (typeof organisation === 'function' && principal) authorise(principal, organisation(body));
      const request: RouteRequest<B> = {
        requestId: state.requestId,
        principal,
        pathParameters: event.pathParameters ?? {},
        body,
        event,
        get log() {
          return logOf(state);
        },
      };
      const key = event.headers['idempotency-key'];
      const result =
        options.idempotency && key !== undefined && principal
          ? await options.idempotency.run(
              {
                apiKeyId: principal.keyId,
                key,
                method: event.requestContext.http.method,
                path: event.rawPath,
                body: bytesOf(state.received),
              },
              () => options.handle(request),
            )
          : await options.handle(request);
      return {
        statusCode: result.statusCode,
        headers: { ...baseHeaders(state.requestId, 'application/json'), ...result.headers },
        body: result.body === undefined ? '' : JSON.stringify(result.body),
      };
    });

  return (event, context) => {
    const http: RequestState = {
      requestId: event.requestContext?.requestId || context.awsRequestId || localRequestId(),
      startedAt: Date.now(),
      received: {
        body: typeof event.body === 'string' ? event.body : undefined,
        base64: event.isBase64Encoded === true,
      },
      routeLog,
      principal: undefined,
      log: undefined,
    };
    return stack(event, Object.assign(context, { http }));
  };
}

/** The request's logger, carrying its ids; built only when something logs. */
function logOf(state: RequestState): Logger {
  state.log ??= state.routeLog.child({
    request_id: state.requestId,
    ...(state.principal ? { key_id: state.principal.keyId } : {}),
  });
  return state.log;
}

const encodingOf = ({ base64 }: RequestState['received']) => (base64 ? 'base64' : 'utf8');
const bytesOf = (received: RequestState['received']) =>
  received.body === undefined ? Buffer.alloc(0) : Buffer.from(received.body, encodingOf(received));

/** Request id, the caller (401 unless valid), and every error as our problem document. */
function boundary(row: Route, decorate: (body: ProblemBody) => ProblemBody = (body) => body): HttpMiddleware {
  const finish = (event: HttpEvent, state: RequestState, response: HttpResponse) => {
    // API Gateway's access log records every request (id, route, status, latency); the function
    // adds a line of its own only at debug level, and warnings and errors whatever the level.
    if (state.routeLog.enabled('debug')) {
      logOf(state).debug('request', {
        method: event.requestContext?.http?.method,
        path: event.rawPath,
        status: response.statusCode,
        duration_ms: Date.now() - state.startedAt,
      });
    }
  };
  return {
    before({ event, context }) {
      event.headers ??= {};
      if (row.auth !== 'partner') return;
      const principal = principalFrom(event.requestContext?.authorizer?.lambda);
      if (typeof principal === 'string') throw unauthenticated(principal);
      context.http.principal = principal;
    },
    after({ event, context, response }) {
      if (response) finish(event, context.http, response);
    },
    onError(request) {
      const state = request.context.http;
      const problem = toProblem(request.error, () => logOf(state));
      request.response = {
        statusCode: problem.status,
        headers: { ...baseHeaders(state.requestId, 'application/problem+json'), ...problem.headers },
        body: JSON.stringify(decorate(problem.toBody())),
      };
      finish(request.event, state, request.response);
    },
  };
}

/**
 * An id for a request that arrives without one (API Gateway and Lambda always give one). It only
 * has to be unique in the logs, not unguessable. Not from node:crypto: loading that module was
 * two thirds of the fallback function's cold start (17 ms with it, 6 ms without, measured here).
 */
let localRequests = 0;
const localRequestId = () =>
  `local-${Date.now().toString(36)}-${process.pid.toString(36)}-${(++localRequests).toString(36)}`;

const baseHeaders = (requestId: string, contentType: string) => ({
  'content-type': contentType,
  'cache-control': 'no-store',
  'x-request-id': requestId,
});

function toProblem(error: unknown, log: () => Logger): Problem {
  if (error instanceof Problem) return error;
  if (isTransientStoreError(error)) {
    log().warn('store unavailable', describeError(error));
    return serviceUnavailable();
  }
  const stack = error instanceof Error ? readableStack(error) : undefined;
  log().error('unhandled error', { ...describeError(error), stack });
  return internalError();
}

function authorise(principal: Principal, org: string) {
  if (!principal.orgs.includes(org)) throw forbiddenOrganisation(org);
}

function validatePath(schema: v.GenericSchema): HttpMiddleware {
  return {
    before({ event }) {
      const result = v.safeParse(schema, event.pathParameters ?? {}, { abortPipeEarly: true });
      if (result.success) return;
      const [first] = fieldErrors(result.issues);
      throw notFound(`The path parameter ${first?.pointer.slice(1)} ${first?.detail}.`);
    },
  };
}

/** 403 unless the caller's key covers the organisation named by path parameter `name`. */
function authorisePath(name: string): HttpMiddleware {
  return {
    before({ event, context }) {
      const { principal } = context.http;
      if (!principal) return;
      authorise(principal, event.pathParameters?.[name] ?? '');
    },
  };
}

function bodyLimit(maxBytes: number): HttpMiddleware {
  return {
    before({ context }) {
      const { received } = context.http;
      if (received.body === undefined) return;
      if (Buffer.byteLength(received.body, encodingOf(received)) > maxBytes) throw payloadTooLarge(maxBytes);
    },
  };
}

/**
 * @middy/http-json-body-parser, with its errors mapped to this API's contract: a body that is not
 * JSON by content type is 415; a missing, malformed or prototype-polluting body is 400.
 */
function jsonBody(): HttpMiddleware {
  const parser = httpJsonBodyParser<HttpEvent>();
  return {
    before(request) {
      try {
        parser.before?.(request);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415) throw unsupportedMediaType();
        if (status !== 422) throw error;
        throw malformedJson(
          (error as Error).message === 'Forbidden key in JSON body'
            ? 'The request body uses a reserved key (__proto__ or constructor.prototype).'
            : request.event.body
              ? 'The request body is not valid JSON.'
              : 'The request body is empty; send a JSON object.',
        );
      }
    },
  };
}

/** The parsed body, valid for `schema`, or a 422 naming every bad field. */
function validBody<S extends v.GenericSchema>(schema: S, parsed: unknown): v.InferOutput<S> {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw validationFailed([{ pointer: '', detail: 'must be a JSON object' }]);
  }
  const result = v.safeParse(schema, parsed, { abortPipeEarly: true });
  if (!result.success) throw validationFailed(fieldErrors(result.issues));
  return result.output;
}
