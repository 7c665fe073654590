// The catch-all route: whatever no row of the route table matches. A known path with another
// method is 405 with `Allow`; anything else is 404. Both are problem+json like every other error,
// except under a dialect's base path, where they are in that dialect's error shape (a Commerce
// Layer client listing customers, which is not served yet, reads a JSON:API error it knows).
import { fallbackRow, matchRoute } from '../../contract/routes.ts';
import { commerceLayerErrors, tokenErrors } from '../commercelayer/errors.ts';
import { type ErrorFormat, methodNotAllowed, notFound, problemJson } from '../http/problem.ts';
import { type HttpEvent, plainRoute } from '../http/route.ts';
import { kohortPayErrors } from '../kohortpay/errors.ts';
import type { Logger } from '../runtime/logger.ts';

/** Each dialect's base path and error shape, the most specific first. */
const DIALECTS: readonly (readonly [string, ErrorFormat])[] = [
  ['/compat/commercelayer/oauth/', tokenErrors],
  ['/compat/commercelayer/', commerceLayerErrors],
  ['/compat/kohortpay/', kohortPayErrors],
];

const errorsFor = (event: HttpEvent) => DIALECTS.find(([base]) => event.rawPath.startsWith(base))?.[1] ?? problemJson;

export function createFallbackRoute(deps: { readonly log: Logger }) {
  return plainRoute(fallbackRow, {
    log: deps.log,
    errorFormat: errorsFor,
    async handle({ event }) {
      const match = matchRoute(event.requestContext.http.method, event.rawPath);
      if (match.kind === 'method-not-allowed') throw methodNotAllowed(match.allow);
      throw notFound();
    },
  });
}
