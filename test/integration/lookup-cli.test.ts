// npm run purchaser and npm run customer: a record as stored, from the local DynamoDB
// (DYNAMODB_PORT, TABLE_NAME), as ops use them.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, newCustomerId } from '../../functions/customers/customers.ts';
import { upsertPurchaser } from '../../functions/purchasers/purchasers.ts';
import { newReviewToken } from '../../functions/purchasers/review-links.ts';
import { runTool } from '../support/cli.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('lookup-cli');
});

const tool = (name: string, args: string[]) => runTool(name, t, args);

describe('npm run purchaser', () => {
  it('prints the purchaser and its purchases as stored', async () => {
    await upsertPurchaser(
      t.store,
      {
        trkref: 'ACME',
        email: 'Jane@Example.com',
        fields: { first_name: 'Jane' },
        purchases: [{ order_ref: 'O1', sku: 'S1' }],
      },
      { now: () => new Date(), newReviewToken },
    );
    const { code, stdout } = tool('purchaser', ['ACME', 'jane@example.com']);
    expect(code).toBe(0);
    const found = JSON.parse(stdout);
    expect(found.purchaser).toMatchObject({ trkref: 'ACME', email: 'jane@example.com', first_name: 'Jane' });
    expect(found.purchases).toEqual([
      expect.objectContaining({ order_ref: 'O1', sku: 'S1', review_state: 'not_reviewed' }),
    ]);
  });

  it('says so and exits 1 for an unknown purchaser; 2 with a usage line for bad arguments', () => {
    expect(tool('purchaser', ['ACME', 'nobody@example.com'])).toMatchObject({
      code: 1,
      stderr: 'No purchaser nobody@example.com in ACME.\n',
    });
    const bad = tool('purchaser', ['ACME']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^usage: npm run purchaser -- <trkref> <email>/);
  });
});

describe('npm run customer', () => {
  it('prints a customer found by email or by id', async () => {
    const created = await createCustomer(
      t.store,
      {
        corporation_id: 'corp_1',
        name: 'Acme',
        email: 'contact@acme.com',
        external_id: null,
        shipping_address: null,
        source_platform: null,
        source_platform_id: null,
        created_by: null,
        mode: 'live',
      },
      { now: () => new Date(), newCustomerId },
    );
    for (const key of [created.id, 'Contact@Acme.com']) {
      const { code, stdout } = tool('customer', ['corp_1', key]);
      expect(code, key).toBe(0);
      expect(JSON.parse(stdout)).toEqual(created);
    }
    // Another corporation does not see it.
    expect(tool('customer', ['corp_2', created.id]).code).toBe(1);
  });

  it('says so and exits 1 for an unknown customer; 2 with a usage line for bad arguments', () => {
    expect(tool('customer', ['corp_1', 'cust_unknown'])).toMatchObject({
      code: 1,
      stderr: 'No customer cust_unknown in corp_1.\n',
    });
    expect(tool('customer', ['corp_1', 'a', 'b']).code).toBe(2);
  });
});
