// The real handlers, wired to a test table instead of the environment.
import { createAuthenticator } from '../../functions/auth/authenticator.ts';
import {
  commerceLayerCreateCustomerRoute,
  commerceLayerDeleteCustomerRoute,
  commerceLayerGetCustomerRoute,
  commerceLayerListCustomersRoute,
  commerceLayerUpdateCustomerRoute,
} from '../../functions/commercelayer/api.ts';
import {
  createCustomerRoute,
  eraseCustomerRoute,
  getCustomerRoute,
  listCustomersRoute,
  updateCustomerRoute,
} from '../../functions/customers/api.ts';
import { newCustomerId } from '../../functions/customers/customers.ts';
import { createIngester } from '../../functions/events/ingester.ts';
import { createCursorSigner } from '../../functions/http/cursor.ts';
import {
  kohortPayCreateCustomerRoute,
  kohortPayDeleteCustomerRoute,
  kohortPayGetCustomerRoute,
  kohortPayListCustomersRoute,
  kohortPayUpdateCustomerRoute,
} from '../../functions/kohortpay/api.ts';
import {
  createPurchaserRoute,
  erasePurchaserRoute,
  getPurchaserRoute,
  listPurchasesRoute,
  updatePurchaserRoute,
} from '../../functions/purchasers/api.ts';
import { newPurchaserId } from '../../functions/purchasers/purchasers.ts';
import { createReviewLinks, newReviewToken } from '../../functions/purchasers/review-links.ts';
import { createLogger, type Logger } from '../../functions/runtime/logger.ts';
import type { Store } from '../../functions/store/client.ts';
import { localReviewHosts } from '../../local/events.ts';
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

/** Signs paging cursors in tests (the secret vitest.config.ts gives the handler modules). */
export const testCursors = createCursorSigner('test-cursor-secret-test-cursor-secret-0123');

/**
 * Every purchaser route (POST, GET, PUT, GET …/purchases, DELETE), on one clock: `now` lets a test
 * register purchases at distinct times.
 */
export const purchaserRoutesHandlers = (store: Store, log: Logger = silentLog, now: () => Date = () => new Date()) => {
  const deps = { store, log, authenticate: authenticate(store), reviewLinks, now, newReviewToken };
  return {
    create: authenticatesAgainst(createPurchaserRoute(deps), store),
    read: authenticatesAgainst(getPurchaserRoute(deps), store),
    update: authenticatesAgainst(updatePurchaserRoute(deps), store),
    list: authenticatesAgainst(listPurchasesRoute({ ...deps, cursors: testCursors }), store),
    erase: authenticatesAgainst(erasePurchaserRoute(deps), store),
  };
};

/** The native routes after the create: GET /customers/{id}, GET /customers, PATCH and DELETE /customers/{id}. */
export const customerRoutesHandlers = (store: Store, log: Logger = silentLog) => {
  const base = { store, log, authenticate: authenticate(store) };
  return {
    read: authenticatesAgainst(getCustomerRoute(base), store),
    list: authenticatesAgainst(listCustomersRoute({ ...base, cursors: testCursors }), store),
    update: authenticatesAgainst(updateCustomerRoute({ ...base, now: () => new Date() }), store),
    erase: authenticatesAgainst(eraseCustomerRoute({ ...base, now: () => new Date() }), store),
  };
};

/** KohortPay's routes after the create: GET /customers/{id}, GET /customers, PATCH and DELETE /customers/{id}. */
export const kohortPayRoutesHandlers = (store: Store, log: Logger = silentLog) => {
  const base = { store, log, authenticate: authenticate(store) };
  return {
    read: authenticatesAgainst(kohortPayGetCustomerRoute(base), store),
    list: authenticatesAgainst(kohortPayListCustomersRoute(base), store),
    update: authenticatesAgainst(kohortPayUpdateCustomerRoute({ ...base, now: () => new Date() }), store),
    erase: authenticatesAgainst(kohortPayDeleteCustomerRoute({ ...base, now: () => new Date() }), store),
  };
};

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

/** Commerce Layer's customer routes by id and list, authenticating API keys (as above). */
export const commerceLayerRoutesHandlers = (store: Store, log: Logger = silentLog) => {
  const base = { store, log, authenticate: authenticate(store) };
  return {
    read: authenticatesAgainst(commerceLayerGetCustomerRoute(base), store),
    list: authenticatesAgainst(commerceLayerListCustomersRoute(base), store),
    update: authenticatesAgainst(commerceLayerUpdateCustomerRoute({ ...base, now: () => new Date() }), store),
    erase: authenticatesAgainst(commerceLayerDeleteCustomerRoute({ ...base, now: () => new Date() }), store),
  };
};

/** The ingest queue's consumer over `store`, as its entry builds it (functions/events/ingest.ts). */
export const ingestHandler = (store: Store, log: Logger = silentLog) =>
  createIngester({
    store,
    log,
    now: () => new Date(),
    newReviewToken,
    newPurchaserId,
    reviewUrlHosts: localReviewHosts(),
  });
