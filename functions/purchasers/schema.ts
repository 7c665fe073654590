// The requests of the purchaser routes (Reevoo Platform API v4): the bodies of POST and PUT, the
// paths, and the query string of the purchases list.
import * as v from 'valibot';
import {
  calendarDate,
  country,
  email,
  identifier,
  NOT_A_PARAMETER,
  object,
  optionalDate,
  optionalEmail,
  optionalText,
  orgId,
  pageCursor,
  pageLimit,
} from '../schema/fields.ts';

/** Most purchases one request may carry. */
export const MAX_PURCHASES = 100;

const purchaseSchema = object({
  order_ref: identifier(100),
  sku: identifier(100),
  purchase_date: optionalDate(calendarDate),
});

/** The purchaser's own members, shared with the order.placed event's `customer`. */
export const purchaserEntries = {
  email,
  title: optionalText(50),
  first_name: optionalText(100),
  surname: optionalText(100),
  country,
  postcode: optionalText(20),
};

const purchases = v.optional(
  v.nullable(
    v.pipe(
      v.array(purchaseSchema, 'must be an array'),
      v.maxLength(MAX_PURCHASES, `must list at most ${MAX_PURCHASES} purchases`),
    ),
  ),
);

export const purchaserRequest = object({ ...purchaserEntries, purchases });

export type PurchaserRequest = v.InferOutput<typeof purchaserRequest>;

/**
 * PUT /purchasers/{email}: the create's body, but the path names the purchaser, so `email` may be
 * left out; one that is sent must still be an address, and the path's wins.
 */
export const purchaserUpdate = object({ ...purchaserEntries, email: optionalEmail, purchases });

export const purchaserPath = object({ trkref: orgId });

/** The routes on one purchaser: the organisation, and the email as the body takes it (else 404). */
export const purchaserEmailPath = object({ trkref: orgId, email });

/** GET /purchasers/{email}/purchases: the page size (1 to 100, 25 unless sent) and the cursor. */
export const purchasesQuery = v.strictObject(
  {
    limit: pageLimit,
    cursor: pageCursor,
  },
  NOT_A_PARAMETER,
);
