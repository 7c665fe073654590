// What the purchaser routes' Lambda entries take from their container (functions/runtime/container.ts),
// in three sizes: each entry takes only what its route uses, so the erasure function needs no
// review link settings.
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { requireEnv } from '../runtime/env.ts';
import { containerKeys } from '../runtime/secrets.ts';
import { newPurchaserId } from './purchasers.ts';
import { createReviewLinks, newReviewToken } from './review-links.ts';

/** The store, the logger and the check of partner keys: every route. */
export const containerDeps = () => ({ ...container(), authenticate: containerAuthenticator() });

/** And the review links (REVIEW_BASE_URL, REVIEW_URL_SECRET's keys): the routes that answer purchases. */
export const containerReadDeps = () => ({
  ...containerDeps(),
  reviewLinks: createReviewLinks({
    baseUrl: requireEnv('REVIEW_BASE_URL'),
    secret: containerKeys('REVIEW_URL_SECRET'),
  }),
});

/** And the clock, review tokens and purchaser ids: the routes that write. */
export const containerWriteDeps = () => ({
  ...containerReadDeps(),
  now: () => new Date(),
  newReviewToken,
  newPurchaserId,
});
