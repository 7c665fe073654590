// The one definition of the registry table. The CDK stack (lib/), the local bootstrap (local/) and
// the tests build the table from this object, and the item layer (functions/store/) takes its key
// names and prefixes from it, so none of them can drift.
//
// Item layout (single-table design; every key leads with the organisation id):
//
//   entity             pk                                sk                          gsi1pk / gsi1sk
//   purchaser          ORG#<trkref>#EMAIL#<email>        PURCHASER                   -
//   purchase           ORG#<trkref>#EMAIL#<email>        PURCHASE#<order_ref>#<sku>  -
//   purchaser-erased   ORG#<trkref>#PURCHASER#<id>       PURCHASER                   -   (tombstone)
//   customer           ORG#<corp>#EMAIL#<email>          CUSTOMER                    ORG#<corp>#CUSTOMERS#<shard> / <created_at>#<id>
//   customer-ref       ORG#<corp>#CUSTOMER#<id>          CUSTOMER                    -   (the id of a customer with an email)
//   customer           ORG#<corp>#CUSTOMER#<id>          CUSTOMER                    ORG#<corp>#CUSTOMERS#<shard> / <created_at>#<id>   (no email)
//   customer-erased    ORG#<corp>#CUSTOMER#<id>          CUSTOMER                    -   (tombstone)
//   customer-count     ORG#<corp>#CUSTOMERCOUNT#<shard>  COUNT                       -   (customers of a list partition)
//   api key            APIKEY#<key id>                   APIKEY                      APIKEYS / <created_at>#<key id>
//   retry              IDEMPOTENCY#<key id>#<key hash>   IDEMPOTENCY                 ORG#<org>#REPLAYS#<person id> / <pk>   (expires through TTL)
//   rate window        RATELIMIT#<key id>#<window start>  RATELIMIT                  -   (requests of one key in one window; TTL)
//
// A customer with an email is created, moved (its email changed) and erased together with its id
// item, in one transaction: reading by id is two consistent reads, never a stale index.
//
// functions/store/keys.ts builds these keys, validating and escaping the parts that come from users.

export const registryTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * Sparse lookup index: only items that carry gsi1pk appear in it (each organisation's customers
   * in creation order, the list of API keys, stored answers by the person they speak of).
   */
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** Unix-seconds attribute; items carrying it are deleted by DynamoDB once it has passed. */
  timeToLiveAttribute: 'expires_at',
  /** Change stream, read by the domain event publisher. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  /** What partition keys start with, by kind of data (keys.ts builds the rest; IAM reads `itemKinds`). */
  prefixes: {
    organisation: 'ORG#',
    apiKey: 'APIKEY#',
    idempotency: 'IDEMPOTENCY#',
    rateLimit: 'RATELIMIT#',
  },
  /** Sort keys by entity; a purchase's is this prefix and its escaped order_ref and sku. */
  sortKeys: {
    purchaser: 'PURCHASER',
    purchase: 'PURCHASE#',
    customer: 'CUSTOMER',
    apiKey: 'APIKEY',
    idempotency: 'IDEMPOTENCY',
    counter: 'COUNT',
    rateLimit: 'RATELIMIT',
  },
  /** How many index partitions one organisation's customer list is spread over (keys.ts). */
  customerListShards: 4,
  /** Index partition listing every API key (few items: the partners). */
  apiKeysIndexPartition: 'APIKEYS',
} as const;

export type RegistryTable = typeof registryTable;
export const lookupIndex = registryTable.indexes[0];

const { organisation } = registryTable.prefixes;

/**
 * The kinds of items IAM can tell apart, each by the partition key it is stored under (or, with
 * `index`, listed under in that index): the `dynamodb:LeadingKeys` pattern (IAM StringLike: `*` any
 * characters) a grant on that kind allows (contract/routes.ts `TableGrant`). For a Query on an
 * index, DynamoDB matches the index partition the request names, so index partitions are kinds of
 * their own, granted on the index alone.
 *
 * IAM sees partition keys only: items that share a partition are one kind. `person` is everything
 * known about one person in one organisation: a purchaser and its purchases, and a customer with
 * an email (trkref and corporation_id are both organisation ids).
 *
 * The patterns are exact: an organisation id cannot contain `#` (ORG_ID_PATTERN), ids are escaped
 * (`#` as `%23`, keys.ts), and an email, the one part that may contain `#`, is lower-cased, so no
 * key holds another kind's upper-case marker between two `#`.
 */
export const itemKinds = {
  /** Purchaser, purchases, customer with an email (`ORG#<org>#EMAIL#<email>`). */
  person: { partition: `${organisation}*#EMAIL#*` },
  /** A customer's id item: the reference to its record, a customer without an email, or the tombstone. */
  customerId: { partition: `${organisation}*#CUSTOMER#*` },
  /** The customer counters, one per list partition. */
  customerCount: { partition: `${organisation}*#CUSTOMERCOUNT#*` },
  /** An erased purchaser's tombstone. */
  purchaserTombstone: { partition: `${organisation}*#PURCHASER#*` },
  apiKey: { partition: `${registryTable.prefixes.apiKey}*` },
  /** Stored answers of Idempotency-Key. */
  idempotency: { partition: `${registryTable.prefixes.idempotency}*` },
  /** Request counters of the per-key rate limit. */
  rateLimit: { partition: `${registryTable.prefixes.rateLimit}*` },
  /** An organisation's customer list partitions, in the lookup index. */
  customerList: { index: lookupIndex.name, partition: `${organisation}*#CUSTOMERS#*` },
  /** The stored answers that speak of one person, in the lookup index (erasure finds them there). */
  replays: { index: lookupIndex.name, partition: `${organisation}*#REPLAYS#*` },
  /** Every API key, in the lookup index (read by the key tool, no function). */
  apiKeyList: { index: lookupIndex.name, partition: registryTable.apiKeysIndexPartition },
} as const satisfies Record<string, { readonly partition: string; readonly index?: string }>;

export type ItemKind = keyof typeof itemKinds;
/** Kinds that are index partitions: only a Query on that index reaches them. */
export type IndexItemKind = { [K in ItemKind]: (typeof itemKinds)[K] extends { index: string } ? K : never }[ItemKind];
/** Kinds that are table partitions: the item actions (and a Query of the table) reach them. */
export type StoredItemKind = Exclude<ItemKind, IndexItemKind>;

/**
 * An organisation id (`trkref`, `corporation_id`): 1 to 64 letters, digits, `_` or `-`. It cannot
 * contain the key delimiter `#`, so no id can end one organisation's key prefix and start another's.
 */
export const ORG_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
