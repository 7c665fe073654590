// The catch-all route: whatever no row of the route table matches. A known path with another
// method is 405 with `Allow`; anything else is 404. Both are problem+json like every other error.
import { fallbackRow, matchRoute } from '../../contract/routes.ts';
import { methodNotAllowed, notFound } from '../http/problem.ts';
import { plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';

export function createFallbackRoute(deps: { readonly log: Logger }) {
  return plainRoute(fallbackRow, {
    log: deps.log,
    async handle({ event }) {
      const match = matchRoute(event.requestContext.http.method, event.rawPath);
      if (match.kind === 'method-not-allowed') throw methodNotAllowed(match.allow);
      throw notFound();
    },
  });
}
