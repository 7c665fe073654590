// createCustomer and the customer reads against DynamoDB Local.
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  countCustomers,
  createCustomer,
  customersAt,
  DuplicateCustomerError,
  eraseCustomer,
  getCustomerByEmail,
  getCustomerById,
  listCustomers,
  type NewCustomer,
  newCustomerId,
  recountCustomers,
  updateCustomer,
  upgradeStoredCustomers,
} from '../../functions/customers/customers.ts';
import {
  customerCounterKeys,
  customerIdKey,
  customerListKey,
  customerListPartitions,
} from '../../functions/store/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { loseFirstAnswer } from '../support/faults.ts';

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
    // The record and its id item, once each.
    expect(items.Items?.map((item) => item.entity).sort()).toEqual(['customer', 'customer-ref']);
  });
});

describe('customers stored before id items and list partitions', () => {
  it('are upgraded once: then read by id, listed, and left alone by a second run', async () => {
    const withEmail = {
      pk: 'ORG#corp_old#EMAIL#old@example.com',
      sk: 'CUSTOMER',
      gsi1pk: 'ORG#corp_old#CUSTOMER#cust_00000000000000000000000000000001',
      gsi1sk: 'CUSTOMER',
      entity: 'customer',
      id: 'cust_00000000000000000000000000000001',
      corporation_id: 'corp_old',
      email: 'old@example.com',
      name: 'Old One',
      mode: 'live',
      created_at: 1_700_000_000,
    };
    const { email: _, ...noEmail } = withEmail;
    const withoutEmail = {
      ...noEmail,
      pk: 'ORG#corp_old#CUSTOMER#cust_00000000000000000000000000000002',
      gsi1pk: 'ORG#corp_old#CUSTOMER#cust_00000000000000000000000000000002',
      id: 'cust_00000000000000000000000000000002',
      name: 'Old Two',
      created_at: 1_700_000_001,
    };
    for (const item of [withEmail, withoutEmail]) {
      await t.store.doc.send(new PutCommand({ TableName: t.tableName, Item: item }));
    }
    expect(await getCustomerById(t.store, 'corp_old', withEmail.id)).toBeUndefined();

    expect(await upgradeStoredCustomers(t.store)).toBe(2);
    expect(await getCustomerById(t.store, 'corp_old', withEmail.id)).toMatchObject({
      name: 'Old One',
      email: 'old@example.com',
      created_at: '2023-11-14T22:13:20.000Z',
    });
    expect(await getCustomerById(t.store, 'corp_old', withoutEmail.id)).toMatchObject({ name: 'Old Two' });
    const { customers } = await listCustomers(t.store, 'corp_old', { limit: 10 });
    expect(customers.map((c) => c.name)).toEqual(['Old One', 'Old Two']);
    expect(await countCustomers(t.store, 'corp_old')).toBe(2);
    expect(await upgradeStoredCustomers(t.store)).toBe(0);
    expect(await countCustomers(t.store, 'corp_old')).toBe(2);
  });
});

describe('listing across the list partitions', () => {
  /** An id that lands in list partition `shard` of `org`. */
  const idIn = (org: string, shard: number) => {
    for (;;) {
      const id = `cust_${randomBytes(16).toString('hex')}`;
      if (customerListKey(org, id, 'x').gsi1pk.endsWith(`#${shard}`)) return id;
    }
  };
  const make = async (org: string, shard: number, at: Date, extra: Partial<NewCustomer> = {}) => {
    const id = idIn(org, shard);
    await createCustomer(
      t.store,
      { corporation_id: org, email: null, name: 'n', created_by: null, mode: 'live', ...extra },
      { now: () => at, newCustomerId: () => id },
    );
    return id;
  };

  it('gives every customer when one partition fills a 1 MB page and the others end early', async () => {
    // Partition 0 holds large customers (its pages stop at 1 MB); 1 to 3 hold a few small ones,
    // read to their end in the first round: what they hold past that round must not be lost.
    const made: string[] = [];
    let ms = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 240; i++) {
      const small = i % 8 === 0;
      made.push(
        await make('BIGPAGE', small ? 1 + (i % 3) : 0, new Date(ms++), {
          metadata: small ? null : { pad: 'x'.repeat(7900) },
        }),
      );
    }
    expect(await countCustomers(t.store, 'BIGPAGE')).toBe(240);
    const all = await customersAt(t.store, 'BIGPAGE', { offset: 0, size: 240 });
    expect(all.map((c) => c.id)).toEqual(made);
    const newestFirst = await customersAt(t.store, 'BIGPAGE', { offset: 0, size: 240, descending: true });
    expect(newestFirst.map((c) => c.id)).toEqual([...made].reverse());
  }, 60_000);

  it('gives every match of a filter, page after page', async () => {
    const matches: string[] = [];
    let ms = Date.parse('2026-01-01T00:00:00.000Z');
    const plan: [number, boolean][] = [
      [0, true],
      [0, false],
      [1, true],
      [0, true],
      [0, true],
      [2, false],
      [3, true],
    ];
    for (const [shard, match] of plan) {
      const id = await make('FILTERED', shard, new Date(ms++), { source_platform: match ? 'x' : 'y' });
      if (match) matches.push(id);
    }
    for (const limit of [1, 2, 3, 10]) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await listCustomers(t.store, 'FILTERED', { limit, after, filters: { source_platform: 'x' } });
        seen.push(...result.customers.map((c) => c.id));
        if (!result.next) break;
        after = result.next;
      }
      expect(seen).toEqual(matches);
    }
  });
});

describe("the organisation's count", () => {
  it('follows creates and erasures, not email changes, and a recount mends a drifted one', async () => {
    const org = 'COUNTED';
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createCustomer(
          t.store,
          customer({ corporation_id: org, email: i % 3 === 0 ? null : `c${i}@counted.com` }),
          deps,
        ),
      ),
    );
    expect(await countCustomers(t.store, org)).toBe(12);
    const by = { now: () => new Date(), by: 'key_1' };
    await updateCustomer(t.store, org, made[1]!.id, () => ({ email: 'moved@counted.com' }), by);
    expect(await countCustomers(t.store, org)).toBe(12);
    await eraseCustomer(t.store, org, made[1]!.id, by);
    await eraseCustomer(t.store, org, made[0]!.id, by);
    expect(await eraseCustomer(t.store, org, made[0]!.id, by)).toBeUndefined();
    expect(await countCustomers(t.store, org)).toBe(10);
    expect(await countCustomers(t.store, 'EMPTY_ORG')).toBe(0);

    // A counter update lost (a crash between record and counter): the count drifts, a recount mends it.
    const [counter] = customerCounterKeys(org);
    await t.store.doc.send(new PutCommand({ TableName: t.tableName, Item: { ...counter, customers: 1000 } }));
    expect(await countCustomers(t.store, org)).not.toBe(10);
    expect(await recountCustomers(t.store)).toBeGreaterThan(0);
    expect(await countCustomers(t.store, org)).toBe(10);
  });
});

describe("a customer's list entry", () => {
  it('is its id item, which stays put when the email changes (the index never moves it)', async () => {
    const made = await createCustomer(t.store, customer({ corporation_id: 'LISTED', email: 'first@listed.com' }), deps);
    const entries = async () => {
      const all = await Promise.all(
        customerListPartitions('LISTED').map((partition) =>
          t.store.doc.send(
            new QueryCommand({
              TableName: t.tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': partition },
            }),
          ),
        ),
      );
      return all.flatMap((page) => page.Items ?? []).map((item) => [item.pk, item.sk, item.entity]);
    };
    const before = await entries();
    expect(before).toEqual([[customerIdKey('LISTED', made.id).pk, 'CUSTOMER', 'customer-ref']]);
    await updateCustomer(t.store, 'LISTED', made.id, () => ({ email: 'second@listed.com' }), {
      now: () => new Date(),
      by: null,
    });
    expect(await entries()).toEqual(before);
    const { customers } = await listCustomers(t.store, 'LISTED', { limit: 5 });
    expect(customers.map((c) => c.email)).toEqual(['second@listed.com']);
  });
});

describe("the count, when a counter update's answer is lost", () => {
  it('counts the customer once: the landed update is not sent again', async () => {
    const store = t.newStore();
    const fault = loseFirstAnswer(store, 'UpdateItemCommand');
    await createCustomer(store, customer({ corporation_id: 'LOSTCOUNT' }), deps);
    expect(fault.lost()).toBe(true);
    expect(await countCustomers(t.store, 'LOSTCOUNT')).toBe(1);
  });
});
