// The middy stack every HTTP handler is built from, given its row of the route table:
//
//   boundary: request id, the request's time budget (503), errors in the route's format,
//     401 unless the Authorization header holds a valid key or access token   (partner and token routes)
//     -> 406 unless Accept admits the route's media type                       (JSON:API routes)
//     -> the organisation from the credential: X-Organisation-Id, 400 / 403    (dialect routes)
//     -> path parameters (404) -> 403 unless the key covers the path's organisation
//     -> query parameters (400), for routes that read them
//     -> body size limit (413) -> media type and encoding (415), UTF-8 JSON or a form (400)  (with a body)
//     -> handler: valibot schema (422) -> 403 unless the key covers the body's organisation
//          -> Idempotency-Key (claim / replay) -> the route's handle(): one domain call, one response mapping
//
// A route's handle() returns `{ statusCode, body }` with a plain body; the handler serialises it
// with the headers every response carries. Any thrown Problem becomes its error response in the
// route's format (problem+json unless the route's contract has its own: `errorFormat`); throttling,
// timeouts and an unreachable table become 503, and so does a request still running when its
// budget (functions/runtime/budget.ts) is spent; anything else is logged and answered with a 500.
//
// What the boundary learns about a request (its id, the caller) travels on Lambda's context as
// `context.http` (middy's typed context), seeded when the request comes in.
//
// Every request ends in one log line at `info` (requestLine): its ids, the route's template, the
// organisation and key, the status and the outcome in a word, which is also the metric the line
// carries (embedded metric format: functions/runtime/metrics.ts).
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as v from 'valibot';
import type { Route } from '../../contract/routes.ts';
import { BUDGET_MS, withinBudget } from '../runtime/budget.ts';
import { describeError, type InvocationFields, invocationFields, type Logger } from '../runtime/logger.ts';
import { metricFields } from '../runtime/metrics.ts';
import { readableStack } from '../runtime/stack-trace.ts';
import { fieldErrors } from '../schema/issues.ts';
import { isTransientStoreError } from '../store/errors.ts';
import type { Idempotency } from './idempotency.ts';
import { accepts, isIdentityEncoding, type MediaType, parseMediaType } from './media-type.ts';
import type { Authenticate, Principal } from './principal.ts';
import {
  type Credential,
  type ErrorFormat,
  forbiddenOrganisation,
  internalError,
  invalidQuery,
  malformedForm,
  malformedJson,
  notAcceptable,
  notFound,
  organisationRequired,
  Problem,
  payloadTooLarge,
  problemJson,
  serviceUnavailable,
  unauthenticated,
  unsupportedContentEncoding,
  unsupportedMediaType,
  validationFailed,
} from './problem.ts';

/** Largest request body accepted, in bytes (after base64 decoding). */
const MAX_BODY_BYTES = 256 * 1024;

/** An HTTP API request (payload format 2.0). */
export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** A route's answer, before serialisation (also what an idempotent retry replays). */
export interface HttpResult {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The person the answer speaks of, as their stored answers' index partition (functions/store/
   * keys.ts `replaysPartition`): a stored answer (Idempotency-Key) is filed under it, so erasing
   * the person deletes it too. Never sent.
   */
  readonly subject?: string;
}

/** What a route's handle() knows about its request. */
export interface RouteRequest<B, Q = Readonly<Record<string, string | undefined>>> {
  readonly requestId: string;
  /** The partner calling (routes with `auth: 'partner'` or `'token'`); undefined on open routes. */
  readonly principal: Principal | undefined;
  /**
   * The organisation the request acts for, checked against the caller's key: on routes that take it
   * from the credential, from a path parameter, or (once the body is valid) from the body.
   */
  readonly organisation: string | undefined;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** The query string's parameters, valid for the route's `query` schema (as sent without one). */
  readonly query: Q;
  /** The body, valid for the route's schema (undefined for routes without one). */
  readonly body: B;
  readonly event: HttpEvent;
  /** The route's logger, carrying the request's ids. */
  readonly log: Logger;
}

export interface RouteOptions<B, Q = Readonly<Record<string, string | undefined>>> {
  readonly log: Logger;
  /** Finds the caller behind the Authorization header: required when the row's auth is `partner` or `token`. */
  readonly authenticate?: Authenticate;
  /** Checks the path parameters before the body is read; a failure is a 404 naming the parameter. */
  readonly pathParameters?: v.GenericSchema;
  /**
   * Checks the query string's parameters (API Gateway joins a repeated one with commas) before the
   * body is read; a failure is a 400 naming the parameter.
   */
  readonly query?: v.GenericSchema<unknown, Q>;
  /**
   * The organisation the request acts for: outside the caller's key, the answer is 403. Named by a
   * path parameter, it is checked before the body is read (a caller learns nothing about another
   * organisation's validation rules); named in the body, once the body is valid. `credential`: the
   * key's own organisation, or for a key with several, the one the `X-Organisation-Id` header
   * names (400 without it), before the body is read. `{ queryParameter }`: the same, a query
   * parameter naming it first (the native contract's `?corporation_id=`).
   */
  readonly organisation?:
    | { readonly pathParameter: string }
    | ((body: B) => string)
    | 'credential'
    | { readonly queryParameter: string };
  /**
   * The media type the route speaks, when it is not plain JSON (JSON:API's
   * `application/vnd.api+json`): a body must be sent as exactly it (415), an Accept header must admit
   * it (406), and answers carry it.
   */
  readonly mediaType?: string;
  /** Also takes `application/x-www-form-urlencoded` bodies (each field once), read as an object of strings. */
  readonly forms?: boolean;
  /** Honours Idempotency-Key (records kept by idempotency.ts); without it the header is ignored. */
  readonly idempotency?: Idempotency;
  /**
   * How errors are written: problem+json unless the route's contract has its own error shape; or,
   * for a route that serves several contracts (the catch-all), chosen per request.
   */
  readonly errorFormat?: ErrorFormat | ((event: HttpEvent) => ErrorFormat);
  readonly handle: (request: RouteRequest<B, Q>) => Promise<HttpResult>;
}

/** A route that takes a JSON body, valid for `body`. */
export function jsonRoute<S extends v.GenericSchema, Q = Readonly<Record<string, string | undefined>>>(
  row: Route,
  options: RouteOptions<v.InferOutput<S>, Q> & { readonly body: S },
): HttpHandler {
  return build(
    row,
    options,
    [bodyLimit(MAX_BODY_BYTES), jsonBody(options.mediaType, options.forms === true)],
    (event) => validBody(options.body, event.body),
  );
}

/** A route that reads no body. */
export function plainRoute<Q = Readonly<Record<string, string | undefined>>>(
  row: Route,
  options: RouteOptions<undefined, Q>,
): HttpHandler {
  return build(row, options, [], () => undefined);
}

/** The request as the boundary knows it, on `context.http`. */
interface RequestState {
  readonly requestId: string;
  readonly startedAt: number;
  /** Lambda's request id, the cold start and the trace: on every line the request logs. */
  readonly invocation: InvocationFields;
  /** The body as received, before parsing: what an idempotent retry must repeat. */
  readonly received: { readonly body: string | undefined; readonly base64: boolean };
  readonly routeLog: Logger;
  principal: Principal | undefined;
  /** The organisation the request acts for, once the caller's key is checked against it (authorise). */
  organisation: string | undefined;
  /** The query string's parameters as the route's `query` schema read them (the event is left as sent). */
  query: unknown;
  /** The request's own logger (with its ids), made on first use: see logOf. */
  log: Logger | undefined;
}

type HttpContext = Context & { readonly http: RequestState };
type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResponse, Error, HttpContext>;

function build<B, Q>(
  row: Route,
  options: RouteOptions<B, Q>,
  bodyMiddlewares: HttpMiddleware[],
  readBody: (event: HttpEvent) => B,
): HttpHandler {
  const routeLog = options.log.child({ route: row.name });
  const success = successOf(row);
  const organisation = options.organisation;
  const format = options.errorFormat ?? problemJson;
  const errors: (event: HttpEvent) => ErrorFormat = typeof format === 'function' ? format : () => format;
  const authenticate = row.auth === 'partner' || row.auth === 'token' ? options.authenticate : undefined;
  if ((row.auth === 'partner' || row.auth === 'token') && !authenticate) {
    throw new Error(`route ${row.name} needs authenticate`);
  }
  const contentType = options.mediaType ?? 'application/json';
  // The request budget below replaces middy's own early timeout (one timer per request, not two).
  const stack = middy<HttpEvent, HttpResponse, Error, HttpContext>({ timeoutEarlyInMillis: 0 })
    .use([
      boundary(authenticate, row.auth === 'token' ? 'token' : 'api-key', errors),
      // Only the steps a route has: each middleware is a call on every request, taken or not.
      ...(options.mediaType ? [acceptable(options.mediaType)] : []),
      ...(organisation === 'credential' ? [credentialOrganisation(undefined)] : []),
      ...(typeof organisation === 'object' && 'queryParameter' in organisation
        ? [credentialOrganisation(organisation.queryParameter)]
        : []),
      ...(options.pathParameters ? [validatePath(options.pathParameters)] : []),
      ...(typeof organisation === 'object' && 'pathParameter' in organisation
        ? [authorisePath(organisation.pathParameter)]
        : []),
      ...(options.query ? [validateQuery(options.query)] : []),
      ...bodyMiddlewares,
    ])
    .handler(async (event, context) => {
      const state = context.http;
      const body = readBody(event);
      const { principal } = state;
      if (typeof organisation === 'function' && principal) authorise(state, principal, organisation(body));
      const request: RouteRequest<B, Q> = {
        requestId: state.requestId,
        principal,
        organisation: state.organisation,
        pathParameters: event.pathParameters ?? {},
        query: (state.query ?? event.queryStringParameters ?? {}) as Q,
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
        headers: { ...baseHeaders(state.requestId, contentType), ...result.headers },
        body: result.body === undefined ? '' : JSON.stringify(result.body),
      };
    });

  return async (event, context) => {
    const http: RequestState = {
      requestId: event.requestContext?.requestId || context.awsRequestId || localRequestId(),
      startedAt: Date.now(),
      invocation: invocationFields(context),
      received: {
        body: typeof event.body === 'string' ? event.body : undefined,
        base64: event.isBase64Encoded === true,
      },
      routeLog,
      principal: undefined,
      organisation: undefined,
      query: undefined,
      log: undefined,
    };
    // Still running when the budget is spent: 503, and the 503 says repeating is safe.
    const response = await withinBudget(stack(event, Object.assign(context, { http })), () => {
      logOf(http).warn('request budget spent', { budget_ms: BUDGET_MS });
      return problemResponse(http, serviceUnavailable(), errors(event));
    });
    // After the budget, not in a middleware: a request answered 503 has its line, and the work
    // still running behind it never writes a second one.
    if (routeLog.enabled('info')) routeLog.info('request', requestLine(event, http, response, row, success));
    return response;
  };
}

/**
 * What a request came to, in a word: its log line's `outcome` and the metric its line counts in
 * (one per request, per route). A replayed answer (Idempotency-Key) is `idempotent_replay`,
 * whatever it replays: the work it reports was done, and counted, by the first request.
 */
export type Outcome =
  | 'created'
  | 'updated'
  | 'read'
  | 'erased'
  | 'issued'
  | 'idempotent_replay'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'failed';

/** A 2xx other than 201, by what the route does: reads, erases, changes, or (the token endpoint) issues. */
function successOf(row: Route): Outcome {
  if (row.auth === 'client-credentials') return 'issued';
  if (row.method === 'GET') return 'read';
  if (row.method === 'DELETE') return 'erased';
  return 'updated';
}

/** The outcomes a status names alone; any other 4xx is the request refused as sent, any other 5xx a failure. */
const byStatus: Readonly<Record<number, Outcome>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
  503: 'unavailable',
};

export function outcomeOf(response: HttpResponse, success: Outcome): Outcome {
  const status = response.statusCode ?? 200;
  if (response.headers?.['idempotent-replayed'] === 'true') return 'idempotent_replay';
  if (status === 201) return 'created';
  if (status < 300) return success;
  // 400, 406, 413, 415, 422: malformed, of the wrong type or size, or invalid for the schema.
  return byStatus[status] ?? (status < 500 ? 'validation_failed' : 'failed');
}

/**
 * The request's one line: the route by its template (a path may hold an email, which is never
 * logged), the caller's key and organisation (identifiers, never a secret), the answer and how
 * long it took, and the outcome's metric.
 */
function requestLine(event: HttpEvent, state: RequestState, response: HttpResponse, row: Route, success: Outcome) {
  const outcome = outcomeOf(response, success);
  return {
    request_id: state.requestId,
    ...state.invocation,
    method: event.requestContext?.http?.method,
    path: row.path,
    organisation: state.organisation,
    key_id: state.principal?.keyId,
    status: response.statusCode,
    outcome,
    duration_ms: Date.now() - state.startedAt,
    ...metricFields({ route: row.name }, { [outcome]: 1 }),
  };
}

const problemResponse = (state: RequestState, problem: Problem, errors: ErrorFormat): HttpResponse => ({
  statusCode: problem.status,
  headers: { ...baseHeaders(state.requestId, errors.contentType), ...problem.headers },
  body: JSON.stringify(errors.render(problem.toBody())),
});

/** The request's logger, carrying its ids; built only when something logs. */
function logOf(state: RequestState): Logger {
  state.log ??= state.routeLog.child({
    request_id: state.requestId,
    ...state.invocation,
    ...(state.principal ? { key_id: state.principal.keyId } : {}),
  });
  return state.log;
}

const encodingOf = ({ base64 }: RequestState['received']) => (base64 ? 'base64' : 'utf8');
const bytesOf = (received: RequestState['received']) =>
  received.body === undefined ? Buffer.alloc(0) : Buffer.from(received.body, encodingOf(received));

/** The caller (401 unless `authenticate` finds a valid credential) and every error in the route's format. */
function boundary(
  authenticate: Authenticate | undefined,
  credential: Credential,
  errors: (event: HttpEvent) => ErrorFormat,
): HttpMiddleware {
  return {
    async before({ event, context }) {
      event.headers ??= {};
      if (!authenticate) return;
      const principal = await authenticate(event.headers.authorization);
      if (typeof principal === 'string') throw unauthenticated(principal, credential);
      context.http.principal = principal;
    },
    onError(request) {
      const state = request.context.http;
      request.response = problemResponse(
        state,
        toProblem(request.error, () => logOf(state)),
        errors(request.event),
      );
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

/**
 * 403 unless the caller's key covers `org`; the request acts for `org` from here on. A refused
 * organisation is not kept: named by a header or query parameter, it may be any text (the log line
 * names only organisations a key holds).
 */
function authorise(state: RequestState, principal: Principal, org: string) {
  if (!principal.orgs.includes(org)) throw forbiddenOrganisation(org);
  state.organisation = org;
}

/**
 * The organisation a request acts for, from its credential: the key's only one, or the one named by
 * `X-Organisation-Id` (which must be the key's: 403 otherwise); 400 when a key with several names none.
 */
function credentialOrganisation(queryParameter: string | undefined): HttpMiddleware {
  return {
    before({ event, context }) {
      const { principal } = context.http;
      if (!principal) return;
      const named =
        (queryParameter === undefined ? undefined : event.queryStringParameters?.[queryParameter]?.trim()) ||
        event.headers['x-organisation-id']?.trim();
      if (named) authorise(context.http, principal, named);
      else if (principal.orgs.length !== 1) throw organisationRequired();
      else context.http.organisation = principal.orgs[0];
    },
  };
}

/** 406 unless the Accept header (if any) admits `mediaType`. */
function acceptable(mediaType: string): HttpMiddleware {
  return {
    before({ event }) {
      if (!accepts(event.headers.accept, mediaType)) throw notAcceptable(mediaType);
    },
  };
}

/** The query string's parameters, valid for `schema` (its output on `context.http`), or a 400 naming one. */
function validateQuery(schema: v.GenericSchema): HttpMiddleware {
  return {
    before({ event, context }) {
      const result = v.safeParse(schema, event.queryStringParameters ?? {}, { abortPipeEarly: true });
      if (!result.success) {
        const [first] = fieldErrors(result.issues);
        throw invalidQuery(first?.pointer.slice(1) ?? '', first?.detail ?? 'is not valid');
      }
      context.http.query = result.output;
    },
  };
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
      authorise(context.http, principal, event.pathParameters?.[name] ?? '');
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
 * The body as JSON text, then parsed by @middy/http-json-body-parser. Before it parses: the media
 * type must be JSON (`application/json` or `application/*+json`, read per RFC 9110: any case,
 * optional whitespace, parameters) with no charset but UTF-8, and the content not encoded
 * (gzip and the like), or 415; the bytes must be UTF-8, or 400: invalid bytes are refused, not
 * replaced with U+FFFD (two different order references would become one). After: a string
 * holding half of a surrogate pair (`"\ud800"`, valid JSON but no text) is 400 too.
 */
function jsonBody(only: string | undefined, forms: boolean): HttpMiddleware {
  const parser = httpJsonBodyParser<HttpEvent>({ disableContentTypeCheck: true });
  const wrongType = () =>
    only
      ? unsupportedMediaType(`The request body must be sent with \`Content-Type: ${only}\`, without parameters.`)
      : unsupportedMediaType();
  return {
    before(request) {
      const { event } = request;
      const mediaType = parseMediaType(event.headers['content-type']);
      const form = forms && isForm(mediaType);
      if (!form && !(only ? isExactly(mediaType, only) : isJson(mediaType))) throw wrongType();
      if (!isIdentityEncoding(event.headers['content-encoding'])) throw unsupportedContentEncoding();
      if (event.body === undefined || event.body === '')
        throw malformedJson('The request body is empty; send a JSON object.');
      const text = event.isBase64Encoded ? utf8(Buffer.from(event.body, 'base64')) : event.body;
      if (text === undefined || !text.isWellFormed()) throw malformedJson('The request body is not valid UTF-8.');
      event.isBase64Encoded = false;
      if (form) {
        event.body = formFields(text) as unknown as string;
        return;
      }
      event.body = text;
      try {
        parser.before?.(request);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 422) throw error;
        throw malformedJson(
          (error as Error).message === 'Forbidden key in JSON body'
            ? 'The request body uses a reserved key (__proto__ or constructor.prototype).'
            : 'The request body is not valid JSON.',
        );
      }
      // Only an escape can make a lone surrogate; most bodies have none, and are not walked.
      if (LONE_SURROGATE_ESCAPE.test(text) && !wellFormed(event.body)) {
        throw malformedJson('The request body holds a string with an unpaired surrogate (\\ud800 to \\udfff).');
      }
    },
  };
}

/** `type/subtype` exactly, with no parameters (JSON:API refuses them). */
const isExactly = (mediaType: MediaType | undefined, expected: string) =>
  mediaType !== undefined &&
  `${mediaType.type}/${mediaType.subtype}` === expected &&
  Object.keys(mediaType.parameters).length === 0;

const isForm = (mediaType: MediaType | undefined) =>
  mediaType !== undefined &&
  mediaType.type === 'application' &&
  mediaType.subtype === 'x-www-form-urlencoded' &&
  (mediaType.parameters.charset === undefined || mediaType.parameters.charset === 'utf-8');

/** A form's fields; a field sent twice is refused (RFC 6749 3.1: parameters appear at most once). */
function formFields(text: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in fields) throw malformedForm(`The form field ${name} is sent more than once.`);
    fields[name] = value;
  }
  return { ...fields };
}

const isJson = (mediaType: MediaType | undefined) =>
  mediaType !== undefined &&
  mediaType.type === 'application' &&
  (mediaType.subtype === 'json' || mediaType.subtype.endsWith('+json')) &&
  (mediaType.parameters.charset === undefined || mediaType.parameters.charset === 'utf-8');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function utf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Every string in a parsed JSON value (keys included) is well-formed UTF-16. A loop, not recursion:
 * a body nested thousands deep must not exhaust the stack (a 500) before it is judged.
 */
function wellFormed(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return false;
    } else if (Array.isArray(value)) {
      for (const member of value) pending.push(member);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value)) {
        if (!key.isWellFormed()) return false;
        pending.push(member);
      }
    }
  }
  return true;
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
