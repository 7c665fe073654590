// The purchaser routes (Reevoo Platform API v4), as HTTP handlers over the domain (purchasers.ts,
// erasure.ts). Each is built from its row of the route table and given its dependencies; the
// Lambda entries (create.ts, read.ts, update.ts, purchases.ts, erase.ts) give them the container's.
//
// The routes on one purchaser name it by email in the path, checked as the body's email is (an
// address that is not one is 404: no such purchaser can exist) and read in its stored spelling.
import {
  createPurchaserRow,
  erasePurchaserRow,
  getPurchaserRow,
  listPurchasesRow,
  updatePurchaserRow,
} from '../../contract/routes.ts';
import { type CursorSigner, cursorScope } from '../http/cursor.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import type { Authenticate } from '../http/principal.ts';
import { type ErrorFormat, notFound } from '../http/problem.ts';
import { type HttpResult, jsonRoute, plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { normaliseEmail, replaysPartition } from '../store/keys.ts';
import { erasePurchaser } from './erasure.ts';
import type { Purchase, Purchaser } from './model.ts';
import {
  getPurchaser,
  listPurchases,
  type PurchaserDeps,
  type UpsertPurchaserResult,
  updatePurchaser,
  upsertPurchaser,
} from './purchasers.ts';
import type { ReviewLinks } from './review-links.ts';
import { purchaserEmailPath, purchaserPath, purchaserRequest, purchaserUpdate, purchasesQuery } from './schema.ts';

/** What every purchaser route takes. */
export interface PurchaserReadDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly authenticate: Authenticate;
}

/** Routes that answer purchases: their links. */
export interface PurchaserRouteDeps extends PurchaserReadDeps {
  readonly reviewLinks: ReviewLinks;
}

/** Routes that write purchasers and purchases. */
export interface PurchaserWriteDeps extends PurchaserRouteDeps, PurchaserDeps {}

// Reevoo clients read errors from `message`.
const reevooErrors: ErrorFormat = {
  contentType: 'application/problem+json',
  render: (problem) => ({ ...problem, message: problem.detail }),
};

/** The organisation in the path, checked against the key before anything else is read. */
const inOrganisation = (deps: PurchaserReadDeps) => ({
  log: deps.log,
  authenticate: deps.authenticate,
  organisation: { pathParameter: 'trkref' },
  errorFormat: reevooErrors,
});

/** The routes on one purchaser: its email in the path too. */
const onePurchaser = (deps: PurchaserReadDeps) => ({ ...inOrganisation(deps), pathParameters: purchaserEmailPath });

/** The purchaser a path names (valid: the boundary checked it), its email as stored. */
const named = (path: Readonly<Record<string, string | undefined>>) => ({
  trkref: path.trkref ?? '',
  email: normaliseEmail(path.email ?? ''),
});

const unknownPurchaser = () => notFound('No purchaser with this email exists in this organisation.');

/** POST /v4/organisations/{trkref}/purchasers: create or update a purchaser and its purchases. */
export function createPurchaserRoute(deps: PurchaserWriteDeps) {
  return jsonRoute(createPurchaserRow, {
    ...inOrganisation(deps),
    pathParameters: purchaserPath,
    body: purchaserRequest,
    idempotency: idempotencyIn(deps.store),
    async handle({ body: { email, purchases, ...fields }, pathParameters }) {
      const trkref = pathParameters.trkref ?? '';
      const result = await upsertPurchaser(deps.store, { trkref, email, fields, purchases: purchases ?? [] }, deps);
      return answer(result.created ? 201 : 200, result, deps.reviewLinks);
    },
  });
}

/** GET /v4/organisations/{trkref}/purchasers/{email}: the purchaser and all its purchases. */
export function getPurchaserRoute(deps: PurchaserRouteDeps) {
  return plainRoute(getPurchaserRow, {
    ...onePurchaser(deps),
    async handle({ pathParameters }) {
      const { trkref, email } = named(pathParameters);
      const found = await getPurchaser(deps.store, trkref, email);
      if (!found) throw unknownPurchaser();
      return { statusCode: 200, body: present(found, deps.reviewLinks) };
    },
  });
}

/**
 * PUT /v4/organisations/{trkref}/purchasers/{email}: the create's body applied to a purchaser that
 * exists (404 otherwise; POST creates). The path names the purchaser: a body `email` is not read.
 */
export function updatePurchaserRoute(deps: PurchaserWriteDeps) {
  return jsonRoute(updatePurchaserRow, {
    ...onePurchaser(deps),
    body: purchaserUpdate,
    idempotency: idempotencyIn(deps.store),
    async handle({ body: { email: _, purchases, ...fields }, pathParameters }) {
      const result = await updatePurchaser(
        deps.store,
        { ...named(pathParameters), fields, purchases: purchases ?? [] },
        deps,
      );
      if (!result) throw unknownPurchaser();
      return answer(200, result, deps.reviewLinks);
    },
  });
}

/** GET /v4/organisations/{trkref}/purchasers/{email}/purchases: a page of its purchases, newest first. */
export function listPurchasesRoute(deps: PurchaserRouteDeps & { readonly cursors: CursorSigner }) {
  return plainRoute(listPurchasesRow, {
    ...onePurchaser(deps),
    query: purchasesQuery,
    async handle({ pathParameters, query: { limit, cursor } }) {
      const { trkref, email } = named(pathParameters);
      // A cursor pages through the purchases of the purchaser it was issued for, nobody else's.
      const scope = cursorScope(trkref, listPurchasesRow.name, { email });
      const after = cursor === undefined ? undefined : deps.cursors.open(cursor, scope);
      const page = await listPurchases(deps.store, trkref, email, { limit, after });
      if (!page) throw unknownPurchaser();
      return {
        statusCode: 200,
        body: {
          purchases: page.purchases.map((purchase) => presentPurchase(trkref, purchase, deps.reviewLinks)),
          next_cursor: page.next === undefined ? null : deps.cursors.seal(scope, page.next),
        },
      };
    },
  });
}

/** DELETE /v4/organisations/{trkref}/purchasers/{email}: erase the purchaser and its purchases (GDPR). */
export function erasePurchaserRoute(deps: PurchaserReadDeps & { readonly now: () => Date }) {
  return plainRoute(erasePurchaserRow, {
    ...onePurchaser(deps),
    idempotency: idempotencyIn(deps.store),
    async handle({ pathParameters }) {
      const { trkref, email } = named(pathParameters);
      if (!(await erasePurchaser(deps.store, trkref, email, deps))) throw unknownPurchaser();
      return { statusCode: 204 };
    },
  });
}

/** A create's or an update's answer, filed under the purchaser (its stored copy goes when it is erased). */
const answer = (statusCode: number, result: UpsertPurchaserResult, links: ReviewLinks): HttpResult => ({
  statusCode,
  body: present(result, links),
  subject: replaysPartition(result.purchaser.trkref, result.purchaser.id),
});

/** The contract's purchaser, with the purchases given (a write's: those of its request; a read's: all). */
function present(
  { purchaser, purchases }: { purchaser: Purchaser; purchases: readonly Purchase[] },
  links: ReviewLinks,
) {
  return {
    email: purchaser.email,
    title: purchaser.title,
    first_name: purchaser.first_name,
    surname: purchaser.surname,
    country: purchaser.country,
    postcode: purchaser.postcode,
    created_at: purchaser.created_at,
    purchases: purchases.map((purchase) => presentPurchase(purchaser.trkref, purchase, links)),
  };
}

/**
 * A purchase with its review state and link: the published review, else its questionnaire. A
 * purchase only review events know (`pending_order`) has no token, so no link until its order
 * arrives (every purchase of a write has one: the request is its order).
 */
function presentPurchase(trkref: string, purchase: Purchase, links: ReviewLinks) {
  const reviewUrl =
    purchase.review_state === 'published' && purchase.review_url
      ? purchase.review_url
      : purchase.review_token && links.questionnaireUrl(trkref, purchase.review_token);
  return {
    ...(purchase.purchase_date ? { purchase_date: purchase.purchase_date } : {}),
    ...(purchase.contacted_at ? { contacted_at: purchase.contacted_at } : {}),
    order_ref: purchase.order_ref,
    sku: purchase.sku,
    review_state: purchase.review_state,
    ...(reviewUrl ? { review_url: reviewUrl } : {}),
  };
}
