// Events out: real writes through the handlers, the table's real stream (DynamoDB Local, read as
// npm start reads it), and the real publisher; the sink records what would go on the bus.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_SOURCE } from '../../contract/events.ts';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { eraseCustomer, updateCustomer } from '../../functions/customers/customers.ts';
import { type DomainEvent, toDomainEvents } from '../../functions/events/domain-events.ts';
import { createPublisher, type EventSink, eventBridgeSink } from '../../functions/events/publisher.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { type StreamPoller, startStreamPoller } from '../../local/stream.ts';
import { runTool } from '../support/cli.ts';
import { createTestTable, dynamoEndpoint, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke, partner } from '../support/events.ts';
import {
  capturingLog,
  customerHandler,
  ingestHandler,
  purchaserHandler,
  purchaserRoutesHandlers,
} from '../support/handlers.ts';

let t: TestTable;
let poller: StreamPoller;
const published: DomainEvent[] = [];
const batches: DynamoDBStreamEvent[] = [];
const sink: EventSink = {
  publish: async (events) => {
    published.push(...events);
    return [];
  },
};
const publish = createPublisher({ sink, log: capturingLog() });

beforeAll(async () => {
  t = await createTestTable('publisher', { stream: true });
  poller = await startStreamPoller({
    endpoint: dynamoEndpoint(),
    tableName: t.tableName,
    intervalMs: 60_000, // the tests drain it themselves
    handle: async (event) => {
      batches.push(event);
      return publish(event);
    },
  });
});
afterAll(() => poller?.stop());

/** Polls the stream until `done` holds for what was published since `from` (the stream may lag a little). */
async function until(from: number, done: (events: DomainEvent[]) => boolean): Promise<DomainEvent[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    await poller.drain();
    const events = published.slice(from);
    if (done(events)) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`stream did not deliver: ${JSON.stringify(published.slice(from))}`);
}

const purchaser = (body: Record<string, unknown>) =>
  invoke(
    purchaserHandler(t.store),
    httpEvent({ path: '/v4/organisations/ACME/purchasers', pathParameters: { trkref: 'ACME' }, body }),
  );

describe('domain events from the stream', () => {
  it('customer.created names the customer by id, with no personal data', async () => {
    const from = published.length;
    const res = await invoke(
      customerHandler(t.store),
      httpEvent({
        path: '/customers',
        body: {
          corporation_id: 'corp_1',
          name: 'Private Person',
          email: 'private@example.com',
          external_id: 'ext-9',
          shipping_address: { city: 'Leeds' },
        },
      }),
    );
    const [event] = await until(from, (events) => events.length >= 1);
    expect(event).toMatchObject({
      type: 'customer.created',
      detail: {
        organisation: 'corp_1',
        customer_id: res.json.data.id,
        external_id: 'ext-9',
        source_platform: null,
        source_platform_id: null,
        created_at: res.json.data.created_at,
      },
    });
    expect(JSON.stringify(event)).not.toMatch(/Private Person|private@example\.com|Leeds/);
  });

  it('purchaser.upserted: a new purchaser with its purchases, fields named but not shown', async () => {
    const from = published.length;
    await purchaser({
      email: 'jane.p@example.com',
      title: 'Ms',
      first_name: 'Janet',
      purchases: [
        { order_ref: 'P1', sku: 'A' },
        { order_ref: 'P1', sku: 'B', purchase_date: '2026-11-01' },
      ],
    });
    const events = await until(
      from,
      (all) =>
        all.flatMap((e) => (e.detail.purchases as unknown[]) ?? []).length >= 2 && all.some((e) => e.detail.created),
    );
    // One purchaser's events merged: later fields win, purchases accumulate, `created` sticks.
    const detail: Record<string, unknown> = {};
    const purchases: unknown[] = [];
    let created: unknown = false;
    for (const e of events) {
      Object.assign(detail, e.detail);
      purchases.push(...(e.detail.purchases as unknown[]));
      created ||= e.detail.created;
    }
    Object.assign(detail, { purchases, created });
    expect(events.every((e) => e.type === 'purchaser.upserted')).toBe(true);
    expect(detail).toMatchObject({ organisation: 'ACME', purchaser_id: expect.stringMatching(/^pur_/), created: true });
    expect(detail.changed_fields).toEqual(expect.arrayContaining(['title', 'first_name']));
    expect(detail.purchases).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ order_ref: 'P1', sku: 'A', change: 'created', review_state: 'not_reviewed' }),
        expect.objectContaining({ order_ref: 'P1', sku: 'B', change: 'created', purchase_date: '2026-11-01' }),
      ]),
    );
    expect(JSON.stringify(events)).not.toMatch(/jane\.p@example\.com|Janet|"Ms"/);
  });

  it('a repeat that changes nothing announces nothing; the next real change is announced alone', async () => {
    const body = { email: 'quiet@example.com', title: 'Dr', purchases: [{ order_ref: 'Q1', sku: 'A' }] };
    await purchaser(body);
    await until(0, (all) => all.some((e) => e.detail.created === true && JSON.stringify(e).includes('"Q1"')));
    const from = published.length;
    await purchaser(body); // no change
    await purchaser({ ...body, title: 'Prof' }); // the sentinel: a change in the same partition, so it comes after
    const events = await until(from, (all) => all.length >= 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ created: false, changed_fields: ['title'], purchases: [] });
  });

  it('review changes are announced as purchase updates; a purchase known only to review events waits for its order', async () => {
    const ingest = ingestHandler(t.store, capturingLog());
    const review = (orderRef: string, type = 'review.submitted', at = '2026-11-22T09:00:00Z') =>
      eventBridgeEvent(type, {
        trkref: 'ACME',
        email: 'rev@example.com',
        order_ref: orderRef,
        sku: 'A',
        occurred_at: at,
      });
    await ingest(sqsBatch([review('EARLY')])); // no order yet: no event
    await purchaser({ email: 'rev@example.com', purchases: [{ order_ref: 'R1', sku: 'A' }] });
    await until(0, (all) => all.some((e) => JSON.stringify(e).includes('"R1"')));

    const from = published.length;
    await ingest(sqsBatch([review('R1')]));
    const [updated] = await until(from, (all) => all.length >= 1);
    expect(updated!.detail.purchases).toEqual([
      expect.objectContaining({
        order_ref: 'R1',
        sku: 'A',
        change: 'updated',
        changed_fields: ['review_state'],
        review_state: 'pending_moderation',
      }),
    ]);

    const next = published.length;
    await purchaser({ email: 'rev@example.com', purchases: [{ order_ref: 'EARLY', sku: 'A' }] });
    const [arrived] = await until(next, (all) => all.length >= 1);
    expect(arrived!.detail.purchases).toEqual([
      expect.objectContaining({ order_ref: 'EARLY', change: 'created', review_state: 'pending_moderation' }),
    ]);
    expect(published.some((e) => JSON.stringify(e).includes('"EARLY"') && e !== arrived)).toBe(false);
  });

  it('API keys and retry records are not announced', async () => {
    const from = published.length;
    await createApiKey(t.store, { orgs: ['ACME'] });
    await invoke(
      purchaserHandler(t.store),
      httpEvent({
        path: '/v4/organisations/ACME/purchasers',
        pathParameters: { trkref: 'ACME' },
        body: { email: 'keyed@example.com' },
        headers: { 'idempotency-key': 'k-1' },
      }),
    );
    const events = await until(from, (all) => all.length >= 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('purchaser.upserted');
  });
});

describe('erasure and moves', () => {
  /** The stream records of this file's writes so far whose images (new or old) satisfy `match`. */
  const recordsWhere = (match: (image: Record<string, unknown>) => boolean) =>
    batches
      .flatMap((b) => b.Records)
      .filter((r) =>
        [r.dynamodb?.NewImage, r.dynamodb?.OldImage].some(
          (image) => image && match(unmarshall(image as Record<string, AttributeValue>)),
        ),
      );

  it('customer.created only for a new customer: an email change moves the record without one; customer.erased from its tombstone', async () => {
    const from = published.length;
    const org = 'corp_erase';
    const created = await invoke(
      customerHandler(t.store),
      httpEvent({ path: '/customers', body: { corporation_id: org, name: 'Moving Person', email: 'old@example.com' } }),
    );
    const id: string = created.json.data.id;
    const deps = { now: () => new Date(), by: null };
    await updateCustomer(t.store, org, id, () => ({ email: 'new@example.com' }), deps);
    expect(await eraseCustomer(t.store, org, id, deps)).toMatchObject({ id });

    const events = await until(from, (all) => all.some((e) => e.type === 'customer.erased'));
    // The move: the record inserted at its new key, version 2; it announces nothing.
    await until(from, () => recordsWhere((image) => image.id === id && image.version === 2).length > 0);
    const moved = recordsWhere((image) => image.id === id && image.version === 2 && image.entity === 'customer');
    expect(moved.map((r) => r.eventName)).toContain('INSERT');
    expect(toDomainEvents(moved)).toEqual([]);
    const mine = published.slice(from).filter((e) => e.detail.customer_id === id);
    expect(mine.map((e) => e.type)).toEqual(['customer.created', 'customer.erased']);
    expect(mine[1]!.detail).toEqual({ organisation: org, customer_id: id, erased_at: expect.any(String) });
    expect(Date.parse(String(mine[1]!.detail.erased_at))).not.toBeNaN();
    expect(JSON.stringify(events)).not.toMatch(/Moving Person|old@example\.com|new@example\.com/);
  });

  it('purchaser.erased from the tombstone; the deleted items announce nothing', async () => {
    const email = 'gone.purchaser@example.com';
    const handlers = purchaserRoutesHandlers(t.store);
    await purchaser({ email, first_name: 'Gone', purchases: [{ order_ref: 'G1', sku: 'A' }] });
    const path = `/v4/organisations/ACME/purchasers/${email}`;
    const pathParameters = { trkref: 'ACME', email };
    const from = published.length;
    const erased = await invoke(handlers.erase, httpEvent({ method: 'DELETE', path, pathParameters }));
    expect(erased.statusCode).toBe(204);
    const [event] = await until(from, (all) => all.some((e) => e.type === 'purchaser.erased'));
    expect(event).toMatchObject({
      type: 'purchaser.erased',
      detail: { organisation: 'ACME', purchaser_id: expect.stringMatching(/^pur_/), erased_at: expect.any(String) },
    });
    expect(Object.keys(event!.detail).sort()).toEqual(['erased_at', 'organisation', 'purchaser_id']);
    // The same, derived from the stream records themselves: the tombstone's insert, and the
    // removals of the purchaser and its purchase, which make no event.
    const records = recordsWhere((image) => image.id === event!.detail.purchaser_id || image.email === email);
    const removed = records.filter((r) => r.eventName === 'REMOVE');
    expect(removed).toHaveLength(2);
    expect(toDomainEvents(removed)).toEqual([]);
    const tombstone = records.filter((r) => r.dynamodb?.NewImage?.entity?.S === 'purchaser-erased');
    expect(toDomainEvents(tombstone)).toEqual([{ ...event, records: [tombstone[0]!.dynamodb!.SequenceNumber] }]);
    expect(JSON.stringify(published.slice(from))).not.toMatch(/gone\.purchaser|Gone/);
  });

  it('from records: an erasure is announced when its tombstone appears, not when it is written again', () => {
    let sequence = 0;
    const record = (eventName: 'INSERT' | 'MODIFY', now: Record<string, unknown>, old?: Record<string, unknown>) =>
      ({
        eventName,
        dynamodb: {
          SequenceNumber: String(++sequence),
          NewImage: marshall(now),
          ...(old ? { OldImage: marshall(old) } : {}),
        },
      }) as DynamoDBRecord;
    const customerTombstone = {
      pk: 'ORG#c#CUSTOMER#cust_1',
      sk: 'CUSTOMER',
      entity: 'customer-erased',
      id: 'cust_1',
      corporation_id: 'c',
      created_at: '2026-01-01T00:00:00.000Z',
      erased_at: '2026-02-01T00:00:00.000Z',
    };
    const reference = { ...customerTombstone, entity: 'customer-ref', email: 'x@example.com' };
    const purchaserTombstone = {
      pk: 'ORG#ACME#PURCHASER#pur_1',
      sk: 'PURCHASER',
      entity: 'purchaser-erased',
      id: 'pur_1',
      trkref: 'ACME',
      created_at: '2026-01-01T00:00:00Z',
      erased_at: '2026-02-01T00:00:00Z',
      purchases: 2,
    };
    const customer = {
      pk: 'ORG#c#EMAIL#y@example.com',
      sk: 'CUSTOMER',
      entity: 'customer',
      id: 'cust_2',
      corporation_id: 'c',
      created_at: 1,
    };
    const events = toDomainEvents([
      record('MODIFY', customerTombstone, reference), // the id item becomes the tombstone
      record('MODIFY', customerTombstone, customerTombstone), // written again
      record('INSERT', purchaserTombstone),
      record('MODIFY', { ...purchaserTombstone, erased_at: '2026-03-01T00:00:00Z' }, purchaserTombstone),
      record('INSERT', { ...customer, version: 3 }), // moved by an email change
      record('INSERT', { ...customer, version: 1 }),
      record('INSERT', customer), // stored before versions: created
    ]);
    expect(events.map((e) => [e.type, e.records])).toEqual([
      ['customer.erased', ['1']],
      ['purchaser.erased', ['3']],
      ['customer.created', ['6']],
      ['customer.created', ['7']],
    ]);
    expect(events[0]!.detail).toEqual({
      organisation: 'c',
      customer_id: 'cust_1',
      erased_at: '2026-02-01T00:00:00.000Z',
    });
    expect(events[1]!.detail).toEqual({
      organisation: 'ACME',
      purchaser_id: 'pur_1',
      erased_at: '2026-02-01T00:00:00Z',
    });
  });
});

describe('failures', () => {
  /**
   * Stream records of this test's own writes, in stream order: an API key of a new organisation,
   * then a customer of it, then a purchaser with a purchase sent with an Idempotency-Key (its retry
   * record is written before and after the purchaser). Records of other tests are left out, so the
   * batch is the same whichever tests ran before.
   */
  async function ownBatch(): Promise<DynamoDBStreamEvent> {
    const org = `FAIL_${randomUUID().slice(0, 8)}`;
    const retryKey = `retry-${org}`;
    const retryPartition = `#${createHash('sha256').update(retryKey).digest('base64url')}`;
    const fromBatch = batches.length;
    const from = published.length;
    await createApiKey(t.store, { orgs: [org] });
    const principal = partner([org]);
    await invoke(
      customerHandler(t.store),
      httpEvent({ path: '/customers', body: { corporation_id: org, name: 'Own Co' }, principal }),
    );
    await invoke(
      purchaserHandler(t.store),
      httpEvent({
        path: `/v4/organisations/${org}/purchasers`,
        pathParameters: { trkref: org },
        body: { email: 'own@example.com', purchases: [{ order_ref: 'F1', sku: 'A' }] },
        headers: { 'idempotency-key': retryKey },
        principal,
      }),
    );
    const mine = () =>
      batches
        .slice(fromBatch)
        .flatMap((b) => b.Records)
        .filter((r) => {
          const image = r.dynamodb?.NewImage ?? {};
          return JSON.stringify(image).includes(org) || image.pk?.S?.endsWith(retryPartition);
        });
    const entities = () => mine().map((r) => r.dynamodb!.NewImage!.entity!.S);
    // Every record of those writes, the completed retry record included.
    await until(
      from,
      () =>
        ['api_key', 'customer', 'purchaser', 'purchase'].every((e) => entities().includes(e)) &&
        entities().filter((e) => e === 'idempotency').length >= 2,
    );
    return { Records: mine() };
  }

  it('a batch whose events are not all accepted is reported from its first unpublished record', async () => {
    const batch = await ownBatch();
    const seen: string[] = [];
    const picky: EventSink = {
      async publish(events) {
        seen.push(...events.map((e) => e.type));
        return events.filter((e) => e.type === 'purchaser.upserted');
      },
    };
    const result = await createPublisher({ sink: picky, log: capturingLog() })(batch);
    const firstPurchaserRecord = batch.Records.find((r) =>
      ['purchaser', 'purchase'].includes(r.dynamodb!.NewImage!.entity!.S!),
    )!;
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: firstPurchaserRecord.dynamodb!.SequenceNumber }] });
    expect(seen.sort()).toEqual(['customer.created', 'purchaser.upserted']);
  });

  it('a sink that fails outright reports the batch from its first record that makes an event', async () => {
    const batch = await ownBatch();
    const failing: EventSink = { publish: async () => Promise.reject(new Error('bus unavailable')) };
    const result = await createPublisher({ sink: failing, log: capturingLog() })(batch);
    const first = toDomainEvents(batch.Records)
      .flatMap((e) => e.records)
      .reduce((a, b) => (BigInt(b) < BigInt(a) ? b : a));
    // The sequence number exactly as the stream wrote it (Lambda matches it as a string).
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: first }] });
    // Records before it made no event (API keys): nothing to retry there.
    const before = batch.Records.filter((r) => BigInt(r.dynamodb!.SequenceNumber!) < BigInt(first));
    expect(before.length).toBeGreaterThan(0);
    expect(new Set(before.map((r) => r.dynamodb!.NewImage!.entity!.S))).toEqual(new Set(['api_key']));
    expect(toDomainEvents(before)).toEqual([]);
  });

  it('the EventBridge sink sends 10 entries a call and returns the entries PutEvents refused', async () => {
    const client = new EventBridgeClient({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const calls: { Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[] }[] = [];
    // There is no local EventBridge: answer PutEvents here, refusing the third entry of each call.
    client.middlewareStack.add(
      () => async (args) => {
        const input = args.input as (typeof calls)[number];
        calls.push(input);
        return {
          output: {
            $metadata: {},
            FailedEntryCount: 1,
            Entries: input.Entries.map((_, i) => (i === 2 ? { ErrorCode: 'InternalFailure' } : { EventId: `e${i}` })),
          },
          response: {},
        } as never;
      },
      { step: 'initialize' },
    );
    const events: DomainEvent[] = Array.from({ length: 13 }, (_, i) => ({
      type: 'customer.created',
      detail: { n: i },
      records: [String(100 + i)],
    }));
    const failed = await eventBridgeSink(client, 'bus-1').publish(events);
    expect(calls.map((c) => c.Entries.length)).toEqual([10, 3]);
    expect(calls[0]!.Entries[0]).toEqual({
      EventBusName: 'bus-1',
      Source: 'purchaser-registry',
      DetailType: 'customer.created',
      Detail: '{"n":0}',
    });
    expect(failed.map((e) => e.detail.n)).toEqual([2, 12]);
  });
});

describe('npm run replay', () => {
  it('reads a failed batch as the failure bucket keeps it, and gives the events it holds again', async () => {
    const from = published.length;
    const firstBatch = batches.length;
    await purchaser({ email: `replay-${randomUUID()}@example.com`, first_name: 'Re', surname: 'Play' });
    const events = await until(from, (all) => all.length >= 1);
    const batch = batches.slice(firstBatch).find((b) => toDomainEvents(b.Records).length > 0)!;
    // Lambda's invocation record for a stream batch, with the batch as its payload (JSON text).
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'failed-batch.json');
    writeFileSync(
      file,
      JSON.stringify({
        requestContext: { requestId: randomUUID(), condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: new Date().toISOString(),
        DDBStreamBatchInfo: { shardId: 'shard-1', batchSize: batch.Records.length },
        payload: JSON.stringify(batch),
      }),
    );
    const { code, stdout } = runTool('replay', t, [file]);
    expect(code).toBe(0);
    const printed = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(printed).toEqual(
      toDomainEvents(batch.Records).map((e) => ({
        'detail-type': e.type,
        source: DOMAIN_EVENT_SOURCE,
        detail: e.detail,
      })),
    );
    expect(printed.map((e) => e.detail)).toContainEqual(events[0]!.detail);
  });

  it('refuses a file that is not a failed batch, and bad arguments, with exit code 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'other.json');
    writeFileSync(file, JSON.stringify({ Records: [] }));
    expect(runTool('replay', t, [file])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no payload\.Records/),
    });
    expect(runTool('replay', t, [])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^usage: npm run replay/),
    });
  });
});
