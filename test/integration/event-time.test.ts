// Event times against DynamoDB Local, through the ingest handler and the review lifecycle: only
// calendar-valid times from the year 2000 to one day ahead are taken, and "newest event wins"
// compares instants, whatever offset an event was written with. Each test has its own purchaser,
// ingester and log.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyReviewEvent } from '../../functions/purchasers/review-lifecycle.ts';
import { purchaseKey } from '../../functions/store/keys.ts';
import { getItem } from '../../functions/store/read.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { reviewEvent } from '../support/events.ts';
import { capturingLog, ingestHandler } from '../support/handlers.ts';

const DAY = 24 * 60 * 60 * 1000;

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('event-time');
});

let n = 0;

/** A purchaser with one placed order (sku `SKU-1`), and an ingester that logs to `log`. */
async function setUp(purchaseDate: unknown = '2026-11-20') {
  const log = capturingLog();
  const ingest = ingestHandler(t.store, log);
  const email = `time${++n}@example.com`;
  const orderRef = `ORD-${n}`;
  const placed = eventBridgeEvent('order.placed', {
    trkref: 'ACME',
    order_ref: orderRef,
    purchase_date: purchaseDate,
    customer: { email },
    lines: [{ sku: 'SKU-1' }],
  });
  const placedResult = await ingest(sqsBatch([placed]));
  const review = (type: string, occurredAt: string, extra: Record<string, unknown> = {}) =>
    reviewEvent(type, email, orderRef, occurredAt, extra);
  /** Ingests each event in its own batch, in this order; answers the failed ones' indexes. */
  const deliver = async (...events: ReturnType<typeof review>[]) => {
    const failed: number[] = [];
    for (const [i, event] of events.entries()) {
      const { batchItemFailures } = await ingest(sqsBatch([event]));
      if (batchItemFailures.length > 0) failed.push(i);
    }
    return failed;
  };
  const stored = async () => (await getItem(t.store, purchaseKey('ACME', email, orderRef, 'SKU-1')))!;
  const outcomes = () => log.lines.map((line) => JSON.parse(line)).map((line) => [line.outcome, line.reason]);
  return { email, orderRef, placedResult, review, deliver, stored, outcomes, log };
}

describe('event times the ingester refuses', () => {
  it('30 February is not 2 March', async () => {
    const { review, deliver, stored, outcomes } = await setUp();
    expect(await deliver(review('review.submitted', '2026-02-30T10:00:00Z'))).toEqual([0]);
    expect(outcomes().at(-1)).toEqual(['invalid', 'detail/occurred_at must be a real date and time']);
    expect((await stored()).review_state).toBe('not_reviewed');
    // The leap day of a leap year is a day like any other.
    expect(await deliver(review('review.submitted', '2024-02-29T10:00:00Z'))).toEqual([]);
    expect((await stored()).review_state).toBe('pending_moderation');
  });

  it('a time past the year 9999 (here written with an offset) is refused and changes nothing', async () => {
    const { review, deliver, stored, outcomes } = await setUp();
    const published = review('review.published', '2026-11-22T09:00:00Z', {
      review_url: 'https://reviews.example.com/1',
    });
    expect(await deliver(published)).toEqual([]);
    // 10000-01-01T04:00Z: as `toISOString` writes it (`+010000-…`) it sorts before `2026-…`.
    expect(await deliver(review('review.rejected', '9999-12-31T23:00:00-05:00'))).toEqual([0]);
    expect(outcomes().at(-1)).toEqual([
      'invalid',
      'detail/occurred_at must be no earlier than the year 2000 and at most one day in the future',
    ]);
    expect(await stored()).toMatchObject({
      review_state: 'published',
      review_state_version: '2026-11-22T09:00:00.000Z#4',
    });
  });

  it('times before 2000 or more than a day ahead are refused; within a day ahead is taken', async () => {
    const { review, deliver, stored } = await setUp();
    const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(
      await deliver(
        review('review.rejected', '1999-12-31T23:59:59Z'),
        review('review.rejected', '2000-01-01T00:30:00+01:00'),
        review('review.rejected', ahead(DAY + 60_000)),
        review('review.invitation_sent', ahead(2 * DAY)),
      ),
    ).toEqual([0, 1, 2, 3]);
    expect(await stored()).toMatchObject({ review_state: 'not_reviewed' });
    expect((await stored()).contacted_at).toBeUndefined();
    const soon = ahead(DAY - 60_000);
    expect(await deliver(review('review.submitted', soon))).toEqual([]);
    expect((await stored()).review_state_version).toBe(`${soon}#1`);
  });

  it('an order purchase date before 2000 is refused; "" is an order without a date', async () => {
    const refused = await setUp('1999-12-31');
    expect(refused.placedResult.batchItemFailures).toHaveLength(1);
    expect(refused.outcomes().at(-1)).toEqual([
      'invalid',
      'detail/purchase_date must be no earlier than the year 2000 and at most one day in the future',
    ]);
    const undated = await setUp('');
    expect(undated.placedResult.batchItemFailures).toEqual([]);
    expect(await undated.stored()).toMatchObject({ review_state: 'not_reviewed' });
    expect((await undated.stored()).purchase_date).toBeUndefined();
  });
});

describe('newest event wins, by instant', () => {
  // 2026-11-21T20:00Z and 2026-11-21T21:00Z: as written, the older one sorts after the newer.
  const older = '2026-11-22T01:00:00+05:00';
  const newer = '2026-11-21T21:00:00Z';

  for (const arrival of ['older first', 'newer first'] as const) {
    it(`the review state is the newer event's, whatever the offsets (${arrival})`, async () => {
      const { review, deliver, stored } = await setUp();
      const events = [review('review.rejected', older), review('review.submitted', newer)];
      expect(await deliver(...(arrival === 'older first' ? events : events.reverse()))).toEqual([]);
      expect(await stored()).toMatchObject({
        review_state: 'pending_moderation',
        review_state_version: '2026-11-21T21:00:00.000Z#1',
      });
    });

    it(`contacted_at is the newer invitation's, stored in UTC (${arrival})`, async () => {
      const { review, deliver, stored } = await setUp();
      const events = [
        review('review.invitation_sent', '2026-11-22T01:00:00Z'),
        review('review.invitation_sent', '2026-11-21T23:30:00-03:00'),
      ];
      expect(await deliver(...(arrival === 'older first' ? events : events.reverse()))).toEqual([]);
      expect((await stored()).contacted_at).toBe('2026-11-22T02:30:00Z');
    });
  }

  it('one instant written with two offsets is one version: the second changes nothing', async () => {
    const { review, deliver, stored, outcomes } = await setUp();
    expect(
      await deliver(
        review('review.submitted', '2026-11-22T10:00:00+01:00'),
        review('review.submitted', '2026-11-22T09:00:00Z'),
        review('review.invitation_sent', '2026-11-21T10:00:00+01:00'),
        review('review.invitation_sent', '2026-11-21T09:00:00Z'),
      ),
    ).toEqual([]);
    expect(outcomes().slice(-4)).toEqual([
      ['applied', undefined],
      ['unchanged', undefined],
      ['applied', undefined],
      ['unchanged', undefined],
    ]);
    expect(await stored()).toMatchObject({
      review_state_version: '2026-11-22T09:00:00.000Z#1',
      contacted_at: '2026-11-21T09:00:00Z',
    });
  });

  it('the review lifecycle refuses a time it could not store in order, whoever calls it', async () => {
    const { email, orderRef, stored } = await setUp();
    const before = await stored();
    const event = { type: 'review.published', trkref: 'ACME', email, order_ref: orderRef, sku: 'SKU-1' } as const;
    for (const occurred_at of [
      new Date(Date.UTC(10_000, 0, 1)),
      new Date('1999-12-31T00:00:00Z'),
      new Date(Number.NaN),
    ]) {
      await expect(
        applyReviewEvent(t.store, { ...event, occurred_at, review_url: 'https://reviews.example.com/2' }),
        String(occurred_at),
      ).rejects.toThrow(RangeError);
    }
    expect(await stored()).toEqual(before);
  });
});
