// Key builders, one per entity, for the single table (layout in contract/table.ts). Tenant
// isolation rests here:
//
// - Every organisation key starts with `ORG#<org id>#`, and an org id is 1 to 64 of [A-Za-z0-9_-]:
//   it cannot contain the `#` delimiter, so no value can end one org's prefix early and start
//   another's. The builders re-check it, so a caller that skipped validation still cannot cross
//   tenants.
// - The email is the last part of the partition key, so whatever it contains it cannot reach
//   another partition's layout; it is normalised (trimmed, lower-cased, a Unicode domain as
//   punycode) so one person has one key.
// - Order refs, skus and ids share a key with other parts, so each is escaped (`%` -> `%25`,
//   `#` -> `%23`) before joining: the mapping is injective, and `A#B` + `C` can never collide with
//   `A` + `B#C`.
import { domainToASCII } from 'node:url';
import { type lookupIndex, ORG_ID_PATTERN, registryTable } from '../../contract/table.ts';

const { prefixes, sortKeys } = registryTable;

/** The primary key of an item (attribute names from the table definition). */
export type ItemKey = Readonly<Record<typeof registryTable.partitionKey | typeof registryTable.sortKey, string>>;

/** The lookup index key an item carries to be found there. */
export type IndexKey = Readonly<Record<typeof lookupIndex.partitionKey | typeof lookupIndex.sortKey, string>>;

export const isOrgId = (value: unknown): value is string => typeof value === 'string' && ORG_ID_PATTERN.test(value);

/**
 * One spelling per mailbox: trimmed, lower-cased, and a Unicode domain as IDNA punycode (what the
 * request schemas store; repeated here for callers that skipped them, such as the lookup tool).
 */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  const domain = trimmed.slice(at + 1);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "only ASCII", control characters included
  if (at < 0 || /^[\x00-\x7f]*$/.test(domain)) return trimmed.toLowerCase();
  // IDNA maps case itself, and differently from toLowerCase (`ẞ` is `ss` to IDNA, `ß` to toLowerCase).
  return `${trimmed.slice(0, at).toLowerCase()}@${domainToASCII(domain) || domain.toLowerCase()}`;
}

function orgPrefix(org: string): string {
  if (!isOrgId(org)) throw new RangeError('organisation id outside the allowed alphabet');
  return `${prefixes.organisation}${org}#`;
}

const escapePart = (value: string) => value.replaceAll('%', '%25').replaceAll('#', '%23');

/** Partition of everything known about one person in one organisation. */
function personPartition(org: string, email: string): string {
  const normalised = normaliseEmail(email);
  if (normalised === '') throw new RangeError('empty email');
  return `${orgPrefix(org)}EMAIL#${normalised}`;
}

/** The primary key of a stored item. */
export const itemKey = (item: Readonly<Record<string, unknown>>): ItemKey => ({
  pk: String(item.pk),
  sk: String(item.sk),
});

/** Partition of a customer that has no email, and the id index key of every customer. */
const customerIdPartition = (org: string, id: string) => `${orgPrefix(org)}CUSTOMER#${escapePart(id)}`;

export const purchaserKey = (trkref: string, email: string): ItemKey => ({
  pk: personPartition(trkref, email),
  sk: sortKeys.purchaser,
});

export const purchaseSortKey = (orderRef: string, sku: string) =>
  `${sortKeys.purchase}${escapePart(orderRef)}#${escapePart(sku)}`;

/** A purchase lives in its purchaser's partition. */
export const purchaseKeyIn = (purchaser: ItemKey, orderRef: string, sku: string): ItemKey => ({
  pk: purchaser.pk,
  sk: purchaseSortKey(orderRef, sku),
});

export const purchaseKey = (trkref: string, email: string, orderRef: string, sku: string): ItemKey =>
  purchaseKeyIn(purchaserKey(trkref, email), orderRef, sku);

/** What the purchaser item's and its purchases' sort keys begin with: one Query reads them all. */
export const PURCHASER_FAMILY = 'PURCHASE';

/** A customer with an email lives in its person partition (the email is unique); one without, by id. */
export const customerKey = (
  corporationId: string,
  by: { readonly email: string } | { readonly id: string },
): ItemKey => ({
  pk: 'email' in by ? personPartition(corporationId, by.email) : customerIdPartition(corporationId, by.id),
  sk: sortKeys.customer,
});

/**
 * A customer's id item: for a customer without an email, the customer itself; for one with an
 * email, a reference to its record (the email), so reading by id is consistent; after erasure, the
 * tombstone.
 */
export const customerIdKey = (corporationId: string, id: string): ItemKey => ({
  pk: customerIdPartition(corporationId, id),
  sk: sortKeys.customer,
});

/**
 * The lookup index partitions listing one organisation's customers: its writes are spread over
 * `customerListShards` partitions (by a hash of the id), so a tenant adding thousands a second
 * does not concentrate them on one index partition. Listing reads them all and merges.
 */
export const customerListPartitions = (corporationId: string): string[] =>
  Array.from({ length: registryTable.customerListShards }, (_, shard) => customerListPartition(corporationId, shard));

const customerListPartition = (corporationId: string, shard: number) => `${orgPrefix(corporationId)}CUSTOMERS#${shard}`;

/** Where a customer is listed: its shard, ordered by creation time then id (neither ever changes). */
export const customerListKey = (corporationId: string, id: string, createdAt: string): IndexKey => ({
  gsi1pk: customerListPartition(corporationId, shardOf(id)),
  gsi1sk: `${createdAt}#${escapePart(id)}`,
});

/**
 * The counter of one list partition's customers (one item per partition, apart from the records:
 * each takes its own share of the writes). Totals read the organisation's counters in one batch.
 */
export const customerCounterKey = (corporationId: string, id: string): ItemKey =>
  customerCounterKeys(corporationId)[shardOf(id)] as ItemKey;

export const customerCounterKeys = (corporationId: string): ItemKey[] =>
  Array.from({ length: registryTable.customerListShards }, (_, shard) => ({
    pk: `${orgPrefix(corporationId)}CUSTOMERCOUNT#${shard}`,
    sk: sortKeys.counter,
  }));

/** FNV-1a of the id, modulo the shard count: stable, and even for random ids. */
function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % registryTable.customerListShards;
}

/**
 * The index partition filing the stored answers (Idempotency-Key) that speak of one person, by
 * their id: erasing the person finds and deletes them there.
 */
export const replaysPartition = (org: string, personId: string): string =>
  `${orgPrefix(org)}REPLAYS#${escapePart(personId)}`;

/** A purchaser's tombstone after erasure: its id and organisation, no personal data. */
export const purchaserTombstoneKey = (trkref: string, purchaserId: string): ItemKey => ({
  pk: `${orgPrefix(trkref)}PURCHASER#${escapePart(purchaserId)}`,
  sk: sortKeys.purchaser,
});

/** An API key's item (not tenant data: one key may act for several organisations). */
export const apiKeyKey = (keyId: string): ItemKey => ({ pk: `${prefixes.apiKey}${keyId}`, sk: sortKeys.apiKey });

/** Every API key is in the lookup index, under one partition, oldest first. */
export const apiKeyIndexKey = (createdAt: string, keyId: string): IndexKey => ({
  gsi1pk: registryTable.apiKeysIndexPartition,
  gsi1sk: `${createdAt}#${keyId}`,
});

/** A retry record: scoped to the API key that sent it; the client's key is hashed. */
export const idempotencyKey = (apiKeyId: string, clientKeyHash: string): ItemKey => ({
  pk: `${prefixes.idempotency}${apiKeyId}#${clientKeyHash}`,
  sk: sortKeys.idempotency,
});

/**
 * The request counter of one API key in one fixed window (`windowStart` in unix seconds): one item
 * per key and window, so a window never needs resetting and the next one starts at zero. Key ids
 * come from a checked credential (`key_` and hex digits): they cannot hold the `#` delimiter.
 */
export const rateWindowKey = (keyId: string, windowStart: number): ItemKey => ({
  pk: `${prefixes.rateLimit}${keyId}#${windowStart}`,
  sk: sortKeys.rateLimit,
});
