// The `detail` of each incoming event type (valibot), built from the same blocks as the HTTP bodies.
import * as v from 'valibot';
import { MAX_PURCHASES, purchaserRequest } from '../purchasers/schema.ts';
import { calendarDate, email, identifier, object, orgId } from '../schema/fields.ts';

/** ISO 8601 date and time with a zone (`Z` or an offset), as a Date. */
const timestamp = v.pipe(
  v.string('must be a string'),
  v.regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/,
    'must be an ISO 8601 date and time with a zone',
  ),
  v.transform((text) => new Date(text)),
  v.check((date) => !Number.isNaN(date.getTime()), 'must be a real date and time'),
);

export const orderPlaced = object({
  trkref: orgId,
  order_ref: identifier(100),
  purchase_date: v.optional(v.nullable(calendarDate)),
  /** The purchaser, as the HTTP endpoint takes it (without purchases). */
  customer: v.omit(purchaserRequest, ['purchases']),
  lines: v.pipe(
    v.array(object({ sku: identifier(100) }), 'must be an array'),
    v.minLength(1, 'must list at least one line'),
    v.maxLength(MAX_PURCHASES, `must list at most ${MAX_PURCHASES} lines`),
  ),
});

const reviewEntries = {
  trkref: orgId,
  email,
  order_ref: identifier(100),
  sku: identifier(100),
  occurred_at: timestamp,
};

export const reviewEvent = object(reviewEntries);

export const reviewPublished = object({
  ...reviewEntries,
  review_url: v.pipe(
    v.string('must be a string'),
    v.url('must be a URL'),
    v.regex(/^https?:\/\//, 'must be an http(s) URL'),
    v.maxLength(2000, 'must be at most 2000 characters'),
  ),
});

/** The EventBridge envelope as it arrives in the queue. */
export const envelope = v.looseObject({
  id: v.string(),
  'detail-type': v.string(),
  source: v.string(),
  detail: v.unknown(),
});
