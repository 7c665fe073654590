// The purchaser routes (Reevoo Platform API v4), as HTTP handlers over the domain (purchasers.ts).
// Each is built from its row of the route table and given its dependencies; the Lambda entries
// (create.ts) give them the container's.
import { createPurchaserRow } from '../../contract/routes.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import type { Authenticate } from '../http/principal.ts';
import { jsonRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { type PurchaserDeps, type UpsertPurchaserResult, upsertPurchaser } from './purchasers.ts';
import type { ReviewLinks } from './review-links.ts';
import { purchaserPath, purchaserRequest } from './schema.ts';

export interface PurchaserRouteDeps extends PurchaserDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly authenticate: Authenticate;
  readonly reviewLinks: ReviewLinks;
}

/** POST /v4/organisations/{trkref}/purchasers: create or update a purchaser and its purchases. */
export function createPurchaserRoute(deps: PurchaserRouteDeps) {
  return jsonRoute(createPurchaserRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    pathParameters: purchaserPath,
    body: purchaserRequest,
    organisation: { pathParameter: 'trkref' },
    idempotency: idempotencyIn(deps.store),
    // Reevoo clients read errors from `message`.
    errorFormat: {
      contentType: 'application/problem+json',
      render: (problem) => ({ ...problem, message: problem.detail }),
    },
    async handle({ body: { email, purchases, ...fields }, pathParameters }) {
      const trkref = pathParameters.trkref ?? '';
      const result = await upsertPurchaser(deps.store, { trkref, email, fields, purchases: purchases ?? [] }, deps);
      return { statusCode: result.created ? 201 : 200, body: present(result, deps.reviewLinks) };
    },
  });
}

/** The contract's response: the purchaser, and the purchases of this request with their review state. */
function present({ purchaser, purchases }: UpsertPurchaserResult, links: ReviewLinks) {
  return {
    email: purchaser.email,
    title: purchaser.title,
    first_name: purchaser.first_name,
    surname: purchaser.surname,
    country: purchaser.country,
    postcode: purchaser.postcode,
    created_at: purchaser.created_at,
    purchases: purchases.map((purchase) => ({
      ...(purchase.purchase_date ? { purchase_date: purchase.purchase_date } : {}),
      ...(purchase.contacted_at ? { contacted_at: purchase.contacted_at } : {}),
      order_ref: purchase.order_ref,
      sku: purchase.sku,
      review_state: purchase.review_state,
      // Every purchase of a request has a token: the request itself is its order.
      review_url:
        purchase.review_state === 'published' && purchase.review_url
          ? purchase.review_url
          : links.questionnaireUrl(purchaser.trkref, purchase.review_token ?? ''),
    })),
  };
}
