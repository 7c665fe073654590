// What clients see when the store misbehaves: 503 with Retry-After for throttling and timeouts,
// a bare 500 for the unexpected, and retries where DynamoDB leaves work unprocessed.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { injectFault } from '../support/faults.ts';
import { capturingLog, customerHandler, purchaserHandler } from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('faults');
});

const purchaserEvent = (body: unknown) =>
  httpEvent({ path: '/v4/organisations/ACME/purchasers', pathParameters: { trkref: 'ACME' }, body });

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });

describe('store faults', () => {
  it('throttling is 503 with Retry-After, logged as a warning', async () => {
    const store = t.newStore();
    injectFault(store, (command) => (command === 'UpdateItemCommand' ? { error: throttled() } : undefined));
    const log = capturingLog();
    const res = await invoke(purchaserHandler(store, log), purchaserEvent({ email: 'busy@example.com' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json).toMatchObject({ status: 503, type: '/problems/service-unavailable' });
    expect(log.lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ level: 'warn', error: 'ProvisionedThroughputExceededException' }),
    );
  });

  it('a timeout is 503', async () => {
    const store = t.newStore();
    const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    injectFault(store, () => ({ error: timeout }));
    const res = await invoke(
      customerHandler(store),
      httpEvent({ path: '/customers', body: { corporation_id: 'c', name: 'Slow Co' } }),
    );
    expect(res.statusCode).toBe(503);
  });

  it('an unexpected error is a 500 that reveals nothing, logged with its stack', async () => {
    const store = t.newStore();
    injectFault(store, () => ({ error: new TypeError('secret internals at line 42') }));
    const log = capturingLog();
    const res = await invoke(
      customerHandler(store, log),
      httpEvent({ path: '/customers', body: { corporation_id: 'c', name: 'Oops Co' } }),
    );
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
    expect(res.json).toMatchObject({ status: 500, type: '/problems/internal-error' });
    const line = log.lines.map((l) => JSON.parse(l)).find((l) => l.level === 'error');
    expect(line).toMatchObject({ error: 'TypeError', request_id: expect.any(String) });
    expect(line.stack).toContain('TypeError');
  });
});

describe('unprocessed keys', () => {
  it('are read again until DynamoDB returns them', async () => {
    const store = t.newStore();
    let calls = 0;
    injectFault(store, (command, input) => {
      if (command !== 'BatchGetItemCommand' || ++calls > 2) return undefined;
      return { output: { Responses: { [t.tableName]: [] }, UnprocessedKeys: input.RequestItems } };
    });
    const res = await invoke(
      purchaserHandler(store),
      purchaserEvent({ email: 'retry@example.com', purchases: [{ order_ref: 'U1', sku: 'S' }] }),
    );
    expect(res.statusCode).toBe(201);
    expect(calls).toBe(3);
    expect(res.json.purchases).toHaveLength(1);
  });

  it('that never clear give 503, not a partial answer', async () => {
    const store = t.newStore();
    injectFault(store, (command, input) =>
      command === 'BatchGetItemCommand'
        ? { output: { Responses: { [t.tableName]: [] }, UnprocessedKeys: input.RequestItems } }
        : undefined,
    );
    const res = await invoke(
      purchaserHandler(store),
      purchaserEvent({ email: 'stuck@example.com', purchases: [{ order_ref: 'U2', sku: 'S' }] }),
    );
    expect(res.statusCode).toBe(503);
  });
});
