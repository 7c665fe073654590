// Lambda entry of the ingest queue's consumer (function Ingest; ingester.ts).
import { newPurchaserId } from '../purchasers/purchasers.ts';
import { newReviewToken } from '../purchasers/review-links.ts';
import { container } from '../runtime/container.ts';
import { requireEnv } from '../runtime/env.ts';
import { createIngester } from './ingester.ts';

export const handler = createIngester({
  ...container(),
  now: () => new Date(),
  newReviewToken,
  newPurchaserId,
  reviewUrlHosts: requireEnv('REVIEW_URL_HOSTS').split(','),
});
