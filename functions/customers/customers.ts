// Customers of a corporation: create (email unique per corporation), and read back by id or email.
//
// A customer with an email lives in its person partition (`ORG#<corp>#EMAIL#<email>`, sort key
// CUSTOMER), so the uniqueness of the email is the item's key: creating is one conditional PutItem
// (1 write unit, 1 round trip), and a duplicate fails that condition and returns the existing item
// in the same call. A customer without an email is keyed by its id instead. Every customer also
// carries the id index key (gsi1), so it can be found by id with one Query.
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { lookupIndex, registryTable } from '../../lib/table.ts';
import { CUSTOMER_SK, customerIdKey, normaliseEmail, personKey } from '../shared/keys.ts';
import type { Store } from '../shared/store.ts';

const PK = registryTable.partitionKey;
const SK = registryTable.sortKey;

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
  const idKey = customerIdKey(customer.corporation_id, customer.id);
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          [PK]: customer.email ? personKey(customer.corporation_id, customer.email) : idKey,
          [SK]: CUSTOMER_SK,
          [lookupIndex.partitionKey]: idKey,
          [lookupIndex.sortKey]: CUSTOMER_SK,
          entity: 'customer',
          // Unknown is absent, not NULL: smaller items, and reads give null back (toCustomer).
          ...withoutNulls(customer),
          ...(customer.shipping_address ? { shipping_address: withoutNulls(customer.shipping_address) } : {}),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new DuplicateCustomerError(error.Item?.id?.S ?? 'unknown');
    }
    throw error;
  }
  return customer;
}

export async function getCustomerById(store: Store, corporationId: string, id: string): Promise<Customer | undefined> {
  const output = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: lookupIndex.name,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': lookupIndex.partitionKey },
      ExpressionAttributeValues: { ':k': customerIdKey(corporationId, id) },
    }),
  );
  const item = output.Items?.[0];
  return item && toCustomer(item);
}

export async function getCustomerByEmail(
  store: Store,
  corporationId: string,
  email: string,
): Promise<Customer | undefined> {
  const output = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { [PK]: personKey(corporationId, email), [SK]: CUSTOMER_SK },
      ConsistentRead: true,
    }),
  );
  return output.Item && toCustomer(output.Item);
}

const withoutNulls = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as Partial<T>;

/** Every address field, unknown ones null. */
export function fullAddress(address: Partial<Record<keyof Address, string | null>>): Address {
  return {
    line1: address.line1 ?? null,
    line2: address.line2 ?? null,
    city: address.city ?? null,
    state: address.state ?? null,
    postal_code: address.postal_code ?? null,
    country: address.country ?? null,
  };
}

function toCustomer(item: Record<string, unknown>): Customer {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    id: item.id as string,
    corporation_id: item.corporation_id as string,
    name: item.name as string,
    email: text(item.email),
    external_id: text(item.external_id),
    shipping_address: item.shipping_address ? fullAddress(item.shipping_address as Partial<Address>) : null,
    source_platform: text(item.source_platform),
    source_platform_id: text(item.source_platform_id),
    created_at: item.created_at as number,
  };
}
