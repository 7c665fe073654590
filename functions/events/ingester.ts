// The ingest queue's consumer: EventBridge events from order and review systems, in SQS batches.
//
// Each message is handled on its own and reported on its own (partial batch responses): one bad
// message never blocks or replays the good ones of its batch. A message that cannot be handled
// (not JSON, unknown type, a detail that breaks its schema, a store failure, or still running when
// its time budget is spent: functions/runtime/budget.ts) is logged with the reason and reported as
// failed, so SQS retries it and, after 5 receives, moves it to the dead-letter queue. Messages are
// handled side by side, so a stalled table fails the batch in one budget, not one per message.
// Handling is idempotent: a redelivered event changes nothing.
//
// Each message's line counts it, per event type, as one of three metrics (embedded metric format,
// functions/runtime/metrics.ts): `ingested` (applied, or already applied), `rejected` (it can
// never be handled: invalid; retried all the same, then dead-lettered) or `retried` (it failed
// for now: store failure or budget spent; SQS delivers it again).
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as v from 'valibot';
import { type IncomingEventType, incomingEventTypes } from '../../contract/events.ts';
import { type PurchaserDeps, upsertPurchaser } from '../purchasers/purchasers.ts';
import { applyReviewEvent } from '../purchasers/review-lifecycle.ts';
import { BUDGET_MS, withinBudget } from '../runtime/budget.ts';
import { describeError, invocationFields, type Logger } from '../runtime/logger.ts';
import { metricFields } from '../runtime/metrics.ts';
import { fieldErrors } from '../schema/issues.ts';
import type { Store } from '../store/client.ts';
import { envelope, onReviewHost, orderPlaced, reviewEvent, reviewPublished } from './schema.ts';

export interface IngestDeps extends PurchaserDeps {
  readonly store: Store;
  readonly log: Logger;
  /** Where a published review may link (schema.ts onReviewHost). */
  readonly reviewUrlHosts: readonly string[];
}

/** The message took longer than its budget: retried later, like a store failure. */
class BudgetSpent extends Error {
  override readonly name = 'BudgetSpent';
}

/** Why a message can never be handled as it is. */
class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
}

type Outcome = 'applied' | 'unchanged';

/** The metric dimension of a message whose type is not one of ours (or not known at all). */
const UNKNOWN_TYPE = 'unknown';

export function createIngester(deps: IngestDeps) {
  return async (event: SQSEvent, context?: Pick<Context, 'awsRequestId'>): Promise<SQSBatchResponse> => {
    const invocation = invocationFields(context);
    const failed: { itemIdentifier: string }[] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const started = Date.now();
        let fields: Record<string, unknown> = {
          message_id: record.messageId,
          receive_count: Number(record.attributes?.ApproximateReceiveCount ?? 1),
          ...invocation,
        };
        let type: string = UNKNOWN_TYPE;
        const count = (metric: 'ingested' | 'rejected' | 'retried') =>
          metricFields({ detail_type: type }, { [metric]: 1 });
        try {
          const message = read(record.body);
          type = message.detail_type;
          fields = { ...fields, event_id: message.event_id, detail_type: type };
          const outcome = await withinBudget(handlers[message.detail_type](message.detail, deps), () => {
            throw new BudgetSpent(`still running after ${BUDGET_MS} ms`);
          });
          deps.log.info('event', { ...fields, outcome, duration_ms: Date.now() - started, ...count('ingested') });
        } catch (error) {
          failed.push({ itemIdentifier: record.messageId });
          if (error instanceof InvalidEvent)
            deps.log.warn('event rejected', {
              ...fields,
              outcome: 'invalid',
              reason: error.message,
              ...count('rejected'),
            });
          else
            deps.log.error('event failed', {
              ...fields,
              outcome: 'failed',
              ...describeError(error),
              ...count('retried'),
            });
        }
      }),
    );
    return { batchItemFailures: failed };
  };
}

/** The message as an event of one of our types, or an InvalidEvent saying why it is none. */
function read(body: string): { event_id: string; detail_type: IncomingEventType; detail: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidEvent('the message is not JSON');
  }
  const wrapper = v.safeParse(envelope, parsed);
  if (!wrapper.success) throw new InvalidEvent('the message is not an EventBridge event');
  const type = wrapper.output['detail-type'];
  if (!(incomingEventTypes as readonly string[]).includes(type))
    throw new InvalidEvent(`unknown detail-type "${type}"`);
  return { event_id: wrapper.output.id, detail_type: type as IncomingEventType, detail: wrapper.output.detail };
}

/** The detail, valid for `schema`, or an InvalidEvent naming every bad field (not its value). */
function detailOf<S extends v.GenericSchema>(schema: S, detail: unknown): v.InferOutput<S> {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    throw new InvalidEvent('detail must be a JSON object');
  const result = v.safeParse(schema, detail, { abortPipeEarly: true });
  if (!result.success) {
    throw new InvalidEvent(
      fieldErrors(result.issues)
        .map((e) => `detail${e.pointer} ${e.detail}`)
        .join('; '),
    );
  }
  return result.output;
}

const review = (type: Exclude<IncomingEventType, 'order.placed'>) => async (detail: unknown, deps: IngestDeps) => {
  const event = detailOf(type === 'review.published' ? reviewPublished : reviewEvent, detail);
  if ('review_url' in event && !onReviewHost(event.review_url, deps.reviewUrlHosts)) {
    throw new InvalidEvent(`detail/review_url must be on a review site (${deps.reviewUrlHosts.join(', ')})`);
  }
  const result = await applyReviewEvent(deps.store, { type, ...event });
  return result === 'applied' ? 'applied' : 'unchanged';
};

const handlers: Record<IncomingEventType, (detail: unknown, deps: IngestDeps) => Promise<Outcome>> = {
  async 'order.placed'(detail, deps) {
    const order = detailOf(orderPlaced, detail);
    const { email, ...fields } = order.customer;
    // Exactly what POST /v4/organisations/{trkref}/purchasers does with the same purchaser.
    const result = await upsertPurchaser(
      deps.store,
      {
        trkref: order.trkref,
        email,
        fields,
        purchases: order.lines.map((line) => ({
          order_ref: order.order_ref,
          sku: line.sku,
          purchase_date: order.purchase_date,
        })),
      },
      deps,
    );
    return result.changed ? 'applied' : 'unchanged';
  },
  'review.invitation_sent': review('review.invitation_sent'),
  'review.submitted': review('review.submitted'),
  'review.rejected': review('review.rejected'),
  'review.approved': review('review.approved'),
  'review.published': review('review.published'),
};
