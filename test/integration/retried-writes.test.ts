// A write that lands but whose answer is lost is retried by the SDK, and the retry meets the
// write's own condition. Each create must recognise its own first attempt: answer as created
// (not 409, not 200 "unchanged", not "already exists"), and store one item.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { getCustomerById } from '../../functions/customers/customers.ts';
import { purchaserKey } from '../../functions/store/keys.ts';
import { queryPartition } from '../../functions/store/read.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { loseFirstAnswer } from '../support/faults.ts';
import { customerHandler, purchaserHandler } from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('retried-writes');
});

describe('a create whose first answer is lost', () => {
  it('a customer is 201 and stored once', async () => {
    const store = t.newStore();
    const fault = loseFirstAnswer(store, 'TransactWriteItemsCommand');
    const res = await invoke(
      customerHandler(store),
      httpEvent({ path: '/customers', body: { corporation_id: 'corp_r', name: 'Retry Co', email: 'r@example.com' } }),
    );
    expect(fault.lost()).toBe(true);
    expect(res.statusCode).toBe(201);
    expect(await getCustomerById(t.store, 'corp_r', res.json.data.id)).toMatchObject({ email: 'r@example.com' });
  });

  it('a purchaser is 201 (created), not 200', async () => {
    const store = t.newStore();
    const fault = loseFirstAnswer(store, 'UpdateItemCommand');
    const res = await invoke(
      purchaserHandler(store),
      httpEvent({
        path: '/v4/organisations/ACME/purchasers',
        pathParameters: { trkref: 'ACME' },
        body: { email: 'retried@example.com', first_name: 'Ann' },
      }),
    );
    expect(fault.lost()).toBe(true);
    expect(res.statusCode).toBe(201);
    const items = await queryPartition(t.store, { partition: purchaserKey('ACME', 'retried@example.com').pk });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ version: 1, first_name: 'Ann' });
  });

  it('an Idempotency-Key claim is this request’s own: the request runs (201), not "still running" (409)', async () => {
    const store = t.newStore();
    const fault = loseFirstAnswer(store, 'PutItemCommand');
    const event = httpEvent({ path: '/customers', body: { corporation_id: 'corp_r', name: 'Keyed Retry Co' } });
    event.headers['idempotency-key'] = 'retry-1';
    const res = await invoke(customerHandler(store), event);
    expect(fault.lost()).toBe(true);
    expect(res.statusCode).toBe(201);
  });

  it('an API key is handed out, its secret the stored one', async () => {
    const store = t.newStore();
    const fault = loseFirstAnswer(store, 'PutItemCommand');
    const created = await createApiKey(store, { orgs: ['ACME'] });
    expect(fault.lost()).toBe(true);
    const res = await invoke(
      purchaserHandler(t.store),
      httpEvent({
        path: '/v4/organisations/ACME/purchasers',
        pathParameters: { trkref: 'ACME' },
        headers: { authorization: `Bearer ${created.token}` },
        body: { email: 'keyed@example.com' },
      }),
    );
    expect(res.statusCode).toBe(201);
  });
});
