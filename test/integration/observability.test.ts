// What the handlers tell on-call, read from their log lines as CloudWatch reads them: one line per
// request with its ids and outcome, which counts the outcome per route (embedded metric format); a
// line per ingested event counting it per event type; a line per published type. Against DynamoDB
// Local through the real handlers; the log sink is captured, and searched for emails and secrets.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fallbackRow } from '../../contract/routes.ts';
import { createPublisher, type EventSink } from '../../functions/events/publisher.ts';
import { plainRoute } from '../../functions/http/route.ts';
import { BUDGET_MS } from '../../functions/runtime/budget.ts';
import type { Store } from '../../functions/store/client.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { emfOf, metricTotals } from '../support/emf.ts';
import { httpEvent, invoke, lambdaContext, partner, reviewEvent } from '../support/events.ts';
import { injectFault } from '../support/faults.ts';
import { capturingLog, customerHandler, ingestHandler } from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('observability');
});

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });

describe('requests', () => {
  it('each is one line with its ids and outcome, counting the outcome per route', async () => {
    const log = capturingLog();
    const create = customerHandler(t.store, log);
    const email = `observed.${Date.now().toString(36)}@example.com`;
    const body = { corporation_id: 'OBS', name: 'Observed Co', email };
    const events = [
      httpEvent({ path: '/customers', body }),
      httpEvent({ path: '/customers', body }), // the same email: conflict
      httpEvent({ path: '/customers', body: { corporation_id: 'OBS', email: 'not an address' } }),
      httpEvent({
        path: '/customers',
        body: { ...body, email: `second.${email}` },
        headers: { 'idempotency-key': 'k1' },
      }),
      httpEvent({
        path: '/customers',
        body: { ...body, email: `second.${email}` },
        headers: { 'idempotency-key': 'k1' },
      }),
      httpEvent({ path: '/customers', body, principal: 'unknown' }),
      httpEvent({ path: '/customers', body, principal: partner(['ELSEWHERE']) }),
    ];
    const statuses = [];
    for (const event of events) statuses.push((await invoke(create, event)).statusCode);
    expect(statuses).toEqual([201, 409, 422, 201, 201, 401, 403]);

    expect(metricTotals(log.lines)).toEqual({
      'CreateCustomer: created': 2,
      'CreateCustomer: conflict': 1,
      'CreateCustomer: validation_failed': 1,
      'CreateCustomer: idempotent_replay': 1,
      'CreateCustomer: unauthenticated': 1,
      'CreateCustomer: forbidden': 1,
    });
    const requests = log.lines.map((line) => JSON.parse(line)).filter((line) => line.message === 'request');
    expect(requests.map((line) => line.outcome)).toEqual([
      'created',
      'conflict',
      'validation_failed',
      'created',
      'idempotent_replay',
      'unauthenticated',
      'forbidden',
    ]);
    expect(requests.map((line) => line.request_id)).toEqual(events.map((event) => event.requestContext.requestId));
    expect(requests[0]).toMatchObject({
      level: 'info',
      route: 'CreateCustomer',
      method: 'POST',
      path: '/customers',
      organisation: 'OBS',
      key_id: expect.stringMatching(/^key_/),
      status: 201,
      function_request_id: expect.any(String),
      cold_start: expect.any(Boolean),
      duration_ms: expect.any(Number),
    });
    // Only an organisation the key holds is named; an unknown key is no key id.
    expect(requests[6]).toMatchObject({ key_id: expect.stringMatching(/^key_/), status: 403 });
    expect(requests[6]).not.toHaveProperty('organisation');
    expect(requests[5]).not.toHaveProperty('key_id');

    // Never an email, a secret or a token, whatever the answer.
    const text = log.lines.join('\n');
    expect(text).not.toContain(email.split('@')[0]);
    expect(text).not.toContain('not an address');
    for (const event of events) {
      const secret = event.headers.authorization?.split('.')[1];
      if (secret) expect(text).not.toContain(secret);
    }
  });

  it('a request answered 503 when its budget is spent has one line: the work behind it never writes a second', async () => {
    vi.useFakeTimers();
    const log = capturingLog();
    const slow = plainRoute(fallbackRow, {
      log,
      handle: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 2 * BUDGET_MS)),
    });
    const answer = slow(httpEvent({ method: 'GET', path: '/slow', principal: null }), lambdaContext());
    await vi.advanceTimersByTimeAsync(3 * BUDGET_MS);
    expect((await answer).statusCode).toBe(503);
    const requests = log.lines.filter((line) => line.includes('"message":"request"'));
    expect(requests.map((line) => [JSON.parse(line).status, emfOf(line)?.values])).toEqual([[503, { unavailable: 1 }]]);
  });

  afterEach(() => {
    vi.useRealTimers();
  });
});

describe('ingested events', () => {
  const ingesterOn = (store: Store, log: ReturnType<typeof capturingLog>) => ingestHandler(store, log);
  const order = (email: string) => ({
    trkref: 'OBS',
    order_ref: `O-${email}`,
    purchase_date: '2026-11-20',
    customer: { email, first_name: 'Jane' },
    lines: [{ sku: 'SKU-1' }],
  });

  it('are counted per type: ingested, rejected (invalid) or retried (failed for now)', async () => {
    const log = capturingLog();
    const email = `ingested.${Date.now().toString(36)}@example.com`;
    const batch = sqsBatch([
      eventBridgeEvent('order.placed', order(email)),
      eventBridgeEvent('order.placed', order(`again.${email}`)),
      eventBridgeEvent('order.placed', { ...order(email), customer: { email: 'not an address' } }),
      reviewEvent('review.submitted', email, `O-${email}`, 'not a time'),
      eventBridgeEvent('order.shipped', {}),
    ]);
    batch.Records.push({ ...batch.Records[0]!, messageId: 'not-json', body: '{"detail-type":' });
    const { batchItemFailures } = await ingesterOn(t.store, log)(batch, lambdaContext());
    expect(batchItemFailures).toHaveLength(4);
    expect(metricTotals(log.lines)).toEqual({
      'order.placed: ingested': 2,
      'order.placed: rejected': 1,
      'review.submitted: rejected': 1,
      'unknown: rejected': 2,
    });

    // A store that throttles every call: the message is retried, not rejected.
    const busy = t.newStore();
    injectFault(busy, () => ({ error: throttled() }));
    const retried = capturingLog();
    await ingesterOn(busy, retried)(sqsBatch([eventBridgeEvent('order.placed', order(`busy.${email}`))]));
    expect(metricTotals(retried.lines)).toEqual({ 'order.placed: retried': 1 });

    const lines = [...log.lines, ...retried.lines].map((line) => JSON.parse(line));
    // One invocation, one Lambda request id on each of its lines.
    expect(new Set(lines.slice(0, 6).map((line) => line.function_request_id)).size).toBe(1);
    expect(lines.every((line) => typeof line.cold_start === 'boolean')).toBe(true);
    expect([...log.lines, ...retried.lines].join('\n')).not.toContain(email.split('@')[0]);
  });
});

describe('published events', () => {
  const insert = (sequence: number, item: Record<string, unknown>): DynamoDBRecord => ({
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: String(sequence),
      NewImage: marshall(item) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    },
  });

  it('are counted per type, published or failed', async () => {
    const customer = (id: string) => ({ entity: 'customer', corporation_id: 'OBS', id, version: 1, created_at: 1 });
    const batch = {
      Records: [
        insert(100, customer('c1')),
        insert(101, customer('c2')),
        insert(102, { entity: 'purchaser-erased', trkref: 'OBS', id: 'p1', erased_at: '2026-11-25T00:00:00Z' }),
      ],
    };
    const picky: EventSink = { publish: async (events) => events.filter((e) => e.detail.customer_id === 'c2') };
    const log = capturingLog();
    await createPublisher({ sink: picky, log })(batch, lambdaContext());
    expect(metricTotals(log.lines)).toEqual({
      'customer.created: published': 1,
      'customer.created: failed': 1,
      'purchaser.erased: published': 1,
      'purchaser.erased: failed': 0,
    });
  });
});
