// npm run event, as a developer uses it against the local DynamoDB (DYNAMODB_PORT, TABLE_NAME).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { getPurchaser } from '../../functions/purchasers/purchasers.ts';
import { runTool } from '../support/cli.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('event-cli');
});

const event = (args: string[], input?: string) => runTool('event', t, args, input);

describe('npm run event', () => {
  it('runs the README example order through the ingest handler and prints its batch response', async () => {
    const { code, stdout, stderr } = event(['order.placed', 'examples/order-placed.json']);
    expect(code).toBe(0);
    expect(stdout).toBe('{"batchItemFailures":[]}\n');
    expect(JSON.parse(stderr.trim().split('\n').at(-1)!)).toMatchObject({
      message: 'event',
      detail_type: 'order.placed',
      outcome: 'applied',
    });
    const example = JSON.parse(readFileSync(`${root}examples/order-placed.json`, 'utf8'));
    const stored = await getPurchaser(t.store, example.trkref, example.customer.email);
    expect(stored!.purchases.map((p) => p.sku)).toEqual(example.lines.map((l: { sku: string }) => l.sku));
  });

  it('reads the detail from standard input with -', async () => {
    const review = readFileSync(`${root}examples/review-published.json`, 'utf8');
    const { code, stdout } = event(['review.published', '-'], review);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
  });

  it('prints the failure the handler reports for an invalid event, and exits 1', () => {
    const { code, stdout, stderr } = event(['review.submitted', '-'], '{"trkref":"AC ME"}');
    expect(code).toBe(1);
    expect(JSON.parse(stdout).batchItemFailures).toHaveLength(1);
    expect(stderr).toMatch(/"outcome":"invalid".*detail\/trkref/);
  });

  it.each([
    [[]],
    [['order.placed']],
    [['order.shipped', '-']],
    [['order.placed', 'no-such-file.json']],
    [['order.placed', 'a', 'b']],
  ])('bad arguments %j: usage and exit code 2', (args) => {
    const { code, stderr, stdout } = event(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^usage: npm run event -- <detail-type> <file.json \| ->$/m);
    expect(stdout).toBe('');
  });
});
