// Customers of a corporation: create (email unique per corporation), and read back by id or email.
//
// A customer with an email lives in its person partition (`ORG#<corp>#EMAIL#<email>`, sort key
// CUSTOMER), so the uniqueness of the email is the item's key: creating is one conditional PutItem
// (1 write unit, 1 round trip), and a duplicate fails that condition and returns the existing item
// in the same call. A customer without an email is keyed by its id instead. Every customer also
// carries the id index key (gsi1), so it can be found by id with one Query.
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/client.ts';
import { decoder, encode, read } from '../store/codec.ts';
import { customerIndexKey, customerKey, normaliseEmail } from '../store/keys.ts';
import { getItem, queryPartition } from '../store/read.ts';
import { itemAbsent, writeItem } from '../store/write.ts';

export interface Address {
  readonly line1: string | null;
  readonly line2: string | null;
  readonly city: string | null;
  readonly state: string | null;
  readonly postal_code: string | null;
  readonly country: string | null;
}

export interface NewCustomer {
  readonly corporation_id: string;
  readonly name: string;
  /** Stored trimmed and lower-cased; null for a customer known without one. */
  readonly email: string | null;
  readonly external_id: string | null;
  readonly shipping_address: Address | null;
  readonly source_platform: string | null;
  readonly source_platform_id: string | null;
}

export interface Customer extends NewCustomer {
  readonly id: string;
  /** Unix seconds. */
  readonly created_at: number;
}

export class DuplicateCustomerError extends Error {
  override readonly name = 'DuplicateCustomerError';
  readonly existingId: string;
  constructor(existingId: string) {
    super('a customer with this email already exists in this corporation');
    this.existingId = existingId;
  }
}

export interface CustomerDeps {
  readonly now: () => Date;
  readonly newCustomerId: () => string;
}

/** `cust_` and 128 random bits. */
export const newCustomerId = () => `cust_${randomBytes(16).toString('hex')}`;

export async function createCustomer(store: Store, input: NewCustomer, deps: CustomerDeps): Promise<Customer> {
  const customer: Customer = {
    id: deps.newCustomerId(),
    ...input,
    email: input.email === null ? null : normaliseEmail(input.email),
    created_at: Math.floor(deps.now().getTime() / 1000),
  };
  const result = await writeItem(store, {
    put: {
      ...customerKey(customer.corporation_id, customer.email ? { email: customer.email } : { id: customer.id }),
      ...customerIndexKey(customer.corporation_id, customer.id),
      entity: 'customer',
      ...encode(customer),
    },
    condition: itemAbsent,
  });
  // Our own write, found by the SDK's retry of it (the first attempt landed, its answer was lost).
  if (!result.written && result.old?.id === customer.id) return customer;
  if (!result.written) throw new DuplicateCustomerError(typeof result.old?.id === 'string' ? result.old.id : 'unknown');
  return customer;
}

export async function getCustomerById(store: Store, corporationId: string, id: string): Promise<Customer | undefined> {
  const [item] = await queryPartition(store, { index: true, partition: customerIndexKey(corporationId, id).gsi1pk });
  return item && toCustomer(item);
}

export async function getCustomerByEmail(
  store: Store,
  corporationId: string,
  email: string,
): Promise<Customer | undefined> {
  const item = await getItem(store, customerKey(corporationId, { email }));
  return item && toCustomer(item);
}

/** Every address field, unknown ones null: for an address as sent and as stored alike. */
export const fullAddress = decoder<Address>({
  line1: read.text,
  line2: read.text,
  city: read.text,
  state: read.text,
  postal_code: read.text,
  country: read.text,
});

const toCustomer = decoder<Customer>({
  id: read.string,
  corporation_id: read.string,
  name: read.string,
  email: read.text,
  external_id: read.text,
  shipping_address: read.map(fullAddress),
  source_platform: read.text,
  source_platform_id: read.text,
  created_at: read.number,
});
