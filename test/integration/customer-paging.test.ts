// Listing one organisation's customers at scale, at the domain level (customers.ts listCustomers,
// customersAt, countCustomers) against DynamoDB Local: 1,000 customers spread over the list
// partitions, paged through 37 at a time while other customers of the same organisation are
// created, renamed and given new emails, and a filter that keeps every tenth customer.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Customer,
  countCustomers,
  createCustomer,
  customersAt,
  listCustomers,
  type NewCustomer,
  newCustomerId,
  updateCustomer,
} from '../../functions/customers/customers.ts';
import { customerListPartitions } from '../../functions/store/keys.ts';
import { countIndexPartition } from '../../functions/store/read.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

const ORG = 'paging';
const EXISTING = 1000;
const PAGE = 37;
/** The external_id every tenth customer shares (the filter's matches); the others have their own. */
const TENTH = 'every-tenth';

let t: TestTable;
/** The 1,000 customers made before any page is read, in creation order. */
let existing: Customer[];

const deps = { now: () => new Date(), newCustomerId };
const change = { now: () => new Date(), by: 'key_paging' };
const newCustomer = (email: string, externalId: string): NewCustomer => ({
  corporation_id: ORG,
  email,
  name: 'Paging Co',
  external_id: externalId,
  created_by: 'key_paging',
  mode: 'live',
});

/** Runs `make` for 0..count-1, `parallel` at a time; the results in order. */
async function inBatches<T>(count: number, parallel: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let from = 0; from < count; from += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - from) }, (_, i) => make(from + i));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

/** Every page of a listing, 37 at a time; `beforePage` runs before each page is read. */
async function pageThrough(
  filters: { external_id?: string } = {},
  beforePage: () => Promise<void> = async () => {},
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    await beforePage();
    const page = await listCustomers(t.store, ORG, { limit: PAGE, after, filters });
    pages++;
    expect(page.customers.length).toBeLessThanOrEqual(PAGE);
    // A page costs a bounded number of round trips (each: one Query per list partition, in parallel).
    expect(page.rounds).toBeGreaterThanOrEqual(1);
    expect(page.rounds).toBeLessThanOrEqual(3);
    ids.push(...page.customers.map((customer) => customer.id));
    after = page.next;
  } while (after !== undefined);
  return { ids, pages };
}

const occurrences = (ids: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
};

beforeAll(async () => {
  t = await createTestTable('customer-paging');
  existing = await inBatches(EXISTING, 50, (i) =>
    createCustomer(t.store, newCustomer(`buyer-${i}@paging.example`, i % 10 === 0 ? TENTH : `ext-${i}`), deps),
  );
}, 60_000);

describe('listing 1,000 customers of one organisation', () => {
  it("spreads the organisation's customers over its 4 list partitions, each with 15 to 35 % of them", async () => {
    const partitions = customerListPartitions(ORG);
    expect(partitions).toHaveLength(4);
    // Counted in the index itself (a COUNT Query of each partition), not by the organisation's counters.
    const counts = await Promise.all(partitions.map((partition) => countIndexPartition(t.store, partition)));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(EXISTING);
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(0.15 * EXISTING);
      expect(count).toBeLessThanOrEqual(0.35 * EXISTING);
    }
    expect(await countCustomers(t.store, ORG)).toBe(EXISTING);
  });

  it('pages through them while customers are created, renamed and moved to new emails: each existing one exactly once, none twice', async () => {
    const writes = { created: 0, renamed: 0, moved: 0 };
    const total = () => writes.created + writes.renamed + writes.moved;
    let stop = false;
    // Three writers, each on its own third of the existing customers (no two change one customer).
    const mine = (w: number, k: number) => existing[w + 3 * (k % 333)]!.id;
    const writer = async (w: number) => {
      for (let k = 0; !stop; k++) {
        await createCustomer(t.store, newCustomer(`new-${w}-${k}@paging.example`, `new-${w}-${k}`), deps);
        writes.created++;
        await updateCustomer(t.store, ORG, mine(w, k), () => ({ name: `Renamed ${w}-${k}` }), change);
        writes.renamed++;
        if (k % 2 === 0) {
          const email = `moved-${w}-${k}@paging.example`;
          const moved = await updateCustomer(t.store, ORG, mine(w, 7 * k + 100), () => ({ email }), change);
          expect(moved?.email).toBe(email);
          writes.moved++;
        }
      }
    };
    const writers = [0, 1, 2].map(writer);
    // Before each page, at least two more writes land: the pages interleave with the writes.
    const interleave = async () => {
      const mark = total();
      while (total() < mark + 2) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    let listed: { ids: string[]; pages: number };
    try {
      listed = await pageThrough({}, interleave);
    } finally {
      stop = true;
      await Promise.all(writers);
    }

    expect(listed.pages).toBeGreaterThanOrEqual(Math.ceil(EXISTING / PAGE));
    expect(writes.renamed).toBeGreaterThanOrEqual(listed.pages);
    expect(writes.moved).toBeGreaterThan(0);
    const counts = occurrences(listed.ids);
    const twice = [...counts].filter(([, count]) => count > 1);
    expect(twice, 'customers listed more than once').toEqual([]);
    const missing = existing.filter((customer) => counts.get(customer.id) !== 1);
    expect(
      missing.map((customer) => customer.id),
      'existing customers not listed exactly once',
    ).toEqual([]);
    // Oldest first: the existing ones in the order they were made, those made meanwhile after them.
    const existingIds = new Set(existing.map((customer) => customer.id));
    const listOrder = (customer: Customer) => `${customer.created_at}#${customer.id}`;
    const inOrder = [...existing].sort((a, b) => (listOrder(a) < listOrder(b) ? -1 : 1));
    expect(listed.ids.filter((id) => existingIds.has(id))).toEqual(inOrder.map((customer) => customer.id));
  }, 60_000);

  it('pages through a filter that keeps every tenth customer: each match once, in order, and nothing else', async () => {
    const matches = existing.filter((customer) => customer.external_id === TENTH);
    expect(matches).toHaveLength(EXISTING / 10);
    const { ids, pages } = await pageThrough({ external_id: TENTH });
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(matches.length / PAGE));
    expect(new Set(ids)).toEqual(new Set(matches.map((customer) => customer.id)));
    expect(ids).toHaveLength(matches.length);
    expect(await countCustomers(t.store, ORG, { external_id: TENTH })).toBe(matches.length);
    // The offset windows of the dialects give the same customers in the same order, and newest first the reverse.
    const windows = await Promise.all(
      Array.from({ length: Math.ceil(matches.length / PAGE) }, (_, i) =>
        customersAt(t.store, ORG, { offset: i * PAGE, size: PAGE, filters: { external_id: TENTH } }),
      ),
    );
    expect(windows.flat().map((customer) => customer.id)).toEqual(ids);
    const newestFirst = await customersAt(t.store, ORG, {
      offset: 0,
      size: matches.length,
      descending: true,
      filters: { external_id: TENTH },
    });
    expect(newestFirst.map((customer) => customer.id)).toEqual([...ids].reverse());
  }, 60_000);
});
