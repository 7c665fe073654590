// The review lifecycle of a purchase, driven by events from the review platform:
//
//   review.invitation_sent  -> contacted_at
//   review.submitted        -> pending_moderation
//   review.rejected         -> rejected
//   review.approved         -> pending_publication
//   review.published        -> published, with the review's URL
//
// Events may arrive late, twice or out of order; the newest event time wins. Each change is one
// conditional UpdateItem: the review state carries the version it was set at (event time, then a
// fixed rank to order events of the same instant), and an event older than that changes nothing.
// So the end state does not depend on the order of arrival.
//
// An event for a purchase whose order has not arrived is not dropped: the same update creates the
// purchase item with the review fields only (no review token). Its review state reads
// `pending_order` until the order arrives, and the order's write completes the item keeping the
// lifecycle fields (see purchasers.ts).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { registryTable } from '../../lib/table.ts';
import { normaliseEmail, personKey, purchaseSk } from '../shared/keys.ts';
import type { Store } from '../shared/store.ts';
import { buildUpdate } from '../shared/update-expression.ts';
import type { ReviewState } from './model.ts';

const PK = registryTable.partitionKey;
const SK = registryTable.sortKey;

/** The review state each event sets, and its rank among events of the same instant. */
export const REVIEW_TRANSITIONS = {
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
  const email = normaliseEmail(event.email);
  const identity = { entity: 'purchase', trkref: event.trkref, email, order_ref: event.order_ref, sku: event.sku };
  let update: ReturnType<typeof buildUpdate>;
  let condition: string;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};

  if (event.type === 'review.invitation_sent') {
    // ISO 8601 to the second, as the contract shows it; fixed width, so strings compare as times.
    const contactedAt = `${event.occurred_at.toISOString().slice(0, 19)}Z`;
    update = buildUpdate({ set: { ...identity, contacted_at: contactedAt } });
    condition = 'attribute_not_exists(#contacted) OR #contacted < :contacted';
    names['#contacted'] = 'contacted_at';
    values[':contacted'] = contactedAt;
  } else {
    const { state, rank } = REVIEW_TRANSITIONS[event.type];
    const version = `${event.occurred_at.toISOString()}#${rank}`;
    update = buildUpdate({
      set: {
        ...identity,
        review_state: state,
        review_state_version: version,
        ...(event.review_url ? { review_url: event.review_url } : {}),
      },
    });
    condition = 'attribute_not_exists(#version) OR #version < :version';
    names['#version'] = 'review_state_version';
    values[':version'] = version;
  }

  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { [PK]: personKey(event.trkref, email), [SK]: purchaseSk(event.order_ref, event.sku) },
        ...update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...names },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...values },
      }),
    );
    return 'applied';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'stale';
    throw error;
  }
}
