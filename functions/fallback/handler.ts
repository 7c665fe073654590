// The catch-all route: whatever no row of the route table matches. A known path with another
// method is 405 with `Allow`; anything else is 404. Both are problem+json like every other error.
import { matchRoute } from '../../lib/routes.ts';
import { plainRoute } from '../shared/http.ts';
import { defaultLogger, type Logger } from '../shared/logger.ts';
import { methodNotAllowed, notFound } from '../shared/problem.ts';

export function createFallbackHandler(deps: { readonly log: Logger }) {
  return plainRoute({
    name: 'Fallback',
    log: deps.log,
    async handle({ event }) {
      const match = matchRoute(event.requestContext.http.method, event.rawPath);
      if (match.kind === 'method-not-allowed') throw methodNotAllowed(match.allow);
      throw notFound();
    },
  });
}

export const handler = createFallbackHandler({ log: defaultLogger() });
