// The one definition of the registry table. The CDK stack (lib/registry-stack.ts), the local
// bootstrap (lib/dynamodb-local.ts) and the tests all build the table from this object, and the
// functions take their key attribute names from it, so none of them can drift.
//
// Item layout (single-table design; every key leads with the organisation id):
//
//   entity     pk                                   sk                          gsi1pk / gsi1sk
//   purchaser  ORG#<trkref>#EMAIL#<email>           PURCHASER                   -
//   purchase   ORG#<trkref>#EMAIL#<email>           PURCHASE#<order_ref>#<sku>  -
//   customer   ORG#<corp>#EMAIL#<email>             CUSTOMER                    ORG#<corp>#CUSTOMER#<id> / CUSTOMER
//   customer   ORG#<corp>#CUSTOMER#<id> (no email)  CUSTOMER                    ORG#<corp>#CUSTOMER#<id> / CUSTOMER
//   api key    APIKEY#<key id>                      APIKEY                      APIKEYS / <created_at>#<key id>
//   retry      IDEMPOTENCY#<key id>#<key hash>      IDEMPOTENCY                 -   (expires through TTL)
//
// See functions/shared/keys.ts for how the parts are validated and escaped.

export const registryTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * Sparse lookup index: only items that carry gsi1pk appear in it (customers by id, the list of
   * API keys).
   */
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** Unix-seconds attribute; items carrying it are deleted by DynamoDB once it has passed. */
  timeToLiveAttribute: 'expires_at',
  /** Change stream, read by the domain event publisher. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  /**
   * What partition keys start with, by kind of data. IAM grants each function only the prefixes it
   * needs (`dynamodb:LeadingKeys`): handlers cannot read API keys, the authorizer reads nothing else.
   */
  prefixes: {
    organisation: 'ORG#',
    apiKey: 'APIKEY#',
    idempotency: 'IDEMPOTENCY#',
  },
} as const;

export type RegistryTable = typeof registryTable;
export const lookupIndex = registryTable.indexes[0];
