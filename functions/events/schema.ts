// The `detail` of each incoming event type (valibot), built from the same blocks as the HTTP bodies.
import * as v from 'valibot';
import { MAX_PURCHASES, purchaserEntries } from '../purchasers/schema.ts';
import { email, eventDate, eventTime, identifier, maxChars, object, optionalDate, orgId } from '../schema/fields.ts';

export const orderPlaced = object({
  trkref: orgId,
  order_ref: identifier(100),
  /** When the order was placed: an event time, so within the event window (fields.ts). */
  purchase_date: optionalDate(eventDate),
  /** The purchaser, as the HTTP endpoint takes it (without purchases). */
  customer: object(purchaserEntries),
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
  occurred_at: eventTime,
};

export const reviewEvent = object(reviewEntries);

export const reviewPublished = object({
  ...reviewEntries,
  review_url: v.pipe(
    v.string('must be a string'),
    maxChars(2000),
    v.url('must be a URL'),
    v.regex(/^https:\/\//, 'must be an https URL'),
  ),
});

/**
 * Whether `url` (an https URL) is on one of `hosts`: a host name exactly, or `*.example.com` for any
 * name under example.com. The stage lists the review sites (REVIEW_URL_HOSTS), so a producer cannot
 * make purchases link anywhere else.
 */
export function onReviewHost(url: string, hosts: readonly string[]): boolean {
  const { hostname, port } = new URL(url);
  if (port) return false;
  return hosts.some((host) =>
    host.startsWith('*.') ? hostname.endsWith(host.slice(1)) && hostname.length > host.length - 1 : hostname === host,
  );
}

/** The EventBridge envelope as it arrives in the queue. */
export const envelope = v.looseObject({
  id: v.string(),
  'detail-type': v.string(),
  source: v.string(),
  detail: v.unknown(),
});
