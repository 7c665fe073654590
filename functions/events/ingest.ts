// Lambda entry of the ingest queue's consumer (ingester.ts), configured from the environment.
import { newPurchaserId } from '../purchasers/purchasers.ts';
import { newReviewToken } from '../purchasers/review-links.ts';
import { runtime } from '../shared/runtime.ts';
import { createIngestHandler } from './ingester.ts';

export const handler = createIngestHandler({ ...runtime(), now: () => new Date(), newReviewToken, newPurchaserId });
