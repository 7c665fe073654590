// The ingest handler against DynamoDB Local: SQS batches of EventBridge events, with the exact
// batchItemFailures asserted.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPurchaser } from '../../functions/purchasers/purchasers.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { reviewEvent } from '../support/events.ts';
import { injectFault } from '../support/faults.ts';
import { capturingLog, ingestHandler } from '../support/handlers.ts';

let t: TestTable;
let ingest: ReturnType<typeof ingestHandler>;
const log = capturingLog();
beforeAll(async () => {
  t = await createTestTable('ingest');
  ingest = ingestHandler(t.store, log);
});

let n = 0;
const person = () => `buyer${++n}@example.com`;
const order = (email: string, overrides: Record<string, unknown> = {}) => ({
  trkref: 'ACME',
  order_ref: `ORD-${n}`,
  purchase_date: '2026-11-20',
  customer: { email, title: 'Ms', first_name: 'Jane', surname: 'Doe', country: 'GB', postcode: 'SW1A 1AA' },
  lines: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }],
  ...overrides,
});
const review = reviewEvent;
const ids = (batch: ReturnType<typeof sqsBatch>, indexes: number[]) =>
  indexes.map((i) => ({ itemIdentifier: batch.Records[i]!.messageId }));

describe('order.placed', () => {
  it('creates the purchaser and one purchase per line, as the HTTP endpoint would', async () => {
    const email = person();
    const batch = sqsBatch([eventBridgeEvent('order.placed', order(email))]);
    expect(await ingest(batch)).toEqual({ batchItemFailures: [] });
    const stored = (await getPurchaser(t.store, 'ACME', email))!;
    expect(stored.purchaser).toMatchObject({
      email,
      title: 'Ms',
      first_name: 'Jane',
      surname: 'Doe',
      country: 'GB',
      postcode: 'SW1A 1AA',
    });
    expect(stored.purchases.map((p) => [p.order_ref, p.sku, p.review_state, p.purchase_date])).toEqual([
      [`ORD-${n}`, 'SKU-1', 'not_reviewed', '2026-11-20'],
      [`ORD-${n}`, 'SKU-2', 'not_reviewed', '2026-11-20'],
    ]);
  });

  it('a redelivered event changes nothing', async () => {
    const email = person();
    const event = eventBridgeEvent('order.placed', order(email));
    await ingest(sqsBatch([event]));
    const before = await getPurchaser(t.store, 'ACME', email);
    log.lines.length = 0;
    expect(await ingest(sqsBatch([event, event], 2))).toEqual({ batchItemFailures: [] });
    expect(await getPurchaser(t.store, 'ACME', email)).toEqual(before);
    expect(log.lines.map((l) => JSON.parse(l).outcome)).toEqual(['unchanged', 'unchanged']);
  });
});

describe('order.placed again', () => {
  it('a repeated order with a new purchase_date records the new date', async () => {
    const email = person();
    const orderRef = `REDATED-${n}`;
    await ingest(sqsBatch([eventBridgeEvent('order.placed', order(email, { order_ref: orderRef }))]));
    log.lines.length = 0;
    const redated = eventBridgeEvent(
      'order.placed',
      order(email, { order_ref: orderRef, purchase_date: '2026-11-23' }),
    );
    expect(await ingest(sqsBatch([redated]))).toEqual({ batchItemFailures: [] });
    expect(log.lines.map((l) => JSON.parse(l).outcome)).toEqual(['applied']);
    const stored = (await getPurchaser(t.store, 'ACME', email))!;
    expect(stored.purchases.map((p) => [p.order_ref, p.sku, p.purchase_date])).toEqual([
      [orderRef, 'SKU-1', '2026-11-23'],
      [orderRef, 'SKU-2', '2026-11-23'],
    ]);
  });
});

describe('review lifecycle', () => {
  async function placed() {
    const email = person();
    await ingest(sqsBatch([eventBridgeEvent('order.placed', order(email))]));
    return { email, orderRef: `ORD-${n}` };
  }
  const purchase = async (email: string, sku = 'SKU-1') =>
    (await getPurchaser(t.store, 'ACME', email))!.purchases.find((p) => p.sku === sku)!;

  it('moves a purchase through invitation, submission, approval and publication', async () => {
    const { email, orderRef } = await placed();
    const steps: [string, string, Record<string, unknown>?][] = [
      ['review.invitation_sent', '2026-11-21T09:00:00Z'],
      ['review.submitted', '2026-11-22T09:00:00Z'],
      ['review.approved', '2026-11-23T09:00:00Z'],
      ['review.published', '2026-11-24T09:00:00.250+01:00', { review_url: 'https://reviews.example.com/r/1' }],
    ];
    for (const [type, at, extra] of steps) {
      expect(await ingest(sqsBatch([review(type, email, orderRef, at, extra)])), type).toEqual({
        batchItemFailures: [],
      });
    }
    expect(await purchase(email)).toMatchObject({
      review_state: 'published',
      review_url: 'https://reviews.example.com/r/1',
      contacted_at: '2026-11-21T09:00:00Z',
    });
    expect((await purchase(email, 'SKU-2')).review_state).toBe('not_reviewed');
  });

  it('rejection after submission, and a late approval, do not move the purchase back', async () => {
    const { email, orderRef } = await placed();
    await ingest(sqsBatch([review('review.rejected', email, orderRef, '2026-11-22T12:00:00Z')]));
    await ingest(sqsBatch([review('review.submitted', email, orderRef, '2026-11-22T09:00:00Z')]));
    await ingest(sqsBatch([review('review.approved', email, orderRef, '2026-11-21T09:00:00Z')]));
    expect((await purchase(email)).review_state).toBe('rejected');
    await ingest(sqsBatch([review('review.invitation_sent', email, orderRef, '2026-11-20T09:00:00Z')]));
    await ingest(sqsBatch([review('review.invitation_sent', email, orderRef, '2026-11-19T09:00:00Z')]));
    expect((await purchase(email)).contacted_at).toBe('2026-11-20T09:00:00Z');
  });

  it('ends in the same state whatever order the events arrive in (newest event time wins)', async () => {
    const events = (email: string, orderRef: string) => [
      review('review.invitation_sent', email, orderRef, '2026-11-21T09:00:00Z'),
      review('review.submitted', email, orderRef, '2026-11-22T09:00:00Z'),
      review('review.rejected', email, orderRef, '2026-11-23T09:00:00Z'),
      review('review.submitted', email, orderRef, '2026-11-24T09:00:00Z'),
      review('review.approved', email, orderRef, '2026-11-25T09:00:00Z'),
      // Same instant as the approval: ties go to the later stage.
      review('review.published', email, orderRef, '2026-11-25T09:00:00Z', {
        review_url: 'https://reviews.example.com/r/2',
      }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6 }),
        fc.boolean(),
        async (order, oneBatch) => {
          const { email, orderRef } = await placed();
          const all = events(email, orderRef);
          const shuffled = order.map((i) => all[i]!);
          if (oneBatch) await ingest(sqsBatch(shuffled));
          else for (const e of shuffled) await ingest(sqsBatch([e]));
          expect(await purchase(email)).toMatchObject({
            review_state: 'published',
            review_url: 'https://reviews.example.com/r/2',
            contacted_at: '2026-11-21T09:00:00Z',
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  /** What the ingester logged as the outcome of each event of one batch. */
  async function outcomes(...events: ReturnType<typeof review>[]) {
    log.lines.length = 0;
    expect(await ingest(sqsBatch(events))).toEqual({ batchItemFailures: [] });
    return log.lines.map((line) => JSON.parse(line).outcome);
  }

  it('a review event at the same instant as the one that set the state changes nothing; one a millisecond later does', async () => {
    const { email, orderRef } = await placed();
    const published = (at: string, url: string) =>
      review('review.published', email, orderRef, at, { review_url: `https://reviews.example.com/r/${url}` });
    expect(await outcomes(published('2026-11-24T09:00:00.000Z', 'first'))).toEqual(['applied']);
    // Redelivered as is, or the same instant written with another offset, even with another link:
    expect(await outcomes(published('2026-11-24T09:00:00.000Z', 'first'))).toEqual(['unchanged']);
    expect(await outcomes(published('2026-11-24T10:00:00.000+01:00', 'again'))).toEqual(['unchanged']);
    expect(await purchase(email)).toMatchObject({
      review_state: 'published',
      review_url: 'https://reviews.example.com/r/first',
    });
    // Just before: stale. Just after: it wins.
    expect(await outcomes(published('2026-11-24T08:59:59.999Z', 'earlier'))).toEqual(['unchanged']);
    expect((await purchase(email)).review_url).toBe('https://reviews.example.com/r/first');
    expect(await outcomes(published('2026-11-24T09:00:00.001Z', 'later'))).toEqual(['applied']);
    expect((await purchase(email)).review_url).toBe('https://reviews.example.com/r/later');
  });

  it('a state event redelivered at the same instant is a no-op, and does not undo a later state', async () => {
    const { email, orderRef } = await placed();
    const submitted = review('review.submitted', email, orderRef, '2026-11-22T09:00:00Z');
    expect(await outcomes(submitted)).toEqual(['applied']);
    expect(await outcomes(submitted, submitted)).toEqual(['unchanged', 'unchanged']);
    expect((await purchase(email)).review_state).toBe('pending_moderation');
    expect(await outcomes(review('review.rejected', email, orderRef, '2026-11-22T09:00:01Z'))).toEqual(['applied']);
    expect(await outcomes(submitted)).toEqual(['unchanged']);
    expect((await purchase(email)).review_state).toBe('rejected');
  });

  it('an invitation at the same contacted_at is a no-op; a second later moves it, a second earlier does not', async () => {
    const { email, orderRef } = await placed();
    const invited = (at: string) => review('review.invitation_sent', email, orderRef, at);
    expect(await outcomes(invited('2026-11-21T09:00:00Z'))).toEqual(['applied']);
    expect(await outcomes(invited('2026-11-21T09:00:00Z'))).toEqual(['unchanged']);
    expect(await outcomes(invited('2026-11-21T10:00:00+01:00'))).toEqual(['unchanged']);
    expect(await outcomes(invited('2026-11-21T08:59:59Z'))).toEqual(['unchanged']);
    expect((await purchase(email)).contacted_at).toBe('2026-11-21T09:00:00Z');
    expect(await outcomes(invited('2026-11-21T09:00:01Z'))).toEqual(['applied']);
    expect((await purchase(email)).contacted_at).toBe('2026-11-21T09:00:01Z');
    // The review state is untouched by invitations.
    expect((await purchase(email)).review_state).toBe('not_reviewed');
  });

  it('keeps an event for a purchase whose order has not arrived, and applies it when the order does', async () => {
    const email = person();
    const orderRef = `EARLY-${n}`;
    const early = review('review.submitted', email, orderRef, '2026-11-22T09:00:00Z');
    expect(await ingest(sqsBatch([early]))).toEqual({ batchItemFailures: [] });
    // No purchaser yet, but the purchase waits in its partition.
    expect(await getPurchaser(t.store, 'ACME', email)).toBeUndefined();
    await ingest(
      sqsBatch([eventBridgeEvent('order.placed', order(email, { order_ref: orderRef, lines: [{ sku: 'SKU-1' }] }))]),
    );
    const stored = (await getPurchaser(t.store, 'ACME', email))!;
    expect(stored.purchases).toHaveLength(1);
    expect(stored.purchases[0]).toMatchObject({ review_state: 'pending_moderation', review_token: expect.any(String) });
  });
});

describe('batches', () => {
  it('reports exactly the messages that cannot be handled, and handles the rest', async () => {
    const good = person();
    const batch = sqsBatch([
      eventBridgeEvent('order.placed', order(good)), // 0 good
      'not json', // 1
      { hello: 'world' }, // 2 not an EventBridge event
      eventBridgeEvent('order.cancelled', { trkref: 'ACME' }), // 3 unknown type
      eventBridgeEvent('order.placed', order(person(), { trkref: 'AC ME' })), // 4 org id format
      eventBridgeEvent('order.placed', order(person(), { lines: [] })), // 5 schema
      eventBridgeEvent('review.published', {
        trkref: 'ACME',
        email: good,
        order_ref: 'X',
        sku: 'Y',
        occurred_at: '2026-11-22T09:00:00Z',
      }), // 6 no review_url
      eventBridgeEvent('review.submitted', {
        trkref: 'ACME',
        email: good,
        order_ref: 'X',
        sku: 'Y',
        occurred_at: 'yesterday',
      }), // 7 bad time
      eventBridgeEvent('review.submitted', [1, 2]), // 8 detail not an object
      eventBridgeEvent('review.submitted', {
        trkref: 'ACME',
        email: good,
        order_ref: 'X',
        sku: 'Y',
        occurred_at: '2026-11-22T09:00:00Z',
      }), // 9 good
    ]);
    log.lines.length = 0;
    expect(await ingest(batch)).toEqual({ batchItemFailures: ids(batch, [1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(await getPurchaser(t.store, 'ACME', good)).toBeDefined();
    const rejected = log.lines.map((l) => JSON.parse(l)).filter((l) => l.outcome === 'invalid');
    expect(rejected).toHaveLength(8);
    expect(rejected.map((l) => l.reason)).toContain('unknown detail-type "order.cancelled"');
    expect(rejected.find((l) => l.message_id === batch.Records[4]!.messageId).reason).toMatch(
      /detail\/trkref must be 1 to 64/,
    );
    // Reasons name fields, never their values.
    expect(log.lines.join('\n')).not.toContain(good);
  });

  it('reports a message whose store write fails, without failing the others', async () => {
    const store = t.newStore();
    const unlucky = person();
    injectFault(store, (command, input) =>
      command === 'UpdateItemCommand' && String(input.Key?.pk).includes(unlucky)
        ? { error: new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }) }
        : undefined,
    );
    const handler = ingestHandler(store, log);
    const lucky = person();
    const batch = sqsBatch([
      eventBridgeEvent('order.placed', order(unlucky)),
      eventBridgeEvent('order.placed', order(lucky)),
    ]);
    expect(await handler(batch)).toEqual({ batchItemFailures: ids(batch, [0]) });
    expect(await getPurchaser(t.store, 'ACME', lucky)).toBeDefined();
  });
});

describe('review links from producers', () => {
  it('takes a published review only as an https link to a review site of the stage', async () => {
    const email = person();
    await ingest(sqsBatch([eventBridgeEvent('order.placed', order(email))]));
    const orderRef = `ORD-${n}`;
    const at = '2026-11-25T09:00:00Z';
    const links = [
      'http://reviews.example.com/r/1', // not https
      'https://elsewhere.example/r/1', // another host
      'https://reviews.example.com.elsewhere.example/r/1', // a look-alike
      'https://reviews.example.com:8443/r/1', // another port
      'https://reviews.example.com/r/2', // the review site
    ];
    const batch = sqsBatch(links.map((url) => review('review.published', email, orderRef, at, { review_url: url })));
    expect(await ingest(batch)).toEqual({ batchItemFailures: ids(batch, [0, 1, 2, 3]) });
    const purchase = (await getPurchaser(t.store, 'ACME', email))!.purchases[0]!;
    expect(purchase).toMatchObject({ review_state: 'published', review_url: 'https://reviews.example.com/r/2' });
  });
});
