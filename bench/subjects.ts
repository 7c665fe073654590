// The records the benchmark reads, changes and erases, made through the domain before the requests
// that act on them (outside the measure): the customer the read routes read, the list
// organisation's customers, the purchaser the purchaser reads read, and one record per changing or
// erasing request (bench/functions.ts subjectOf).
import { createPurchaserRow } from '../contract/routes.ts';
import { createCustomer, newCustomerId } from '../functions/customers/customers.ts';
import type { PurchaseInput } from '../functions/purchasers/purchasers.ts';
import { upsertPurchaser } from '../functions/purchasers/purchasers.ts';
import { newReviewToken } from '../functions/purchasers/review-links.ts';
import type { Store } from '../functions/store/client.ts';
import { type BenchTarget, type Subject, subjectOf } from './functions.ts';

/** A customer with every field the contracts show (both addresses, metadata), made as a partner key would. */
export function benchCustomer(
  store: Store,
  customer: { org: string; email: string; keyId: string | null; id?: string; externalId?: string },
) {
  return createCustomer(
    store,
    {
      corporation_id: customer.org,
      email: customer.email,
      name: 'Jane Doe',
      first_name: 'Jane',
      last_name: 'Doe',
      phone: '+1 555 555 5555',
      external_id: customer.externalId ?? 'bench-read',
      billing_address: { line1: '123 Main St', city: 'Springfield', postal_code: '62701', country: 'US' },
      shipping_address: {
        line1: '1 Rue de la Paix',
        line2: 'Bâtiment B',
        city: 'Paris',
        postal_code: '75002',
        country_name: 'France',
      },
      metadata: { order_id: 'ord_bench' },
      created_by: customer.keyId,
      mode: 'live',
    },
    { now: () => new Date(), newCustomerId: customer.id ? () => customer.id! : newCustomerId },
  );
}

/** A purchaser of `trkref` with the create example's fields and purchases. */
export function benchPurchaser(store: Store, trkref: string, email: string) {
  const {
    purchases,
    email: _,
    ...fields
  } = createPurchaserRow.example!.body as {
    email: string;
    purchases: PurchaseInput[];
    title: string;
    first_name: string;
  };
  return upsertPurchaser(store, { trkref, email, fields, purchases }, { now: () => new Date(), newReviewToken });
}

/** Runs `make` on each of `items`, 25 at a time. */
export async function inBatches<T>(items: readonly T[], make: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 25) await Promise.all(items.slice(i, i + 25).map(make));
}

/** Makes the record each request of `name` with one of `uniques` acts on (none for functions that need none). */
export function makeSubjects(store: Store, name: BenchTarget, uniques: readonly string[]): Promise<void> {
  const subjects = uniques.flatMap((unique) => subjectOf(name, unique) ?? []);
  return inBatches(subjects, (subject: Subject) =>
    subject.kind === 'customer'
      ? benchCustomer(store, { org: subject.org, email: subject.email, keyId: null, id: subject.id })
      : benchPurchaser(store, subject.trkref, subject.email),
  );
}
