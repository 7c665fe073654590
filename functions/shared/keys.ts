// Key construction for the single table (layout in lib/table.ts). Tenant isolation rests here:
//
// - Every key starts with `ORG#<org id>#`, and an org id is 1 to 64 of [A-Za-z0-9_-]: it cannot
//   contain the `#` delimiter, so no value can end one org's prefix early and start another's.
//   The builders re-check it, so a caller that skipped validation still cannot cross tenants.
// - The email is the last part of the partition key, so whatever it contains it cannot reach
//   another partition's layout; it is normalised (trimmed, lower-cased) so one person has one key.
// - Order refs and skus share the sort key, so each is escaped (`%` -> `%25`, `#` -> `%23`) before
//   joining: the mapping is injective, and `A#B` + `C` can never collide with `A` + `B#C`.

import { registryTable } from '../../lib/table.ts';

const { prefixes } = registryTable;

export const ORG_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const isOrgId = (value: unknown): value is string => typeof value === 'string' && ORG_ID_PATTERN.test(value);

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

function orgPrefix(org: string): string {
  if (!isOrgId(org)) throw new RangeError('organisation id outside the allowed alphabet');
  return `${prefixes.organisation}${org}#`;
}

const escapePart = (value: string) => value.replaceAll('%', '%25').replaceAll('#', '%23');

/** Partition of everything known about one person in one organisation. */
export const personKey = (org: string, email: string) => {
  const normalised = normaliseEmail(email);
  if (normalised === '') throw new RangeError('empty email');
  return `${orgPrefix(org)}EMAIL#${normalised}`;
};

/** Partition of a customer that has no email, and the id index key of every customer. */
export const customerIdKey = (org: string, id: string) => `${orgPrefix(org)}CUSTOMER#${escapePart(id)}`;

export const PURCHASER_SK = 'PURCHASER';
export const CUSTOMER_SK = 'CUSTOMER';
/** Prefix shared by the purchaser item and its purchases: one Query reads them all. */
export const PURCHASER_FAMILY_PREFIX = 'PURCHASE';

export const purchaseSk = (orderRef: string, sku: string) => `PURCHASE#${escapePart(orderRef)}#${escapePart(sku)}`;

/** An API key's item (not tenant data: one key may act for several organisations). */
export const apiKeyKey = (keyId: string) => `${prefixes.apiKey}${keyId}`;
export const API_KEY_SK = 'APIKEY';
/** Index partition listing every API key (few items: the partners). */
export const API_KEYS_INDEX_PK = 'APIKEYS';

/** A retry record: scoped to the API key that sent it; the client's key is hashed. */
export const idempotencyKey = (apiKeyId: string, clientKeyHash: string) =>
  `${prefixes.idempotency}${apiKeyId}#${clientKeyHash}`;
export const IDEMPOTENCY_SK = 'IDEMPOTENCY';
