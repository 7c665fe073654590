// The review lifecycle of a purchase, driven by events from the review platform:
//
//   review.invitation_sent  -> contacted_at
//   review.submitted        -> pending_moderation
//   review.rejected         -> rejected
//   review.approved         -> pending_publication
//   review.published        -> published, with the review's URL
//
// Events may arrive late, twice or out of order; the newest event time wins. Each change is one
// conditional UpdateItem: the review state carries the version it was set at (event time as UTC
// ISO 8601 to the millisecond, then a fixed rank to order events of the same instant), and an
// event not newer than that changes nothing. Times are compared as instants: whatever offset an
// event was written with, the version is its UTC time, of fixed width, so string order (what the
// condition compares) is time order. So the end state does not depend on the order of arrival.
//
// An event for a purchase whose order has not arrived is not dropped: the same update creates the
// purchase item with the review fields only (no review token). Its review state reads
// `pending_order` until the order arrives, and the order's write completes the item keeping the
// lifecycle fields (see purchasers.ts).
import type { Store } from '../store/client.ts';
import { absent, lessThan, or } from '../store/expression.ts';
import { normaliseEmail, purchaseKey } from '../store/keys.ts';
import { writeItem } from '../store/write.ts';
import type { ReviewState } from './model.ts';
import { isoSeconds } from './purchasers.ts';

/** The review state each event sets, and its rank among events of the same instant. */
const REVIEW_TRANSITIONS = {
  'review.submitted': { state: 'pending_moderation', rank: 1 },
  'review.rejected': { state: 'rejected', rank: 2 },
  'review.approved': { state: 'pending_publication', rank: 3 },
  'review.published': { state: 'published', rank: 4 },
} as const satisfies Record<string, { state: ReviewState; rank: number }>;

export type ReviewEventType = 'review.invitation_sent' | keyof typeof REVIEW_TRANSITIONS;

export interface ReviewEvent {
  readonly type: ReviewEventType;
  readonly trkref: string;
  readonly email: string;
  readonly order_ref: string;
  readonly sku: string;
  /** When it happened at the review platform. */
  readonly occurred_at: Date;
  /** The published review (review.published only). */
  readonly review_url?: string;
}

/** `applied`: the purchase changed; `stale`: a newer event had already set what this one would. */
export async function applyReviewEvent(store: Store, event: ReviewEvent): Promise<'applied' | 'stale'> {
  // Versions are compared as strings in the write's condition, so they must be UTC ISO strings of
  // one width: `toISOString` has a four-digit year only from 0000 to 9999 (year 10000 is
  // `+010000-…`, which sorts before `2026-…`). The event schema keeps times within 2000 to
  // tomorrow; this refuses any caller that did not go through it.
  const year = event.occurred_at.getUTCFullYear();
  if (!(year >= 2000 && year <= 9999)) throw new RangeError('review event time outside the years 2000 to 9999');
  const email = normaliseEmail(event.email);
  const identity = { entity: 'purchase', trkref: event.trkref, email, order_ref: event.order_ref, sku: event.sku };
  const key = purchaseKey(event.trkref, email, event.order_ref, event.sku);
  // Each field this sets carries the time it was set at; an event older than that changes nothing.
  let set: Record<string, unknown>;
  let versionAttribute: string;
  let version: string;
  if (event.type === 'review.invitation_sent') {
    // ISO 8601 to the second, as the contract shows it; fixed width, so strings compare as times.
    versionAttribute = 'contacted_at';
    version = isoSeconds(event.occurred_at);
    set = { ...identity, contacted_at: version };
  } else {
    const { state, rank } = REVIEW_TRANSITIONS[event.type];
    versionAttribute = 'review_state_version';
    version = `${event.occurred_at.toISOString()}#${rank}`;
    set = {
      ...identity,
      review_state: state,
      review_state_version: version,
      ...(event.review_url ? { review_url: event.review_url } : {}),
    };
  }
  const result = await writeItem(store, {
    update: key,
    changes: { set },
    condition: or(absent(versionAttribute), lessThan(versionAttribute, version)),
  });
  return result.written ? 'applied' : 'stale';
}
