// The middy stack every HTTP handler is built from:
//
//   boundary (request id, access log, JSON/problem responses, error mapping)
//     -> body size limit (413) -> JSON body parser (415, 400) -> valibot validation (422)
//       -> the route's handle(): one domain call, one response mapping
//
// Handlers return `{ statusCode, body }` with a plain object body; the boundary serialises it and
// adds the headers every response carries. Any thrown Problem becomes its problem+json response;
// throttling and timeouts become 503; anything else is logged and answered with a bare 500.
import middy, { type MiddlewareObj, type Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as v from 'valibot';
import { routes } from '../../lib/routes.ts';
import type { Idempotency } from './idempotency.ts';
import { describeError, type Logger } from './logger.ts';
import { type Principal, principalOf } from './principal.ts';
import {
  forbiddenOrganisation,
  internalError,
  malformedJson,
  notFound,
  payloadTooLarge,
  Problem,
  type ProblemBody,
  serviceUnavailable,
  unauthenticated,
  unsupportedMediaType,
  validationFailed,
} from './problem.ts';
import { fieldErrors } from './schema.ts';
import { readableStack } from './stack-trace.ts';
import { isTransientStoreError } from './store-errors.ts';

/** Largest request body accepted, in bytes (after base64 decoding). */
export const MAX_BODY_BYTES = 256 * 1024;

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RequestInfo {
  readonly requestId: string;
  /** The partner calling (routes with `auth: 'partner'`); undefined on open routes. */
  readonly principal: Principal | undefined;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly event: HttpEvent;
  readonly log: Logger;
}

interface RouteOptions {
  /** The route table row this handler serves (its `name`): logs use it, and its `auth` applies. */
  readonly name: string;
  readonly log: Logger;
  /** Adds route-specific members to every problem body (the Reevoo contract's `message`). */
  readonly decorateProblem?: (body: ProblemBody) => ProblemBody;
}

type HttpRequest = Request<HttpEvent, HttpResponse, Error, Context>;

/** A route that takes a JSON body validated by `schema`. */
export function jsonRoute<S extends v.GenericSchema>(
  options: RouteOptions & {
    readonly schema: S;
    /** Checks the path parameters before the body is read; a failure is a 404 naming the parameter. */
    readonly pathParameters?: v.GenericSchema;
    /**
     * The organisation the request acts for: outside the caller's key, the answer is 403. Named
     * by a path parameter, it is checked before the body is read (a caller learns nothing about
     * another organisation's validation rules); named in the body, once the body is valid.
     */
    readonly organisation?: { readonly pathParameter: string } | ((body: v.InferOutput<S>) => string);
    /** Honours Idempotency-Key (records kept by idempotency.ts); without it the header is ignored. */
    readonly idempotency?: Idempotency;
    readonly handle: (body: v.InferOutput<S>, request: RequestInfo) => Promise<HttpResult>;
  },
): HttpHandler {
  return middy<HttpEvent, HttpResponse, Error, Context>()
    .use(boundary(options))
    .use(validatePath(options.pathParameters))
    .use(authorisePath(typeof options.organisation === 'object' ? options.organisation.pathParameter : undefined))
    .use(bodyLimit(MAX_BODY_BYTES))
    .use(jsonBody())
    .use(validateBody(options.schema))
    .handler((async (event: HttpEvent): Promise<HttpResult> => {
      const request = requestInfo(event);
      const body = event.body as v.InferOutput<S>;
      if (typeof options.organisation === 'function' && request.principal) {
        const org = options.organisation(body);
        if (!request.principal.orgs.includes(org)) throw forbiddenOrganisation(org);
      }
      const key = event.headers['idempotency-key'];
      if (options.idempotency && key !== undefined && request.principal) {
        const state = (event as EventWithState)[STATE]!;
        return options.idempotency.run(
          { apiKeyId: request.principal.keyId, key, method: event.requestContext.http.method, path: event.rawPath, body: bodyBytes(state.rawBody) },
          () => options.handle(body, request),
        );
      }
      return options.handle(body, request);
    }) as never) as unknown as HttpHandler;
}

/** A route that reads no body (the fallback). */
export function plainRoute(
  options: RouteOptions & { readonly handle: (request: RequestInfo) => Promise<HttpResult> },
): HttpHandler {
  return middy<HttpEvent, HttpResponse, Error, Context>()
    .use(boundary(options))
    .handler((event) => options.handle(requestInfo(event)) as never) as unknown as HttpHandler;
}

// The boundary stores the request's id and logger on the event under a symbol, so the handler can
// reach them without widening the event type that the rest of the stack sees.
const STATE = Symbol('request-state');
type RequestState = {
  requestId: string;
  startedAt: number;
  /** The route's logger; the request's own (with its ids) is made on first use, see logOf. */
  baseLog: Logger;
  log?: Logger;
  principal: Principal | undefined;
  /** The body as received, before parsing. */
  rawBody: { body: string | undefined; base64: boolean };
};

/** The request's logger, carrying its ids; built only when something logs. */
function logOf(state: RequestState): Logger {
  state.log ??= state.baseLog.child({
    request_id: state.requestId,
    ...(state.principal ? { key_id: state.principal.keyId } : {}),
  });
  return state.log;
}

const bodyBytes = ({ body, base64 }: RequestState['rawBody']) =>
  body === undefined ? Buffer.alloc(0) : Buffer.from(body, base64 ? 'base64' : 'utf8');
type EventWithState = HttpEvent & { [STATE]?: RequestState };

function requestInfo(event: HttpEvent): RequestInfo {
  const state = (event as EventWithState)[STATE]!;
  return {
    requestId: state.requestId,
    principal: state.principal,
    pathParameters: event.pathParameters ?? {},
    event,
    get log() {
      return logOf(state);
    },
  };
}

function boundary(options: RouteOptions): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  const decorate = options.decorateProblem ?? ((body) => body);
  const route = routes.find((row) => row.name === options.name);
  if (!route) throw new Error(`no route named ${options.name} in the route table`);
  const routeLog = options.log.child({ route: options.name });

  const finish = (request: HttpRequest, response: HttpResponse) => {
    const state = (request.event as EventWithState)[STATE]!;
    // API Gateway's access log records every request (id, route, status, latency); the function
    // adds a line of its own only at debug level, and warnings and errors whatever the level.
    if (state.baseLog.enabled('debug')) logOf(state).debug('request', {
      method: request.event.requestContext?.http?.method,
      path: request.event.rawPath,
      status: response.statusCode,
      duration_ms: Date.now() - state.startedAt,
    });
    request.response = response;
  };

  return {
    before(request) {
      const event = request.event as EventWithState;
      event.headers ??= {};
      const requestId = event.requestContext?.requestId || request.context?.awsRequestId || localRequestId();
      const rawBody = { body: typeof event.body === 'string' ? event.body : undefined, base64: event.isBase64Encoded === true };
      event[STATE] = { requestId, startedAt: Date.now(), baseLog: routeLog, principal: undefined, rawBody };
      if (route.auth === 'partner') {
        const principal = principalOf(event);
        if (typeof principal === 'string') throw unauthenticated(principal);
        event[STATE].principal = principal;
      }
    },
    after(request) {
      const state = (request.event as EventWithState)[STATE]!;
      const result = request.response as unknown as HttpResult;
      finish(request, {
        statusCode: result.statusCode,
        headers: { ...baseHeaders(state.requestId, 'application/json'), ...result.headers },
        body: result.body === undefined ? '' : JSON.stringify(result.body),
      });
    },
    onError(request) {
      const event = request.event as EventWithState;
      // An error thrown before `before` ran (there is none today) still gets an id.
      event[STATE] ??= { requestId: localRequestId(), startedAt: Date.now(), baseLog: routeLog, principal: undefined, rawBody: { body: undefined, base64: false } };
      const state = event[STATE];
      const problem = toProblem(request.error, () => logOf(state));
      finish(request, {
        statusCode: problem.status,
        headers: { ...baseHeaders(state.requestId, 'application/problem+json'), ...problem.headers },
        body: JSON.stringify(decorate(problem.toBody())),
      });
    },
  };
}

/**
 * An id for a request that arrives without one (API Gateway and Lambda always give one). It only
 * has to be unique in the logs, not unguessable. Not from node:crypto: loading that module was
 * two thirds of the fallback function's cold start (17 ms with it, 6 ms without, measured here).
 */
let localRequests = 0;
const localRequestId = () => `local-${Date.now().toString(36)}-${process.pid.toString(36)}-${(++localRequests).toString(36)}`;

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
  log().error('unhandled error', { ...describeError(error), stack: error instanceof Error ? readableStack(error) : undefined });
  return internalError();
}

function validatePath(schema: v.GenericSchema | undefined): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before({ event }) {
      if (!schema) return;
      const result = v.safeParse(schema, event.pathParameters ?? {}, { abortPipeEarly: true });
      if (result.success) return;
      const [first] = fieldErrors(result.issues);
      throw notFound(`The path parameter ${first!.pointer.slice(1)} ${first!.detail}.`);
    },
  };
}

/** 403 unless the caller's key covers the organisation named by path parameter `name`. */
function authorisePath(name: string | undefined): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before({ event }) {
      const principal = (event as EventWithState)[STATE]!.principal;
      if (name === undefined || !principal) return;
      const org = event.pathParameters?.[name] ?? '';
      if (!principal.orgs.includes(org)) throw forbiddenOrganisation(org);
    },
  };
}

function bodyLimit(maxBytes: number): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before({ event }) {
      if (typeof event.body !== 'string') return;
      const bytes = Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes > maxBytes) throw payloadTooLarge(maxBytes);
    },
  };
}

/**
 * @middy/http-json-body-parser, with its errors mapped to this API's contract: a body that is not
 * JSON by content type is 415; a missing, malformed or prototype-polluting body is 400.
 */
function jsonBody(): MiddlewareObj<HttpEvent, HttpResponse> {
  const parser = httpJsonBodyParser();
  return {
    before(request) {
      try {
        parser.before!(request as never);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415) throw unsupportedMediaType();
        if (status === 422) {
          throw malformedJson(
            (error as Error).message === 'Forbidden key in JSON body'
              ? 'The request body uses a reserved key (__proto__ or constructor.prototype).'
              : request.event.body
                ? 'The request body is not valid JSON.'
                : 'The request body is empty; send a JSON object.',
          );
        }
        throw error;
      }
    },
  };
}

function validateBody(schema: v.GenericSchema): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before(request) {
      const body: unknown = request.event.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw validationFailed([{ pointer: '', detail: 'must be a JSON object' }]);
      }
      const result = v.safeParse(schema, body, { abortPipeEarly: true });
      if (!result.success) throw validationFailed(fieldErrors(result.issues));
      (request.event as { body: unknown }).body = result.output;
    },
  };
}
