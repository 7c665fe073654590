// The route table: every endpoint of the API, once. The CDK stack builds one Lambda function and
// one API Gateway route per row; the local server (npm start) dispatches by the same rows; each
// handler is built from its row (functions/http/route.ts). Adding an endpoint is one row, its route
// in the resource's api.ts, and the entry file the row names.
//
// Plain data and a matcher: the fallback function bundles it and the local server loads it, so it
// imports nothing but types from table.ts and, from events.ts, the grant it shares with ingestion.
import { purchaserUpserts } from './events.ts';
import type { IndexItemKind, StoredItemKind } from './table.ts';

/** DynamoDB actions a function may perform on the registry table (least privilege, per function). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:Query';

/**
 * Some table actions on some kinds of items (contract/table.ts `itemKinds`): one IAM statement,
 * those actions where the partition key matches one of those kinds (`dynamodb:LeadingKeys`). A
 * grant on index partitions is a Query of that index and nothing else.
 */
export type TableGrant =
  | { readonly tableActions: readonly TableAction[]; readonly items: readonly StoredItemKind[] }
  | { readonly tableActions: readonly 'dynamodb:Query'[]; readonly items: readonly IndexItemKind[] };

/**
 * Settings the stack gives a function besides TABLE_NAME, SERVICE_NAME and (where the stage sets a
 * per-key limit) RATE_LIMIT. A secret comes as its ARN (`<NAME>_ARN`), never its value: the
 * function reads it at cold start (functions/runtime/secrets.ts), and its role may read exactly the
 * secrets its row names.
 */
export type EnvironmentName =
  | 'REVIEW_BASE_URL'
  | 'REVIEW_URL_SECRET_ARN'
  | 'EVENT_BUS_NAME'
  | 'API_KEY_CACHE_SECONDS'
  | 'TOKEN_SIGNING_SECRET_ARN'
  | 'CURSOR_SECRET_ARN'
  | 'REVIEW_URL_HOSTS';

/** A Lambda function: what the stack needs to build it and what IAM grants it. */
export interface FunctionRow {
  /** Stable name: the construct ids and the function's log group are derived from it. */
  readonly name: string;
  /** Entry module, relative to the repository root; it exports `handler` (see the README's naming rule). */
  readonly entry: string;
  /**
   * Exactly what the function does on the table, each action on the kinds of items it needs it
   * for: the stack grants these (see tableAccessOf) and nothing else.
   */
  readonly grants: readonly TableGrant[];
  /** Environment variables the function reads besides those every function gets (the stack supplies them). */
  readonly environment?: readonly EnvironmentName[];
  /** Lambda timeout; 10 seconds when absent (see timeoutSecondsOf). */
  readonly timeoutSeconds?: number;
  /**
   * Files of installed packages the function reads at run time, as the specifiers it resolves them
   * by (`swagger-ui-dist/swagger-ui.css`): the stack ships each in the bundle under node_modules/,
   * where `import.meta.resolve` finds it as it does in the repository.
   */
  readonly assets?: readonly string[];
}

/**
 * A function's Lambda timeout. HTTP functions keep the 10 s default: above the 4.5 s a request may
 * spend (functions/runtime/budget.ts), so the function answers a stalled table with
 * its own 503, and below API Gateway's 30 s integration limit, so the gateway never answers first.
 */
export const timeoutSecondsOf = (row: FunctionRow): number => row.timeoutSeconds ?? 10;

/** An HTTP endpoint: a function, and the API Gateway route in front of it. */
export interface Route extends FunctionRow {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';
  /** API Gateway path syntax (`{param}` segments), or `$default` for the catch-all route. */
  readonly path: string;
  /**
   * `partner`: the handler answers 401 unless the Authorization header holds a valid partner key
   * (and 403 for an organisation outside the key's list). `token`: the same with an access token
   * from the token endpoint (functions/auth/tokens.ts) in place of the key. Either way, reading
   * keys is granted apart from the row's own actions (see tableAccessOf). `client-credentials`: the
   * token endpoint, which reads an API key's id and secret from the body (or HTTP Basic) itself.
   * `none`: open route.
   */
  readonly auth: 'partner' | 'token' | 'client-credentials' | 'none';
  /** A request that works: printed by `npm start` as a ready-to-paste curl, and tested. */
  readonly example?: Example;
}

export interface Example {
  readonly org: string;
  /** The path and query string, sent with the row's method; `{id}` stands for the id `idFrom` names. */
  readonly path: string;
  /** The JSON body; none when absent (a GET, a DELETE). A string `{id}` in it is the id `idFrom` names. */
  readonly body?: unknown;
  /**
   * Where the `{id}` in the path (and body) comes from: the value at JSON pointer `pointer` in the
   * answer to the example of row `row` (run first, as a token is).
   */
  readonly idFrom?: { readonly row: string; readonly pointer: string };
  /** When not `application/json`. */
  readonly contentType?: string;
  /** The status it is answered with: 201 when absent. */
  readonly status?: number;
  /** Headers it sends besides Content-Type and Authorization. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * How the example authenticates: with an API key (default); with an access token from the row
   * named here (its example run first); or, on the token row itself, by adding the key's id and
   * secret to the body as `client_id` and `client_secret`.
   */
  readonly credential?: { readonly tokenFrom: string } | 'client-credentials';
}

// What the examples of the routes by id share: the customer the contract's list example finds (by
// the create example's email), so each printed curl stands alone.

const nativeCustomerExample = {
  org: 'corp_123',
  path: '/customers/{id}?corporation_id=corp_123',
  idFrom: { row: 'ListCustomers', pointer: '/data/0/id' },
} as const;

const kohortPayCustomerExample = {
  org: 'ACME',
  path: '/compat/kohortpay/customers/{id}',
  idFrom: { row: 'KohortPayListCustomers', pointer: '/data/0/id' },
  headers: { 'x-organisation-id': 'ACME' },
} as const;

/** How Commerce Layer's examples call: JSON:API, for ACME, with a token from the token row's example. */
const commerceLayerCaller = {
  org: 'ACME',
  headers: { accept: 'application/vnd.api+json', 'x-organisation-id': 'ACME' },
  credential: { tokenFrom: 'CommerceLayerToken' },
} as const;

const commerceLayerCustomerExample = {
  ...commerceLayerCaller,
  path: '/compat/commercelayer/api/customers/{id}',
  idFrom: { row: 'CommerceLayerListCustomers', pointer: '/data/0/id' },
} as const;

/** The stored answers of Idempotency-Key: claimed, completed, released after a failure. */
const idempotencyRecords = {
  tableActions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  items: ['idempotency'],
} as const satisfies TableGrant;

/**
 * Erasing a person also finds the stored answers that held their data (in the lookup index) and
 * deletes them (the delete is idempotencyRecords').
 */
const answersAboutAPerson = { tableActions: ['dynamodb:Query'], items: ['replays'] } as const satisfies TableGrant;

const purchaserWrites = [purchaserUpserts, idempotencyRecords] as const satisfies readonly TableGrant[];

/** A purchaser and its purchases: one Query of the person's partition. */
const purchaserReads = [
  { tableActions: ['dynamodb:Query'], items: ['person'] },
] as const satisfies readonly TableGrant[];

/** A customer by id: its id item, then (for a customer with an email) its record. */
const customerById = {
  tableActions: ['dynamodb:GetItem'],
  items: ['customerId', 'person'],
} as const satisfies TableGrant;

/** A customer's record and id item, written together (a customer without an email is its id item). */
const customerPuts = {
  tableActions: ['dynamodb:PutItem'],
  items: ['person', 'customerId'],
} as const satisfies TableGrant;

/** A customer's record leaving its key: its email changed or cleared, or the customer erased. */
const customerRecordDeletes = {
  tableActions: ['dynamodb:DeleteItem'],
  items: ['person'],
} as const satisfies TableGrant;

/** The counter of the customer's list partition, added to (or taken from) after the record is written. */
const customerCounting = {
  tableActions: ['dynamodb:UpdateItem'],
  items: ['customerCount'],
} as const satisfies TableGrant;

/**
 * Creating a customer, in any contract: its record and id item (one transaction; a customer
 * without an email is its id item), its counter, and the stored answers of Idempotency-Key.
 */
const customerCreation = {
  auth: 'partner',
  grants: [customerPuts, customerCounting, idempotencyRecords],
  environment: ['API_KEY_CACHE_SECONDS'],
} as const satisfies Partial<Route>;

export const createPurchaserRow: Route = {
  name: 'CreatePurchaser',
  method: 'POST',
  path: '/v4/organisations/{trkref}/purchasers',
  entry: 'functions/purchasers/create.ts',
  auth: 'partner',
  grants: purchaserWrites,
  environment: ['REVIEW_BASE_URL', 'REVIEW_URL_SECRET_ARN', 'API_KEY_CACHE_SECONDS'],
  example: {
    org: 'ACME',
    path: '/v4/organisations/ACME/purchasers',
    body: {
      email: 'jane@example.com',
      title: 'Ms',
      first_name: 'Jane',
      purchases: [
        { order_ref: 'A1104528927', sku: 'SKU23432' },
        { order_ref: 'A1104523114', sku: 'SKU4323' },
      ],
    },
  },
};

/** The purchaser's own item, its purchases, and what links to them: what reading one takes. */
const purchaserPathBase = '/v4/organisations/{trkref}/purchasers/{email}';

export const getPurchaserRow: Route = {
  name: 'GetPurchaser',
  method: 'GET',
  path: purchaserPathBase,
  entry: 'functions/purchasers/read.ts',
  auth: 'partner',
  grants: purchaserReads,
  environment: ['REVIEW_BASE_URL', 'REVIEW_URL_SECRET_ARN', 'API_KEY_CACHE_SECONDS'],
  example: { org: 'ACME', path: '/v4/organisations/ACME/purchasers/jane@example.com', status: 200 },
};

export const updatePurchaserRow: Route = {
  name: 'UpdatePurchaser',
  method: 'PUT',
  path: purchaserPathBase,
  entry: 'functions/purchasers/update.ts',
  auth: 'partner',
  grants: purchaserWrites,
  environment: ['REVIEW_BASE_URL', 'REVIEW_URL_SECRET_ARN', 'API_KEY_CACHE_SECONDS'],
  example: {
    org: 'ACME',
    path: '/v4/organisations/ACME/purchasers/jane@example.com',
    body: { title: 'Dr', surname: 'Doe', purchases: [{ order_ref: 'A1104529001', sku: 'SKU23432' }] },
    status: 200,
  },
};

export const listPurchasesRow: Route = {
  name: 'ListPurchases',
  method: 'GET',
  path: `${purchaserPathBase}/purchases`,
  entry: 'functions/purchasers/purchases.ts',
  auth: 'partner',
  grants: purchaserReads,
  environment: ['REVIEW_BASE_URL', 'REVIEW_URL_SECRET_ARN', 'API_KEY_CACHE_SECONDS', 'CURSOR_SECRET_ARN'],
  example: { org: 'ACME', path: '/v4/organisations/ACME/purchasers/jane@example.com/purchases?limit=2', status: 200 },
};

/** Erasure: the person's items go, a tombstone stays; stored answers that held their data go too. */
export const erasePurchaserRow: Route = {
  name: 'ErasePurchaser',
  method: 'DELETE',
  path: purchaserPathBase,
  entry: 'functions/purchasers/erase.ts',
  auth: 'partner',
  grants: [
    ...purchaserReads,
    // The purchases in batches, then the purchaser with its tombstone in one transaction.
    { tableActions: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'], items: ['person'] },
    { tableActions: ['dynamodb:PutItem'], items: ['purchaserTombstone'] },
    answersAboutAPerson,
    idempotencyRecords,
  ],
  environment: ['API_KEY_CACHE_SECONDS'],
  example: { org: 'ACME', path: '/v4/organisations/ACME/purchasers/jane@example.com', status: 204 },
};

export const createCustomerRow: Route = {
  name: 'CreateCustomer',
  method: 'POST',
  path: '/customers',
  entry: 'functions/customers/create.ts',
  ...customerCreation,
  example: {
    org: 'corp_123',
    path: '/customers',
    body: {
      corporation_id: 'corp_123',
      name: 'Acme Corporation',
      email: 'contact@acme.com',
      external_id: 'ext_456',
      shipping_address: {
        line1: '123 Main St',
        line2: 'Suite 100',
        city: 'San Francisco',
        state: 'CA',
        postal_code: '94105',
        country: 'US',
      },
    },
  },
};

export const getCustomerRow: Route = {
  name: 'GetCustomer',
  method: 'GET',
  path: '/customers/{id}',
  entry: 'functions/customers/read.ts',
  auth: 'partner',
  grants: [customerById],
  environment: ['API_KEY_CACHE_SECONDS'],
  example: {
    ...nativeCustomerExample,
    status: 200,
  },
};

/**
 * A page of the list partitions (in the lookup index: the id items), the page's records in one
 * batch, and a customer by its email.
 */
const customerListing = [
  { tableActions: ['dynamodb:Query'], items: ['customerList'] },
  { tableActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], items: ['person'] },
] as const satisfies readonly TableGrant[];

/** The dialects' lists also report the organisation's total: its counters, in one batch. */
const customerListingWithTotal = [
  ...customerListing,
  { tableActions: ['dynamodb:BatchGetItem'], items: ['customerCount'] },
] as const satisfies readonly TableGrant[];

export const listCustomersRow: Route = {
  name: 'ListCustomers',
  method: 'GET',
  path: '/customers',
  entry: 'functions/customers/list.ts',
  auth: 'partner',
  grants: customerListing,
  environment: ['API_KEY_CACHE_SECONDS', 'CURSOR_SECRET_ARN'],
  example: { org: 'corp_123', path: '/customers?corporation_id=corp_123&email=contact@acme.com', status: 200 },
};

/**
 * Changing a customer, its email included: it is read first, then written in place or moved
 * between keys in one transaction (the record at its new key, the old one deleted, the id item
 * pointing at the new email; a customer whose email is cleared becomes its id item).
 */
const customerWrites = {
  ...customerCreation,
  grants: [customerById, customerPuts, customerRecordDeletes, idempotencyRecords],
} as const satisfies Partial<Route>;

/**
 * Erasing a customer: it is read, its record deleted and its id item replaced by a tombstone, its
 * counter taken from, and the stored answers that held its data found and deleted.
 */
const customerErasure = {
  ...customerCreation,
  grants: [
    customerById,
    { tableActions: ['dynamodb:PutItem'], items: ['customerId'] },
    customerRecordDeletes,
    customerCounting,
    answersAboutAPerson,
    idempotencyRecords,
  ],
} as const satisfies Partial<Route>;

export const updateCustomerRow: Route = {
  name: 'UpdateCustomer',
  method: 'PATCH',
  path: '/customers/{id}',
  entry: 'functions/customers/update.ts',
  ...customerWrites,
  example: {
    ...nativeCustomerExample,
    body: { name: 'Acme Corp', shipping_address: { line2: null, city: 'Oakland' } },
    contentType: 'application/merge-patch+json',
    status: 200,
  },
};

export const eraseCustomerRow: Route = {
  name: 'EraseCustomer',
  method: 'DELETE',
  path: '/customers/{id}',
  entry: 'functions/customers/erase.ts',
  ...customerErasure,
  example: {
    ...nativeCustomerExample,
    status: 204,
  },
};

// The KohortPay dialect (its customer API, under /compat/kohortpay): the same customer records, in
// KohortPay's request and response shapes, authenticated with an API key as a Bearer token.

export const kohortPayCreateCustomerRow: Route = {
  name: 'KohortPayCreateCustomer',
  method: 'POST',
  path: '/compat/kohortpay/customers',
  entry: 'functions/kohortpay/create.ts',
  ...customerCreation,
  example: {
    org: 'ACME',
    path: '/compat/kohortpay/customers',
    headers: { 'x-organisation-id': 'ACME' },
    body: {
      emailAddress: 'john.doe@example.com',
      firstName: 'John',
      lastName: 'Doe',
      phoneNumber: '+1 555 555 5555',
      address: { street: '123 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
      shippingAddress: {
        addressLine1: 'Avenue des Champs-Élysées',
        addressLine2: 'Appartement 4B',
        city: 'Paris',
        postalCode: '75014',
        country: 'France',
        state: 'Île-de-France',
        companyName: 'Google LLC',
        vatNumber: 'FR123456789',
        registrationNumber: '123456789',
      },
      metadata: { order_id: 'ord_1JYLo8KerLxWZaQtys6ZQ1xS' },
      locale: 'fr_FR',
      clientReferenceId: 'myclientid-1234',
    },
  },
};

export const kohortPayGetCustomerRow: Route = {
  name: 'KohortPayGetCustomer',
  method: 'GET',
  path: '/compat/kohortpay/customers/{id}',
  entry: 'functions/kohortpay/read.ts',
  auth: 'partner',
  grants: [customerById],
  environment: ['API_KEY_CACHE_SECONDS'],
  example: {
    ...kohortPayCustomerExample,
    status: 200,
  },
};

export const kohortPayListCustomersRow: Route = {
  name: 'KohortPayListCustomers',
  method: 'GET',
  path: '/compat/kohortpay/customers',
  entry: 'functions/kohortpay/list.ts',
  auth: 'partner',
  // As the native list, and the organisation's total (`count`).
  grants: customerListingWithTotal,
  environment: ['API_KEY_CACHE_SECONDS'],
  example: {
    org: 'ACME',
    path: '/compat/kohortpay/customers?search=john.doe@example.com',
    headers: { 'x-organisation-id': 'ACME' },
    status: 200,
  },
};

export const kohortPayUpdateCustomerRow: Route = {
  name: 'KohortPayUpdateCustomer',
  method: 'PATCH',
  path: '/compat/kohortpay/customers/{id}',
  entry: 'functions/kohortpay/update.ts',
  ...customerWrites,
  example: {
    ...kohortPayCustomerExample,
    body: { phoneNumber: '+1 555 555 0100', address: { city: 'Chicago' } },
    status: 200,
  },
};

export const kohortPayDeleteCustomerRow: Route = {
  name: 'KohortPayDeleteCustomer',
  method: 'DELETE',
  path: '/compat/kohortpay/customers/{id}',
  entry: 'functions/kohortpay/erase.ts',
  ...customerErasure,
  example: {
    ...kohortPayCustomerExample,
    status: 200,
  },
};

// The Commerce Layer dialect (under /compat/commercelayer): its client-credentials token endpoint
// and its JSON:API customers, on the same records, so its own client libraries work unchanged.

export const commerceLayerTokenRow: Route = {
  name: 'CommerceLayerToken',
  method: 'POST',
  path: '/compat/commercelayer/oauth/token',
  entry: 'functions/commercelayer/token.ts',
  auth: 'client-credentials',
  grants: [],
  environment: ['API_KEY_CACHE_SECONDS', 'TOKEN_SIGNING_SECRET_ARN'],
  example: {
    org: 'ACME',
    path: '/compat/commercelayer/oauth/token',
    body: { grant_type: 'client_credentials' },
    status: 200,
    credential: 'client-credentials',
  },
};

export const commerceLayerCreateCustomerRow: Route = {
  name: 'CommerceLayerCreateCustomer',
  method: 'POST',
  path: '/compat/commercelayer/api/customers',
  entry: 'functions/commercelayer/create.ts',
  ...customerCreation,
  auth: 'token',
  environment: ['API_KEY_CACHE_SECONDS', 'TOKEN_SIGNING_SECRET_ARN'],
  example: {
    ...commerceLayerCaller,
    path: '/compat/commercelayer/api/customers',
    body: { data: { type: 'customers', attributes: { email: 'john@example.com' } } },
    contentType: 'application/vnd.api+json',
  },
};

export const commerceLayerGetCustomerRow: Route = {
  name: 'CommerceLayerGetCustomer',
  method: 'GET',
  path: '/compat/commercelayer/api/customers/{id}',
  entry: 'functions/commercelayer/read.ts',
  auth: 'token',
  grants: [customerById],
  environment: ['API_KEY_CACHE_SECONDS', 'TOKEN_SIGNING_SECRET_ARN'],
  example: {
    ...commerceLayerCustomerExample,
    status: 200,
  },
};

export const commerceLayerListCustomersRow: Route = {
  name: 'CommerceLayerListCustomers',
  method: 'GET',
  path: '/compat/commercelayer/api/customers',
  entry: 'functions/commercelayer/list.ts',
  auth: 'token',
  // As the native list, and the organisation's total (`record_count`).
  grants: customerListingWithTotal,
  environment: ['API_KEY_CACHE_SECONDS', 'TOKEN_SIGNING_SECRET_ARN'],
  example: {
    ...commerceLayerCaller,
    path: '/compat/commercelayer/api/customers?filter[q][email_eq]=john@example.com',
    status: 200,
  },
};

export const commerceLayerUpdateCustomerRow: Route = {
  name: 'CommerceLayerUpdateCustomer',
  method: 'PATCH',
  path: '/compat/commercelayer/api/customers/{id}',
  entry: 'functions/commercelayer/update.ts',
  ...customerWrites,
  auth: 'token',
  environment: ['API_KEY_CACHE_SECONDS', 'TOKEN_SIGNING_SECRET_ARN'],
  example: {
    ...commerceLayerCustomerExample,
    // The resource's id, as JSON:API requires it in the document too.
    body: { data: { type: 'customers', id: '{id}', attributes: { reference: 'ref_789' } } },
    contentType: 'application/vnd.api+json',
    status: 200,
  },
};

export const commerceLayerDeleteCustomerRow: Route = {
  name: 'CommerceLayerDeleteCustomer',
  method: 'DELETE',
  path: '/compat/commercelayer/api/customers/{id}',
  entry: 'functions/commercelayer/erase.ts',
  ...customerErasure,
  auth: 'token',
  environment: ['API_KEY_CACHE_SECONDS', 'TOKEN_SIGNING_SECRET_ARN'],
  example: {
    ...commerceLayerCustomerExample,
    status: 204,
  },
};

// The API reference: the OpenAPI document (docs/openapi.json, written by `npm run openapi`) and a
// page rendering it with Swagger UI, whose files the page loads from the API itself (no CDN). Open,
// as the reference is public, and no table access.

export const openApiDocumentRow: Route = {
  name: 'OpenApiDocument',
  method: 'GET',
  path: '/openapi.json',
  entry: 'functions/docs/openapi.ts',
  auth: 'none',
  grants: [],
};

export const docsPageRow: Route = {
  name: 'DocsPage',
  method: 'GET',
  path: '/docs',
  entry: 'functions/docs/page.ts',
  auth: 'none',
  grants: [],
};

/** The page's files: Swagger UI's script, style sheet and icon, and the script that starts it. */
export const docsAssetRow: Route = {
  name: 'DocsAsset',
  method: 'GET',
  path: '/docs/{asset}',
  entry: 'functions/docs/asset.ts',
  auth: 'none',
  grants: [],
  assets: [
    'swagger-ui-dist/swagger-ui-bundle.js',
    'swagger-ui-dist/swagger-ui.css',
    'swagger-ui-dist/favicon-32x32.png',
  ],
};

/**
 * Everything no other row matches: answers 404, or 405 with `Allow` for a known path. Open: it
 * reveals only which paths exist, which the API reference publishes anyway, and needs no table.
 */
export const fallbackRow: Route = {
  name: 'Fallback',
  method: 'ANY',
  path: '$default',
  entry: 'functions/fallback/answer.ts',
  auth: 'none',
  grants: [],
};

export const routes: readonly Route[] = [
  createPurchaserRow,
  getPurchaserRow,
  updatePurchaserRow,
  listPurchasesRow,
  erasePurchaserRow,
  createCustomerRow,
  getCustomerRow,
  listCustomersRow,
  updateCustomerRow,
  eraseCustomerRow,
  kohortPayCreateCustomerRow,
  kohortPayGetCustomerRow,
  kohortPayListCustomersRow,
  kohortPayUpdateCustomerRow,
  kohortPayDeleteCustomerRow,
  commerceLayerTokenRow,
  commerceLayerCreateCustomerRow,
  commerceLayerGetCustomerRow,
  commerceLayerListCustomersRow,
  commerceLayerUpdateCustomerRow,
  commerceLayerDeleteCustomerRow,
  openApiDocumentRow,
  docsPageRow,
  docsAssetRow,
  fallbackRow,
];

/** What authenticating a caller takes: reading API key items, nothing more (no function writes them). */
export const authenticationAccess = {
  tableActions: ['dynamodb:GetItem'],
  items: ['apiKey'],
} as const satisfies TableGrant;

/** What the per-key rate limit (RATE_LIMIT) takes: counting a call in its key's window item. */
export const rateLimitAccess = {
  tableActions: ['dynamodb:UpdateItem'],
  items: ['rateLimit'],
} as const satisfies TableGrant;

/**
 * Every grant a function's role needs on the table: its row's, and for a route that checks
 * credentials, reading API keys and, in a stage with a per-key rate limit (`rateLimited`, where the
 * stack sets RATE_LIMIT), counting calls. Each is a statement of its own, so a route that writes
 * its own items cannot write API keys.
 */
export function tableAccessOf(
  row: FunctionRow,
  options: { readonly rateLimited?: boolean } = {},
): readonly TableGrant[] {
  if (!checksCredentials(row)) return row.grants;
  return [...row.grants, authenticationAccess, ...(options.rateLimited ? [rateLimitAccess] : [])];
}

/**
 * Rows that check credentials against stored API keys: every route but the open ones. They read
 * keys, and count calls where a per-key rate limit is set.
 */
export const checksCredentials = (row: FunctionRow): boolean => 'auth' in row && row.auth !== 'none';

export type RouteMatch =
  | { kind: 'route'; route: Route; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/**
 * Finds the row for a request the way API Gateway does: exact method and path, `{name}` segments
 * matching one non-empty segment each. `rawPath` is the path as sent (percent-encoded); path
 * parameters are returned decoded, as API Gateway passes them to the function.
 */
export function matchRoute(method: string, rawPath: string, table: readonly Route[] = routes): RouteMatch {
  const segments = rawPath.split('/');
  const allow: string[] = [];
  for (const route of table) {
    if (route.path === '$default') continue;
    const pathParameters = matchPath(route.path, segments);
    if (!pathParameters) continue;
    if (route.method === 'ANY' || route.method === method.toUpperCase()) {
      return { kind: 'route', route, pathParameters };
    }
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}

function matchPath(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const segment = segments[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      if (segment === '') return undefined;
      const decoded = safeDecode(segment);
      if (decoded === undefined) return undefined;
      params[part.slice(1, -1)] = decoded;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
