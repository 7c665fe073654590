// createCustomer and the customer reads against DynamoDB Local.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createCustomer,
  DuplicateCustomerError,
  getCustomerByEmail,
  getCustomerById,
  type NewCustomer,
  newCustomerId,
} from '../../functions/customers/customers.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('customers');
});

const deps = { now: () => new Date('2024-01-23T09:06:40.900Z'), newCustomerId };
let n = 0;
const customer = (overrides: Partial<NewCustomer> = {}): NewCustomer => ({
  corporation_id: 'corp_123',
  name: 'Acme Corporation',
  email: `buyer${++n}@acme.com`,
  external_id: null,
  shipping_address: null,
  source_platform: null,
  source_platform_id: null,
  created_by: 'key_1',
  mode: 'live',
  ...overrides,
});

describe('createCustomer', () => {
  it('stores the customer with a random cust_ id and created_at to the millisecond', async () => {
    const created = await createCustomer(t.store, customer({ external_id: 'ext_1' }), deps);
    expect(created.id).toMatch(/^cust_[0-9a-f]{32}$/);
    expect(created.created_at).toBe('2024-01-23T09:06:40.900Z');
    expect(created.updated_at).toBe(created.created_at);
    expect(await getCustomerById(t.store, 'corp_123', created.id)).toEqual(created);
    expect(await getCustomerByEmail(t.store, 'corp_123', created.email!)).toEqual(created);
  });

  it('refuses a second customer with the same email, whatever its case, naming the first and overwriting nothing', async () => {
    const first = await createCustomer(t.store, customer({ email: 'dup@acme.com', name: 'First' }), deps);
    const error = await createCustomer(t.store, customer({ email: ' DUP@Acme.com', name: 'Second' }), deps).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DuplicateCustomerError);
    expect((error as DuplicateCustomerError).existingId).toBe(first.id);
    expect((await getCustomerByEmail(t.store, 'corp_123', ' Dup@Acme.com '))!.name).toBe('First');
  });

  it('allows customers without email, each its own', async () => {
    const a = await createCustomer(t.store, customer({ email: null }), deps);
    const b = await createCustomer(t.store, customer({ email: null }), deps);
    expect(a.id).not.toBe(b.id);
    expect(await getCustomerById(t.store, 'corp_123', a.id)).toEqual(a);
  });

  it('the same email in another corporation is another customer', async () => {
    const here = await createCustomer(t.store, customer({ email: 'shared@acme.com' }), deps);
    const there = await createCustomer(
      t.store,
      customer({ email: 'shared@acme.com', corporation_id: 'corp_456' }),
      deps,
    );
    expect(there.id).not.toBe(here.id);
    expect(await getCustomerById(t.store, 'corp_456', here.id)).toBeUndefined();
    expect((await getCustomerByEmail(t.store, 'corp_456', 'shared@acme.com'))!.id).toBe(there.id);
  });

  it('reads find nothing for unknown ids and emails', async () => {
    expect(await getCustomerById(t.store, 'corp_123', 'cust_unknown')).toBeUndefined();
    expect(await getCustomerByEmail(t.store, 'corp_123', 'nobody@acme.com')).toBeUndefined();
  });

  it('10 concurrent creates of one email: exactly one succeeds, nine are told its id', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        createCustomer(t.newStore(), customer({ email: 'race@acme.com', name: `Racer ${i}` }), deps),
      ),
    );
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.filter((o) => o.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(9);
    const winnerId = (winners[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    for (const loser of losers) {
      expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateCustomerError);
      expect((loser as PromiseRejectedResult).reason.existingId).toBe(winnerId);
    }
    const items = await t.store.doc.send(
      new ScanCommand({
        TableName: t.tableName,
        FilterExpression: 'email = :e',
        ExpressionAttributeValues: { ':e': 'race@acme.com' },
      }),
    );
    expect(items.Items).toHaveLength(1);
  });
});
