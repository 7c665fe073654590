// The real handlers, wired to a test table instead of the environment.
import { createAuthenticator } from '../../functions/auth/authenticator.ts';
import { commerceLayerCreateCustomerRoute } from '../../functions/commercelayer/api.ts';
import { createCustomerRoute } from '../../functions/customers/api.ts';
import { newCustomerId } from '../../functions/customers/customers.ts';
import { kohortPayCreateCustomerRoute } from '../../functions/kohortpay/api.ts';
import { createPurchaserRoute } from '../../functions/purchasers/api.ts';
import { createReviewLinks, newReviewToken } from '../../functions/purchasers/review-links.ts';
import { createLogger, type Logger } from '../../functions/runtime/logger.ts';
import type { Store } from '../../functions/store/client.ts';
import { authenticatesAgainst } from './events.ts';

export const REVIEW_BASE_URL = 'https://reviews.test';
export const reviewLinks = createReviewLinks({
  baseUrl: REVIEW_BASE_URL,
  secret: 'test-secret-test-secret-test-secret-0123',
});

export const silentLog = createLogger({ level: 'silent' });

/** A logger that keeps its lines, for tests that read the logs. */
export function capturingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger({ level: 'debug', sink: (line) => lines.push(line) }), { lines });
}

/** Keys cached as on Lambda: a test that revokes a key mid-way builds its own authenticator. */
const authenticate = (store: Store) => createAuthenticator({ store, ttlSeconds: 60 });

export const purchaserHandler = (store: Store, log: Logger = silentLog) =>
  authenticatesAgainst(
    createPurchaserRoute({
      store,
      log,
      authenticate: authenticate(store),
      reviewLinks,
      now: () => new Date(),
      newReviewToken,
    }),
    store,
  );

export const customerHandler = (store: Store, log: Logger = silentLog) =>
  authenticatesAgainst(
    createCustomerRoute({ store, log, authenticate: authenticate(store), now: () => new Date(), newCustomerId }),
    store,
  );

export const kohortPayCustomerHandler = (store: Store, log: Logger = silentLog) =>
  authenticatesAgainst(
    kohortPayCreateCustomerRoute({
      store,
      log,
      authenticate: authenticate(store),
      now: () => new Date(),
      newCustomerId,
    }),
    store,
  );

/**
 * Commerce Layer's create route, authenticating API keys instead of access tokens (the route takes
 * whatever `authenticate` it is given): for tests about its bodies and answers, which `invoke`
 * authenticates with keys. Its tokens are tested over HTTP (commercelayer*.test.ts).
 */
export const commerceLayerCustomerHandler = (store: Store, log: Logger = silentLog) =>
  authenticatesAgainst(
    commerceLayerCreateCustomerRoute({
      store,
      log,
      authenticate: authenticate(store),
      now: () => new Date(),
      newCustomerId,
    }),
    store,
  );
