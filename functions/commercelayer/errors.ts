// Commerce Layer's error shape, apart from its mappers (dialect.ts) so the catch-all route can
// answer under /compat/commercelayer in it without bundling the schemas.
import { type ErrorFormat, slugOf } from '../http/problem.ts';
import type { FieldError } from '../schema/issues.ts';

/** JSON:API's media type: what Commerce Layer's API takes and answers. */
export const JSON_API = 'application/vnd.api+json';

/** Commerce Layer's error codes, by status. */
const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'RECORD_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The attribute a pointer names (`/data/attributes/email` is `email`), for the error's detail. */
const fieldName = (pointer: string) => pointer.slice(pointer.lastIndexOf('/') + 1) || 'data';

/**
 * Errors as Commerce Layer writes them: `{ "errors": [{ title, detail, code, status, source }] }`,
 * the status a string; one error per invalid field, with its JSON pointer, or the query parameter.
 */
function renderErrors(problem: Parameters<ErrorFormat['render']>[0]) {
  const code =
    slugOf(problem) === 'invalid-token'
      ? 'INVALID_TOKEN'
      : (CODES[problem.status] ?? (problem.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'));
  const status = String(problem.status);
  const fields = problem.errors as FieldError[] | undefined;
  if (Array.isArray(fields) && fields.length > 0) {
    return {
      errors: fields.map((field) => ({
        title: field.detail,
        detail: `${fieldName(field.pointer)} - ${field.detail}`,
        code,
        status,
        source: { pointer: field.pointer },
        meta: { error: slugOf(problem) },
      })),
    };
  }
  // A query parameter at fault is named as JSON:API names it (`source.parameter`).
  const parameter = typeof problem.parameter === 'string' && problem.parameter ? problem.parameter : undefined;
  return {
    errors: [
      {
        title: problem.title,
        detail: problem.detail,
        code,
        status,
        ...(parameter ? { source: { parameter } } : {}),
        meta: { error: slugOf(problem) },
      },
    ],
  };
}

/** The API's errors (JSON:API). */
export const commerceLayerErrors: ErrorFormat = { contentType: JSON_API, render: renderErrors };

/** The token endpoint's errors: the same array, as plain JSON (its clients ask for JSON). */
export const tokenErrors: ErrorFormat = { contentType: 'application/json', render: renderErrors };
