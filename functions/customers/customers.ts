// Customers of an organisation: create (email unique per organisation), and read back by id or
// email. One record serves every contract that speaks of customers (the native `/customers`, the
// KohortPay and Commerce Layer dialects): each reads and writes the fields it knows, and presents
// the record in its own shape.
//
// A customer with an email lives in its person partition (`ORG#<corp>#EMAIL#<email>`, sort key
// CUSTOMER), so the uniqueness of the email is the item's key: creating is one conditional PutItem
// (1 write unit, 1 round trip), and a duplicate fails that condition and returns the existing item
// in the same call. A customer without an email is keyed by its id instead. Every customer also
// carries the id index key (gsi1), so it can be found by id with one Query.
import { randomBytes } from 'node:crypto';
import type { KeyMode } from '../http/principal.ts';
import type { Store } from '../store/client.ts';
import { decoder, encode, type Item, read } from '../store/codec.ts';
import { customerIndexKey, customerKey, normaliseEmail } from '../store/keys.ts';
import { getItem, queryPartition } from '../store/read.ts';
import { itemAbsent, writeItem } from '../store/write.ts';
import { hashPassword } from './passwords.ts';

/** An address as a contract sends it: every field optional. */
export interface AddressInput {
  readonly line1?: string | null;
  readonly line2?: string | null;
  readonly city?: string | null;
  readonly state?: string | null;
  readonly postal_code?: string | null;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string | null;
  /** The country as written, when it is not a code (KohortPay takes free text such as "France"). */
  readonly country_name?: string | null;
  readonly company_name?: string | null;
  readonly vat_number?: string | null;
  readonly registration_number?: string | null;
}

/** An address as stored: every field present, unknown ones null, and an id of its own (`adr_…`). */
export type Address = { readonly id: string | null } & { readonly [K in keyof AddressInput]-?: string | null };

export interface NewCustomer {
  readonly corporation_id: string;
  /** Stored as email.ts spells it; null for a customer known without one (native contract only). */
  readonly email: string | null;
  readonly name?: string | null;
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly phone?: string | null;
  readonly locale?: string | null;
  /** The partner's own reference (`external_id`, `clientReferenceId`, `reference`). */
  readonly external_id?: string | null;
  readonly reference_origin?: string | null;
  readonly shipping_address?: AddressInput | null;
  readonly billing_address?: AddressInput | null;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** Kept only as a slow salted hash (passwords.ts). */
  readonly password?: string | null;
  readonly customer_group_id?: string | null;
  readonly source_platform?: string | null;
  readonly source_platform_id?: string | null;
  /** The API key that creates it, and that key's mode. */
  readonly created_by: string | null;
  readonly mode: KeyMode;
}

export interface Customer {
  readonly id: string;
  readonly corporation_id: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly phone: string | null;
  readonly locale: string | null;
  readonly external_id: string | null;
  readonly reference_origin: string | null;
  readonly shipping_address: Address | null;
  readonly billing_address: Address | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly has_password: boolean;
  readonly customer_group_id: string | null;
  readonly source_platform: string | null;
  readonly source_platform_id: string | null;
  readonly mode: KeyMode;
  readonly created_by: string | null;
  readonly updated_by: string | null;
  /** ISO 8601 UTC with milliseconds. */
  readonly created_at: string;
  readonly updated_at: string;
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

/** `cust_` and 128 random bits (32 hex digits: what the dialects' ids are made from, see ids.ts). */
export const newCustomerId = () => `cust_${randomBytes(16).toString('hex')}`;
const newAddressId = () => `adr_${randomBytes(12).toString('hex')}`;

const address = (input: AddressInput | null | undefined): Address | null =>
  input
    ? {
        id: newAddressId(),
        line1: input.line1 ?? null,
        line2: input.line2 ?? null,
        city: input.city ?? null,
        state: input.state ?? null,
        postal_code: input.postal_code ?? null,
        country: input.country ?? null,
        country_name: input.country_name ?? null,
        company_name: input.company_name ?? null,
        vat_number: input.vat_number ?? null,
        registration_number: input.registration_number ?? null,
      }
    : null;

export async function createCustomer(store: Store, input: NewCustomer, deps: CustomerDeps): Promise<Customer> {
  const at = deps.now().toISOString();
  const customer: Customer = {
    id: deps.newCustomerId(),
    corporation_id: input.corporation_id,
    email: input.email === null ? null : normaliseEmail(input.email),
    name: input.name ?? null,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    phone: input.phone ?? null,
    locale: input.locale ?? null,
    external_id: input.external_id ?? null,
    reference_origin: input.reference_origin ?? null,
    shipping_address: address(input.shipping_address),
    billing_address: address(input.billing_address),
    metadata: input.metadata ?? null,
    has_password: Boolean(input.password),
    customer_group_id: input.customer_group_id ?? null,
    source_platform: input.source_platform ?? null,
    source_platform_id: input.source_platform_id ?? null,
    mode: input.mode,
    created_by: input.created_by,
    updated_by: input.created_by,
    created_at: at,
    updated_at: at,
  };
  const { has_password: _, metadata, ...stored } = customer;
  const result = await writeItem(store, {
    put: {
      ...customerKey(customer.corporation_id, customer.email ? { email: customer.email } : { id: customer.id }),
      ...customerIndexKey(customer.corporation_id, customer.id),
      entity: 'customer',
      ...encode(stored),
      // As JSON text: kept exactly as sent, whatever its nesting (a map's depth is limited).
      ...(metadata ? { metadata: JSON.stringify(metadata) } : {}),
      ...(input.password ? { password_hash: await hashPassword(input.password) } : {}),
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

const toAddress = decoder<Address>({
  id: read.text,
  line1: read.text,
  line2: read.text,
  city: read.text,
  state: read.text,
  postal_code: read.text,
  country: read.text,
  country_name: read.text,
  company_name: read.text,
  vat_number: read.text,
  registration_number: read.text,
});

/** Customers stored before timestamps had milliseconds kept Unix seconds. */
const instant = (value: unknown, item: Item, attribute: string): string =>
  typeof value === 'number' ? new Date(value * 1000).toISOString() : read.string(value, item, attribute);

const toCustomer = decoder<Customer>({
  id: read.string,
  corporation_id: read.string,
  email: read.text,
  name: read.text,
  first_name: read.text,
  last_name: read.text,
  phone: read.text,
  locale: read.text,
  external_id: read.text,
  reference_origin: read.text,
  shipping_address: read.map(toAddress),
  billing_address: read.map(toAddress),
  metadata: (value) => (typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : null),
  has_password: (_value, item) => typeof item.password_hash === 'string',
  customer_group_id: read.text,
  source_platform: read.text,
  source_platform_id: read.text,
  mode: (value) => (value === 'test' ? 'test' : 'live'),
  created_by: read.text,
  updated_by: read.text,
  created_at: instant,
  updated_at: (value, item) =>
    value === undefined ? instant(item.created_at, item, 'created_at') : instant(value, item, 'updated_at'),
});
