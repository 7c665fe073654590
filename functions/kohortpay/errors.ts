// KohortPay's error shape, apart from its mappers (dialect.ts) so the catch-all route can answer
// under /compat/kohortpay in it without bundling the schemas.
import { type ErrorFormat, slugOf } from '../http/problem.ts';

/** KohortPay's error category for a status. */
const errorType = (status: number) =>
  status === 401
    ? 'authentication_error'
    : status === 403
      ? 'permission_error'
      : status === 429
        ? 'rate_limit_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';

/**
 * Errors as KohortPay writes them: `{ "error": { type, code, message } }`, the problem's slug as the
 * code (snake_case), and for a 422 the fields at fault (`errors`: pointer and detail each).
 */
export const kohortPayErrors: ErrorFormat = {
  contentType: 'application/json',
  render(problem) {
    const { errors } = problem;
    return {
      error: {
        type: errorType(problem.status),
        code: slugOf(problem).replaceAll('-', '_'),
        message: problem.detail,
        ...(Array.isArray(errors) ? { errors } : {}),
      },
    };
  },
};
