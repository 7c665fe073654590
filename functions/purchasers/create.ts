// Lambda entry of POST /v4/organisations/{trkref}/purchasers (route CreatePurchaser; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { requireEnv } from '../runtime/env.ts';
import { createPurchaserRoute } from './api.ts';
import { newPurchaserId } from './purchasers.ts';
import { createReviewLinks, newReviewToken } from './review-links.ts';

export const handler = createPurchaserRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  reviewLinks: createReviewLinks({
    baseUrl: requireEnv('REVIEW_BASE_URL'),
    secret: requireEnv('REVIEW_URL_SECRET'),
  }),
  now: () => new Date(),
  newReviewToken,
  newPurchaserId,
});
