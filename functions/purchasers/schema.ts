// The request body of POST /v4/organisations/{trkref}/purchasers (Reevoo Platform API v4).
import * as v from 'valibot';
import {
  calendarDate,
  country,
  email,
  identifier,
  object,
  optionalDate,
  optionalText,
  orgId,
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

export const purchaserRequest = object({
  ...purchaserEntries,
  purchases: v.optional(
    v.nullable(
      v.pipe(
        v.array(purchaseSchema, 'must be an array'),
        v.maxLength(MAX_PURCHASES, `must list at most ${MAX_PURCHASES} purchases`),
      ),
    ),
  ),
});

export type PurchaserRequest = v.InferOutput<typeof purchaserRequest>;

export const purchaserPath = object({ trkref: orgId });
