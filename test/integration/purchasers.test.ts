// upsertPurchaser and getPurchaser against DynamoDB Local.
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPurchaser, type PurchaserDeps, upsertPurchaser } from '../../functions/purchasers/purchasers.ts';
import { newReviewToken } from '../../functions/purchasers/review-links.ts';
import { purchaseKey, purchaserKey } from '../../functions/store/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { holdCommand } from '../support/faults.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('purchasers');
});

const at = (iso: string): PurchaserDeps => ({ now: () => new Date(iso), newReviewToken });
const deps = at('2026-01-02T03:04:05.678Z');
let n = 0;
const uniqueEmail = () => `person${++n}@example.com`;

describe('create-or-update', () => {
  it('creates a purchaser, then updates only the fields sent and keeps created_at', async () => {
    const email = uniqueEmail();
    const first = await upsertPurchaser(
      t.store,
      { trkref: 'ACME', email, fields: { title: 'Ms', first_name: 'Jane', country: 'UK' }, purchases: [] },
      deps,
    );
    expect(first.created).toBe(true);
    expect(first.purchaser).toMatchObject({
      email,
      title: 'Ms',
      first_name: 'Jane',
      surname: null,
      country: 'UK',
      postcode: null,
      created_at: '2026-01-02T03:04:05Z',
    });

    const second = await upsertPurchaser(
      t.store,
      { trkref: 'ACME', email, fields: { surname: 'Doe', title: null }, purchases: [] },
      at('2026-02-01T00:00:00Z'),
    );
    expect(second.created).toBe(false);
    expect(second.purchaser).toMatchObject({
      title: null,
      first_name: 'Jane',
      surname: 'Doe',
      country: 'UK',
      created_at: '2026-01-02T03:04:05Z',
      updated_at: '2026-02-01T00:00:00Z',
    });
  });

  it('writes nothing when a repeat changes nothing, and keeps the purchaser id', async () => {
    const email = uniqueEmail();
    const input = {
      trkref: 'ACME',
      email,
      fields: { title: 'Dr', surname: null },
      purchases: [{ order_ref: 'N', sku: 'S' }],
    };
    const first = await upsertPurchaser(t.store, input, deps);
    const again = await upsertPurchaser(t.store, input, at('2026-03-01T00:00:00Z'));
    expect(again.created).toBe(false);
    expect(again.purchaser).toEqual(first.purchaser);
    expect(first.purchaser.id).toMatch(/^pur_[0-9a-f]{32}$/);
    const items = await t.store.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': purchaserKey('ACME', email).pk },
      }),
    );
    const purchaser = items.Items!.find((item) => item.entity === 'purchaser')!;
    expect(purchaser).toMatchObject({ version: 1, updated_at: '2026-01-02T03:04:05Z' });
    expect(items.Items!.find((item) => item.entity === 'purchase')!.purchaser_id).toBe(first.purchaser.id);
    // A real change writes again.
    const changed = await upsertPurchaser(t.store, { ...input, fields: { title: 'Prof' } }, at('2026-03-01T00:00:00Z'));
    expect(changed.purchaser).toMatchObject({
      id: first.purchaser.id,
      title: 'Prof',
      updated_at: '2026-03-01T00:00:00Z',
    });
  });

  it('adds purchases it has not seen and returns exactly the purchases of the request, in order', async () => {
    const email = uniqueEmail();
    const base = { trkref: 'ACME', email, fields: {} };
    await upsertPurchaser(
      t.store,
      {
        ...base,
        purchases: [
          { order_ref: 'O1', sku: 'A' },
          { order_ref: 'O2', sku: 'B' },
        ],
      },
      deps,
    );
    const result = await upsertPurchaser(
      t.store,
      {
        ...base,
        purchases: [
          { order_ref: 'O3', sku: 'C' },
          { order_ref: 'O1', sku: 'A' },
        ],
      },
      deps,
    );
    expect(result.purchases.map((p) => `${p.order_ref}/${p.sku}`)).toEqual(['O3/C', 'O1/A']);
    expect(result.purchases.every((p) => p.review_state === 'not_reviewed')).toBe(true);
    const stored = await getPurchaser(t.store, 'ACME', email);
    expect(stored!.purchases.map((p) => p.order_ref).sort()).toEqual(['O1', 'O2', 'O3']);
  });

  it('keeps the review state, link and token of a purchase already stored', async () => {
    const email = uniqueEmail();
    await upsertPurchaser(
      t.store,
      { trkref: 'ACME', email, fields: {}, purchases: [{ order_ref: 'P', sku: 'S' }] },
      deps,
    );
    const before = (await getPurchaser(t.store, 'ACME', email))!.purchases[0]!;
    // As the review lifecycle would leave it:
    await t.store.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          ...purchaseKey('ACME', email, 'P', 'S'),
          entity: 'purchase',
          order_ref: 'P',
          sku: 'S',
          review_state: 'published',
          review_url: 'https://shop.example/reviews/1',
          review_token: before.review_token,
          contacted_at: '2026-01-05T10:00:00Z',
          purchase_date: '2026-01-01',
        },
      }),
    );
    const again = await upsertPurchaser(
      t.store,
      { trkref: 'ACME', email, fields: {}, purchases: [{ order_ref: 'P', sku: 'S' }] },
      deps,
    );
    expect(again.purchases[0]).toEqual({
      order_ref: 'P',
      sku: 'S',
      review_state: 'published',
      review_url: 'https://shop.example/reviews/1',
      review_token: before.review_token,
      contacted_at: '2026-01-05T10:00:00Z',
      purchase_date: '2026-01-01',
    });
  });

  it('records a purchase date sent later, without touching the review state', async () => {
    const email = uniqueEmail();
    const base = { trkref: 'ACME', email, fields: {} };
    const first = await upsertPurchaser(t.store, { ...base, purchases: [{ order_ref: 'D', sku: 'S' }] }, deps);
    expect(first.purchases[0]!.purchase_date).toBeNull();
    const second = await upsertPurchaser(
      t.store,
      { ...base, purchases: [{ order_ref: 'D', sku: 'S', purchase_date: '2025-12-24' }] },
      deps,
    );
    expect(second.purchases[0]).toMatchObject({
      purchase_date: '2025-12-24',
      review_token: first.purchases[0]!.review_token,
    });
  });

  it('a repeated purchase with a new purchase date takes the new date, keeping its review state and token', async () => {
    const email = uniqueEmail();
    const base = { trkref: 'ACME', email, fields: {} };
    const first = await upsertPurchaser(
      t.store,
      { ...base, purchases: [{ order_ref: 'D2', sku: 'S', purchase_date: '2025-12-24' }] },
      deps,
    );
    await t.store.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: purchaseKey('ACME', email, 'D2', 'S'),
        UpdateExpression: 'SET review_state = :s',
        ExpressionAttributeValues: { ':s': 'pending_moderation' },
      }),
    );
    const second = await upsertPurchaser(
      t.store,
      { ...base, purchases: [{ order_ref: 'D2', sku: 'S', purchase_date: '2025-12-27' }] },
      deps,
    );
    expect(second.changed).toBe(true);
    expect(second.purchases[0]).toMatchObject({
      purchase_date: '2025-12-27',
      review_state: 'pending_moderation',
      review_token: first.purchases[0]!.review_token,
    });
    expect((await getPurchaser(t.store, 'ACME', email))!.purchases).toEqual([second.purchases[0]]);
    // Sent again without a date, the purchase keeps the latest one.
    const third = await upsertPurchaser(t.store, { ...base, purchases: [{ order_ref: 'D2', sku: 'S' }] }, deps);
    expect(third.changed).toBe(false);
    expect(third.purchases[0]!.purchase_date).toBe('2025-12-27');
  });

  it('a repeated order_ref + sku in one request takes the last purchase date sent', async () => {
    const email = uniqueEmail();
    const result = await upsertPurchaser(
      t.store,
      {
        trkref: 'ACME',
        email,
        fields: {},
        purchases: [
          { order_ref: 'L', sku: 'S', purchase_date: '2026-01-01' },
          { order_ref: 'L', sku: 'S', purchase_date: '2026-01-03' },
          { order_ref: 'L', sku: 'S' },
        ],
      },
      deps,
    );
    expect(result.purchases.map((p) => p.purchase_date)).toEqual(['2026-01-03', '2026-01-03', '2026-01-03']);
    expect((await getPurchaser(t.store, 'ACME', email))!.purchases.map((p) => p.purchase_date)).toEqual(['2026-01-03']);
  });

  it('treats a repeated order_ref + sku in one request as one purchase, listed as often as sent', async () => {
    const email = uniqueEmail();
    const result = await upsertPurchaser(
      t.store,
      {
        trkref: 'ACME',
        email,
        fields: {},
        purchases: [
          { order_ref: 'R', sku: 'S' },
          { order_ref: 'R', sku: 'S', purchase_date: '2026-01-01' },
        ],
      },
      deps,
    );
    expect(result.purchases).toHaveLength(2);
    expect(result.purchases[0]).toEqual(result.purchases[1]);
    expect((await getPurchaser(t.store, 'ACME', email))!.purchases).toHaveLength(1);
  });

  it('stores 100 purchases in one request', async () => {
    const email = uniqueEmail();
    const purchases = Array.from({ length: 100 }, (_, i) => ({ order_ref: `O-${i}`, sku: `S-${i}` }));
    const result = await upsertPurchaser(t.store, { trkref: 'ACME', email, fields: {}, purchases }, deps);
    expect(result.purchases.map((p) => p.order_ref)).toEqual(purchases.map((p) => p.order_ref));
    expect((await getPurchaser(t.store, 'ACME', email))!.purchases).toHaveLength(100);
  });

  it('identifies the purchaser by trimmed, lower-cased email', async () => {
    const email = uniqueEmail();
    await upsertPurchaser(t.store, { trkref: 'ACME', email, fields: {}, purchases: [] }, deps);
    const again = await upsertPurchaser(
      t.store,
      { trkref: 'ACME', email: `  ${email.toUpperCase()} `, fields: {}, purchases: [] },
      deps,
    );
    expect(again.created).toBe(false);
  });
});

describe('isolation', () => {
  it('the same email in two organisations is two purchasers', async () => {
    const email = uniqueEmail();
    const a = await upsertPurchaser(
      t.store,
      { trkref: 'ORG_A', email, fields: { first_name: 'A' }, purchases: [{ order_ref: 'X', sku: 'Y' }] },
      deps,
    );
    const b = await upsertPurchaser(
      t.store,
      { trkref: 'ORG_B', email, fields: { first_name: 'B' }, purchases: [] },
      deps,
    );
    expect([a.created, b.created]).toEqual([true, true]);
    expect((await getPurchaser(t.store, 'ORG_A', email))!.purchaser.first_name).toBe('A');
    expect((await getPurchaser(t.store, 'ORG_B', email))!.purchases).toEqual([]);
    expect(await getPurchaser(t.store, 'org_a', email)).toBeUndefined();
  });

  it('order refs and skus holding the delimiter or escapes stay separate purchases', async () => {
    const email = uniqueEmail();
    const tricky = [
      { order_ref: 'A#B', sku: 'C' },
      { order_ref: 'A', sku: 'B#C' },
      { order_ref: 'A%23B', sku: 'C' },
      { order_ref: 'A', sku: 'B%23C' },
      { order_ref: 'PURCHASER', sku: '#' },
    ];
    await upsertPurchaser(t.store, { trkref: 'ACME', email, fields: {}, purchases: tricky }, deps);
    const stored = (await getPurchaser(t.store, 'ACME', email))!;
    expect(stored.purchases.map((p) => [p.order_ref, p.sku]).sort()).toEqual(
      tricky.map((p) => [p.order_ref, p.sku]).sort(),
    );
    expect(stored.purchaser.email).toBe(email);
  });

  it('an email holding key syntax stays inside its own partition', async () => {
    const victim = uniqueEmail();
    await upsertPurchaser(
      t.store,
      { trkref: 'VICTIM', email: victim, fields: { first_name: 'V' }, purchases: [] },
      deps,
    );
    // Whatever the email says, the partition starts with the requesting organisation.
    const attacker = await upsertPurchaser(
      t.store,
      { trkref: 'EVIL', email: `x#ORG#VICTIM#EMAIL#${victim}`, fields: { first_name: 'E' }, purchases: [] },
      deps,
    );
    expect(attacker.created).toBe(true);
    expect((await getPurchaser(t.store, 'VICTIM', victim))!.purchaser.first_name).toBe('V');
  });
});

describe('concurrency', () => {
  it('50 concurrent requests for one purchaser, each with its own purchase, keep all 50', async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        upsertPurchaser(
          t.newStore(),
          { trkref: 'ACME', email, fields: { first_name: `N${i}` }, purchases: [{ order_ref: `C-${i}`, sku: 'S' }] },
          deps,
        ),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const stored = await t.store.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': purchaserKey('ACME', email).pk },
      }),
    );
    expect(stored.Items!.filter((item) => item.entity === 'purchase')).toHaveLength(50);
    expect(stored.Items!.filter((item) => item.entity === 'purchaser')).toHaveLength(1);
    expect(stored.Items!.find((item) => item.entity === 'purchaser')!.version).toBe(50);
  });

  it('two first requests for one purchaser at once agree on its id, purchases included', async () => {
    const email = uniqueEmail();
    const slow = t.newStore();
    const { held, release } = holdCommand(
      slow,
      (command, input) => command === 'UpdateItemCommand' && input.Key?.sk === 'PURCHASER',
    );
    const first = upsertPurchaser(
      slow,
      { trkref: 'ACME', email, fields: {}, purchases: [{ order_ref: 'F1', sku: 'S' }] },
      deps,
    );
    await held; // it has read "no purchaser" and written its purchase; its purchaser write waits
    const second = await upsertPurchaser(
      t.store,
      { trkref: 'ACME', email, fields: {}, purchases: [{ order_ref: 'F2', sku: 'S' }] },
      deps,
    );
    release();
    const done = await first;
    expect([done.created, second.created]).toEqual([false, true]);
    expect(done.purchaser.id).toBe(second.purchaser.id);
    const stored = await t.store.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': purchaserKey('ACME', email).pk },
      }),
    );
    const purchases = stored.Items!.filter((item) => item.entity === 'purchase');
    expect(purchases.map((item) => item.order_ref).sort()).toEqual(['F1', 'F2']);
    expect(purchases.every((item) => item.purchaser_id === second.purchaser.id)).toBe(true);
  });

  it('concurrent requests adding the same new purchase store it once, with one token', async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        upsertPurchaser(
          t.newStore(),
          { trkref: 'ACME', email, fields: {}, purchases: [{ order_ref: 'SAME', sku: 'S' }] },
          deps,
        ),
      ),
    );
    expect(new Set(results.map((r) => r.purchases[0]!.review_token)).size).toBe(1);
    expect((await getPurchaser(t.store, 'ACME', email))!.purchases).toHaveLength(1);
  });
});
