// Errors as `application/problem+json` (RFC 9457). Anything a handler or middleware throws that
// the client should see is a Problem; everything else becomes a logged 500 without details.
import type { FieldError } from '../schema/issues.ts';
import type { AuthFailure } from './principal.ts';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/**
 * How a route writes its errors: problem+json by default; a dialect renders the same problem in
 * its own contract's error shape (and media type).
 */
export interface ErrorFormat {
  readonly contentType: string;
  render(problem: ProblemBody): unknown;
}

export const problemJson: ErrorFormat = { contentType: 'application/problem+json', render: (problem) => problem };

/** The problem's slug: the last segment of its type (`validation-failed`). */
export const slugOf = (problem: ProblemBody) => problem.type.slice(problem.type.lastIndexOf('/') + 1);

/** Problem types are relative URIs under /problems/, listed in the README. */
const typeUri = (slug: string) => `/problems/${slug}`;

export class Problem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    // A problem is an answer for the client, not a fault of ours: nothing reads its stack, and
    // capturing one is most of what throwing costs (a 404 took three times as long with it).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'Problem';
    this.status = status;
    this.type = slug.startsWith('/') ? slug : typeUri(slug);
    this.title = title;
    this.detail = detail;
    this.extensions = extensions;
    this.headers = headers;
  }

  toBody(): ProblemBody {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, ...this.extensions };
  }

  /** The same problem again, from its body (replays of stored answers). */
  static fromBody(body: ProblemBody, headers: Record<string, string> = {}): Problem {
    const { type, title, status, detail, ...extensions } = body;
    return new Problem(status, type, title, detail, extensions, headers);
  }
}

export const malformedJson = (detail = 'The request body is not valid JSON.') =>
  new Problem(400, 'malformed-json', 'Malformed JSON', detail);

export const malformedForm = (detail: string) => new Problem(400, 'malformed-form', 'Malformed form', detail);

export const unsupportedMediaType = (
  detail = 'The request body must be JSON in UTF-8: send it with `Content-Type: application/json` (a charset, if any, must be utf-8).',
) => new Problem(415, 'unsupported-media-type', 'Unsupported media type', detail);

/** RFC 9110 (15.5.16): a 415 caused by a content coding names the codings accepted. */
export const unsupportedContentEncoding = () =>
  new Problem(
    415,
    'unsupported-media-type',
    'Unsupported media type',
    'The request body must not be compressed or otherwise encoded: send it without `Content-Encoding` (or `identity`).',
    {},
    { 'accept-encoding': 'identity' },
  );

export const payloadTooLarge = (limitBytes: number) =>
  new Problem(
    413,
    'payload-too-large',
    'Payload too large',
    `The request body is larger than the limit of ${limitBytes} bytes.`,
    { limit_bytes: limitBytes },
  );

export const validationFailed = (errors: readonly FieldError[]) =>
  new Problem(
    422,
    'validation-failed',
    'Validation failed',
    errors.length === 1
      ? `The request body has 1 invalid field: ${errors[0]!.pointer || '(the body)'}: ${errors[0]!.detail}.`
      : `The request body has ${errors.length} invalid fields: ${errors.map((e) => e.pointer || '(the body)').join(', ')}.`,
    { errors },
  );

const CHALLENGE = 'Bearer realm="registry", Basic realm="registry", charset="UTF-8"';
const TOKEN_CHALLENGE = 'Bearer realm="registry"';

/** What the route takes: a partner API key, or an access token from the token endpoint. */
export type Credential = 'api-key' | 'token';

const API_KEY_ADVICE: Record<AuthFailure, string> = {
  missing:
    'Send your API key: `Authorization: Bearer <key id>.<secret>` or `Authorization: Basic <base64 of key id:secret>`.',
  malformed: 'The Authorization header does not hold an API key in either accepted form (Bearer or Basic).',
  unknown: 'The API key is unknown or has been revoked.',
  revoked: 'The API key is unknown or has been revoked.',
  expired: 'The API key is unknown or has been revoked.',
};

const TOKEN_ADVICE: Record<AuthFailure, string> = {
  missing:
    'Send an access token from the token endpoint (`POST /compat/commercelayer/oauth/token`): `Authorization: Bearer <access token>`.',
  malformed: 'The Authorization header does not hold an access token: `Authorization: Bearer <access token>`.',
  unknown: 'The access token is not valid.',
  revoked: 'The API key this access token was issued for has been revoked.',
  expired: 'The access token has expired: ask the token endpoint for a new one.',
};

/**
 * 401. A token that was sent but is no good (forged, altered, expired, or its key revoked) is
 * `invalid-token`, apart from a missing credential: Commerce Layer's clients ask for a new token on
 * exactly that answer (its code `INVALID_TOKEN`).
 */
export const unauthenticated = (reason: AuthFailure, credential: Credential = 'api-key') =>
  new Problem(
    401,
    credential === 'token' && reason !== 'missing' ? 'invalid-token' : 'unauthenticated',
    credential === 'token' && reason !== 'missing' ? 'Invalid token' : 'Unauthenticated',
    (credential === 'token' ? TOKEN_ADVICE : API_KEY_ADVICE)[reason],
    {},
    { 'www-authenticate': credential === 'token' ? TOKEN_CHALLENGE : CHALLENGE },
  );

/** A key for several organisations, on a route that takes the organisation from the credential. */
export const organisationRequired = () =>
  new Problem(
    400,
    'organisation-required',
    'Organisation required',
    'This credential may act for several organisations: name one in the `X-Organisation-Id` header (or, on the native routes, the `corporation_id` query parameter).',
  );

/** The route answers only in `mediaType`, and the Accept header excludes it. */
export const notAcceptable = (mediaType: string) =>
  new Problem(406, 'not-acceptable', 'Not acceptable', `This resource is only available as ${mediaType}.`);

export const forbiddenOrganisation = (org: string) =>
  new Problem(403, 'forbidden-organisation', 'Forbidden', `This API key may not act for organisation "${org}".`, {
    organisation: org,
  });

/** A query parameter the route does not take, or one outside its rules. */
export const invalidQuery = (parameter: string, detail: string) =>
  new Problem(
    400,
    'invalid-query',
    'Invalid query parameter',
    parameter ? `The query parameter ${parameter} ${detail}.` : `The query string ${detail}.`,
    { parameter },
  );

/** A paging cursor that this API did not issue for this query and organisation, or an expired one. */
export const invalidCursor = () =>
  new Problem(
    400,
    'invalid-cursor',
    'Invalid cursor',
    'The cursor was not issued for this query and organisation, or it has expired: start again from the first page.',
  );

export const notFound = (detail = 'No resource exists at this path.') =>
  new Problem(404, 'not-found', 'Not found', detail);

export const methodNotAllowed = (allow: readonly string[]) =>
  new Problem(
    405,
    'method-not-allowed',
    'Method not allowed',
    `This path accepts ${allow.join(', ')} only.`,
    {},
    { allow: allow.join(', ') },
  );

export const conflict = (slug: string, title: string, detail: string, extensions: Record<string, unknown>) =>
  new Problem(409, slug, title, detail, extensions);

/**
 * 429: the key has made its `requests` in the current window of `seconds`. `Retry-After` is the
 * whole seconds to the window's end, when the key's next request is certain to be counted afresh.
 */
export const rateLimited = (requests: number, seconds: number, retryAfterSeconds: number) =>
  new Problem(
    429,
    'rate-limited',
    'Too many requests',
    `This API key may make ${requests} ${requests === 1 ? 'request' : 'requests'} every ${seconds} seconds: retry after ${retryAfterSeconds} seconds.`,
    { limit: requests, window_seconds: seconds },
    { 'retry-after': String(retryAfterSeconds) },
  );

export const serviceUnavailable = () =>
  new Problem(
    503,
    'service-unavailable',
    'Service unavailable',
    'The registry is busy. Retry the request after a short wait; repeating it is safe.',
    {},
    { 'retry-after': '1' },
  );

export const internalError = () =>
  new Problem(
    500,
    'internal-error',
    'Internal error',
    'The request could not be completed. Quote the request id when reporting this.',
  );
