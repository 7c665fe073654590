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
  /**
   * What partition keys start with, by kind of data. IAM grants each function only the prefixes it
   * needs (`dynamodb:LeadingKeys`): partner routes may only read API keys, and no function writes them.
   */
  prefixes: {
    organisation: 'ORG#',
    apiKey: 'APIKEY#',
    idempotency: 'IDEMPOTENCY#',
  },
  /** Sort keys by entity; a purchase's is this prefix and its escaped order_ref and sku. */
  sortKeys: {
    purchaser: 'PURCHASER',
    purchase: 'PURCHASE#',
    customer: 'CUSTOMER',
    apiKey: 'APIKEY',
    idempotency: 'IDEMPOTENCY',
    counter: 'COUNT',
  },
  /** How many index partitions one organisation's customer list is spread over (keys.ts). */
  customerListShards: 4,
  /** Index partition listing every API key (few items: the partners). */
  apiKeysIndexPartition: 'APIKEYS',
} as const;

export type RegistryTable = typeof registryTable;
export type KeyPrefix = keyof RegistryTable['prefixes'];
export const lookupIndex = registryTable.indexes[0];

/**
 * An organisation id (`trkref`, `corporation_id`): 1 to 64 letters, digits, `_` or `-`. It cannot
 * contain the key delimiter `#`, so no id can end one organisation's key prefix and start another's.
 */
export const ORG_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
