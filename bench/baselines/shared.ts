// What the bare twins share: one plain DynamoDB client per container, the table name, a response,
// the two credential checks partner routes make (an API key; an access token) and the organisation
// a request acts for, the customer items every customer route writes, reads, lists, changes and
// erases, the purchaser's partition, the three customer documents, and paging cursors.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TOKEN_LIFETIME_SECONDS, TOKEN_SCOPE } from '../../functions/auth/tokens.ts';
import { collectionUrl, RELATIONSHIPS } from '../../functions/commercelayer/dialect.ts';
import { createReviewLinks } from '../../functions/purchasers/review-links.ts';
import { COUNTRY_CODES } from '../../functions/schema/countries.ts';
import {
  customerCounterKey,
  customerCounterKeys,
  customerListKey,
  customerListPartitions,
} from '../../functions/store/keys.ts';
import { logged } from './request-line.ts';

export { logged };

export const dynamodb = new DynamoDBClient({});
export const table = process.env.TABLE_NAME!;

export const json = (statusCode: number, body: unknown, contentType = 'application/json') => ({
  statusCode,
  headers: { 'content-type': contentType },
  body: JSON.stringify(body),
});

export const JSON_API = 'application/vnd.api+json';

/**
 * The answer refusing a request (401, 403) or naming no record (404) in each contract's error
 * shape, as much of it as the twins need: the status is what the benchmark checks.
 */
export const refusal = {
  native: (status: number) => json(status, { status }),
  kohortpay: (status: number) => json(status, { error: { type: 'invalid_request_error', code: String(status) } }),
  commercelayer: (status: number) => json(status, { errors: [{ status: String(status) }] }, JSON_API),
};

/** An item as the plain client gives and takes it. */
export type Stored = Record<string, AttributeValue>;

/** An HTTP API request, as much of it as the twins read. */
export interface BareHttpEvent {
  readonly body?: string;
  readonly headers?: Record<string, string | undefined>;
  readonly pathParameters?: Record<string, string | undefined>;
  readonly queryStringParameters?: Record<string, string | undefined>;
  readonly rawPath: string;
  readonly requestContext: { readonly domainName: string; readonly requestId?: string };
}

/** The caller behind a credential, as the real boundary knows it (functions/http/principal.ts). */
export interface BarePrincipal {
  readonly keyId: string;
  readonly orgs: string[];
  readonly platform: string | null;
  readonly mode: 'live' | 'test';
}

const keys = new Map<string, { item: Stored | undefined; expires: number }>();

/** The key item, read once a minute per container (as the real handlers cache it). */
async function keyItem(id: string): Promise<Stored | undefined> {
  let cached = keys.get(id);
  if (!cached || cached.expires <= Date.now()) {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `APIKEY#${id}` }, sk: { S: 'APIKEY' } },
        ConsistentRead: true,
      }),
    );
    cached = { item: Item, expires: Date.now() + 60_000 };
    keys.set(id, cached);
  }
  return cached.item;
}

/** An API key's id and secret checked, bare: the cached key item, the secret's hash compared on every request. */
export async function checkKeyBare(id: string, secret: string): Promise<BarePrincipal | undefined> {
  const item = await keyItem(id);
  const stored = Buffer.from(item?.secret_hash?.S ?? '', 'base64url');
  const presented = createHash('sha256').update(secret).digest();
  if (!item || stored.length !== presented.length || !timingSafeEqual(stored, presented) || item.revoked_at) {
    return undefined;
  }
  return {
    keyId: id,
    orgs: item.orgs?.L?.map((org) => org.S ?? '') ?? [],
    platform: item.platform?.S ?? null,
    mode: item.mode?.S === 'test' ? 'test' : 'live',
  };
}

/** The partner-key check every partner route makes (`Authorization: Bearer <key id>.<secret>`). */
export function authenticateBare(headers: BareHttpEvent['headers']): Promise<BarePrincipal | undefined> {
  const [id = '', secret = ''] = (headers?.authorization ?? '').slice(7).split('.');
  return checkKeyBare(id, secret);
}

// Access tokens, bare: HS256 JWTs carrying what functions/auth/tokens.ts puts in them.
const signingSecret = process.env.TOKEN_SIGNING_SECRET ?? '';
const JWT_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const hmac = (data: string) => createHmac('sha256', signingSecret).update(data).digest();

/** An access token for `principal`: the claims the token endpoint signs, signed the same way. */
export function issueTokenBare({ keyId, orgs, mode, platform }: BarePrincipal, nowMs: number) {
  const iat = Math.floor(nowMs / 1000);
  const payload = JSON.stringify({
    iss: 'purchaser-registry',
    sub: keyId,
    iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    scope: TOKEN_SCOPE,
    orgs,
    mode,
    platform,
    test: mode === 'test',
    application: { kind: 'integration', public: false },
    ...(orgs.length === 1 ? { organization: { id: `org_${orgs[0]}`, slug: orgs[0] } } : {}),
  });
  const data = `${JWT_HEADER}.${Buffer.from(payload).toString('base64url')}`;
  return { token: `${data}.${hmac(data).toString('base64url')}`, issuedAt: iat };
}

/**
 * The access-token check, bare (authenticator.ts createTokenAuthenticator): the HMAC-SHA256 of the
 * token's header and claims compared, the expiry checked, then the token's key looked up through
 * the same cache as API keys (an unknown or revoked key refuses its tokens).
 */
export async function authenticateTokenBare(headers: BareHttpEvent['headers']): Promise<BarePrincipal | undefined> {
  const token = (headers?.authorization ?? '').slice(7);
  const end = token.lastIndexOf('.');
  const data = token.slice(0, end);
  const presented = Buffer.from(token.slice(end + 1), 'base64url');
  const expected = hmac(data);
  if (!data.startsWith(`${JWT_HEADER}.`) || presented.length !== expected.length) return undefined;
  if (!timingSafeEqual(presented, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(data.slice(JWT_HEADER.length + 1), 'base64url').toString('utf8'));
  if (claims.exp * 1000 <= Date.now()) return undefined;
  const item = await keyItem(claims.sub);
  if (!item || item.revoked_at) return undefined;
  return { keyId: claims.sub, orgs: claims.orgs, platform: claims.platform, mode: claims.mode };
}

/**
 * The organisation a request acts for: the one named (`named`, else `X-Organisation-Id`) if the key
 * has it, else the key's only one.
 */
export function organisationBare(
  principal: BarePrincipal,
  headers: BareHttpEvent['headers'],
  named = headers?.['x-organisation-id']?.trim(),
): string | undefined {
  if (named) return principal.orgs.includes(named) ? named : undefined;
  return principal.orgs.length === 1 ? principal.orgs[0] : undefined;
}

/**
 * A twin's handler for a route that takes its organisation from the caller: the caller checked
 * (callerBare; a refusal in `contract`'s error shape), then `work`.
 */
export const withCaller = <A extends { statusCode: number }>(
  credential: 'api-key' | 'token',
  contract: keyof typeof refusal,
  work: (caller: { principal: BarePrincipal; org: string }, event: BareHttpEvent) => Promise<A>,
) =>
  logged(async (event: BareHttpEvent) => {
    const caller = await callerBare(event, credential);
    return typeof caller === 'number' ? refusal[contract](caller) : work(caller, event);
  });

/**
 * Who calls a route that takes its organisation from the caller, and for which organisation (its
 * API key or access token, then `?corporation_id=` for the native routes, then X-Organisation-Id),
 * or the status that refuses it.
 */
export async function callerBare(
  event: BareHttpEvent,
  credential: 'api-key' | 'token',
): Promise<{ principal: BarePrincipal; org: string } | 401 | 403> {
  const principal = await (credential === 'token' ? authenticateTokenBare : authenticateBare)(event.headers);
  if (!principal) return 401;
  const named = event.queryStringParameters?.corporation_id?.trim() || event.headers?.['x-organisation-id']?.trim();
  const org = organisationBare(principal, event.headers, named);
  return org ? { principal, org } : 403;
}

/**
 * A twin's handler for a route whose path names its organisation (`trkref`): the API key checked
 * and the organisation among its own (else refused), then `work`.
 */
export const withTrkref = <A extends { statusCode: number }>(
  work: (trkref: string, event: BareHttpEvent) => Promise<A>,
) =>
  logged(async (event: BareHttpEvent) => {
    const principal = await authenticateBare(event.headers);
    const trkref = event.pathParameters?.trkref ?? '';
    if (!principal) return refusal.native(401);
    return principal.orgs.includes(trkref) ? work(trkref, event) : refusal.native(403);
  });

export type Fields = Record<string, string | null | undefined>;

/** Each field with a value, as a string attribute (unknown ones are left out, as the real codec does). */
const strings = (fields: Fields): Stored =>
  Object.fromEntries(Object.entries(fields).flatMap(([name, value]) => (value == null ? [] : [[name, { S: value }]])));

export interface NewCustomerBare {
  readonly org: string;
  readonly email: string;
  readonly principal: BarePrincipal;
  /** name, first_name, external_id, and the like: the customer fields the dialect sends. */
  readonly fields: Fields;
  /** shipping_address and billing_address, each stored with an id of its own. */
  readonly addresses?: Record<string, Fields | null | undefined>;
  readonly metadata?: unknown;
  /** Attributes stored as they are (a password hash). */
  readonly extra?: Stored;
}

const condition = (expression: string, values: Stored) => ({
  ConditionExpression: expression,
  ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
});
const isFree = condition('attribute_not_exists(pk)', {});
/** The record is the one read: same id, same version. */
const isAsRead = (record: Stored) =>
  condition('id = :id AND version = :version', { ':id': record.id!, ':version': record.version! });

/** The id item still refers to the customer `id` (not yet erased). */
const isOwnReference = (id: string) =>
  condition('entity = :reference AND id = :id', { ':reference': { S: 'customer-ref' }, ':id': { S: id } });

const customerKeyBare = (pk: string): Stored => ({ pk: { S: pk }, sk: { S: 'CUSTOMER' } });
/** A customer's id item: the reference to its record, or after erasure its tombstone. */
const customerIdKeyBare = (org: string, id: string) => customerKeyBare(`ORG#${org}#CUSTOMER#${id}`);
const keyOf = (item: Stored): Stored => ({ pk: item.pk!, sk: item.sk! });

/** The item at `Key`, read consistently. */
async function getItemBare(Key: Stored): Promise<Stored | undefined> {
  return (await dynamodb.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }))).Item;
}

/**
 * The customer create of every dialect (customers/customers.ts createCustomer): one
 * TransactWriteItems of the record at its email (every field sent, addresses with their ids, who
 * created it and when, metadata as JSON text, its list index key, version 1) and its id item (a
 * reference holding the email), each conditional on its key being free; then the organisation's
 * count kept (countedBare). The record as stored, or undefined when the email is taken.
 */
export async function createCustomerBare(customer: NewCustomerBare): Promise<Stored | undefined> {
  const { org, principal } = customer;
  const id = `cust_${randomBytes(16).toString('hex')}`;
  const at = new Date().toISOString();
  const email = customer.email.trim().toLowerCase();
  const addresses = Object.entries(customer.addresses ?? {}).flatMap(([name, address]) =>
    address ? [[name, { M: strings({ id: newAddressId(), ...address }) }]] : [],
  );
  const record: Stored = {
    ...customerKeyBare(`ORG#${org}#EMAIL#${email}`),
    entity: { S: 'customer' },
    ...strings({
      id,
      corporation_id: org,
      email,
      ...customer.fields,
      source_platform: principal.platform,
      mode: principal.mode,
      created_by: principal.keyId,
      updated_by: principal.keyId,
      created_at: at,
      updated_at: at,
    }),
    ...Object.fromEntries(addresses),
    ...(customer.metadata ? { metadata: { S: JSON.stringify(customer.metadata) } } : {}),
    ...customer.extra,
    version: { N: '1' },
  };
  const reference = referenceBare(record);
  try {
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [record, reference].map((Item) => ({ Put: { TableName: table, Item, ...isFree } })),
      }),
    );
    await countedBare(org, id, 1);
    return record;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return undefined;
    throw error;
  }
}

/** The id item of a customer's record: it refers to the record, and lists it (with the members lists filter on). */
function referenceBare(record: Stored): Stored {
  const [org = '', id = '', createdAt = ''] = [record.corporation_id?.S, record.id?.S, record.created_at?.S];
  const listed = customerListKey(org, id, createdAt);
  return {
    ...customerIdKeyBare(org, id),
    entity: { S: 'customer-ref' },
    gsi1pk: { S: listed.gsi1pk },
    gsi1sk: { S: listed.gsi1sk },
    ...strings({
      id,
      corporation_id: org,
      email: record.email?.S,
      external_id: record.external_id?.S,
      source_platform: record.source_platform?.S,
    }),
  };
}

const newAddressId = () => `adr_${randomBytes(12).toString('hex')}`;

/** The counter of the customer's list partition moved by `change`: one UpdateItem ADD. */
async function countedBare(org: string, id: string, change: 1 | -1): Promise<void> {
  const { pk, sk } = customerCounterKey(org, id);
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: pk }, sk: { S: sk } },
      UpdateExpression: 'SET entity = :entity ADD customers :change',
      ExpressionAttributeValues: { ':entity': { S: 'customer-count' }, ':change': { N: String(change) } },
    }),
  );
}

/**
 * The record of the customer stored under `id` (`cust_…`) in `org`, as getCustomerById reads it:
 * two consistent GetItems, its id item (the reference) then the record at the email it names.
 */
export async function customerByIdBare(org: string, id: string): Promise<Stored | undefined> {
  const reference = await getItemBare(customerIdKeyBare(org, id));
  if (reference?.entity?.S !== 'customer-ref' || !reference.email?.S) return undefined;
  const record = await getItemBare(customerKeyBare(`ORG#${org}#EMAIL#${reference.email.S}`));
  return record?.id?.S === id ? record : undefined;
}

/** `item` with `fields` merged in, as a merge patch does: undefined keeps, null removes, text sets. */
export function patched(item: Stored, fields: Fields): Stored {
  const removed = new Set(Object.keys(fields).filter((name) => fields[name] === null));
  return { ...Object.fromEntries(Object.entries(item).filter(([name]) => !removed.has(name))), ...strings(fields) };
}

/** `item` with its address `name` patched by `fields` (undefined keeps it, null removes it, a new one gets an id). */
export function patchedAddress(item: Stored, name: string, fields: Fields | null | undefined): Stored {
  if (fields === undefined) return item;
  if (fields === null) return patched(item, { [name]: null });
  return { ...item, [name]: { M: patched(item[name]?.M ?? { id: { S: newAddressId() } }, fields) } };
}

/**
 * updateCustomer for a change that keeps the email, bare: the record read by id (two GetItems),
 * changed by `change`, stamped, its version counted, and put back in place on condition that it
 * is still the version read. The record as now stored, or undefined when there is no such customer.
 */
export async function updateCustomerBare(
  org: string,
  id: string,
  principal: BarePrincipal,
  change: (record: Stored) => Stored,
): Promise<Stored | undefined> {
  const record = await customerByIdBare(org, id);
  if (!record) return undefined;
  const next: Stored = {
    ...change(record),
    ...strings({ updated_by: principal.keyId, updated_at: new Date().toISOString() }),
    version: { N: String(Number(record.version?.N ?? '1') + 1) },
  };
  // The id item lists the customer with its external_id: rewritten with the record when that changes.
  if (next.external_id?.S === record.external_id?.S) {
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: next, ...isAsRead(record) }));
    return next;
  }
  const reference = referenceBare(next);
  await dynamodb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: next, ...isAsRead(record) } },
        {
          Put: {
            TableName: table,
            Item: reference,
            ...isOwnReference(id),
          },
        },
      ],
    }),
  );
  return next;
}

/**
 * eraseCustomer, bare: the record read by id (two GetItems); one TransactWriteItems deleting it (if
 * still the version read) and turning its id item into a tombstone without personal data; then in
 * parallel the stored answers filed under the customer deleted and the count kept. The record as
 * it was and when it was erased, or undefined when there is no such customer.
 */
export async function eraseCustomerBare(
  org: string,
  id: string,
  principal: BarePrincipal,
): Promise<{ record: Stored; erasedAt: string } | undefined> {
  const record = await customerByIdBare(org, id);
  if (!record) return undefined;
  const erasedAt = new Date().toISOString();
  const tombstone: Stored = {
    ...customerIdKeyBare(org, id),
    entity: { S: 'customer-erased' },
    ...strings({
      id,
      corporation_id: org,
      created_at: record.created_at?.S,
      erased_at: erasedAt,
      erased_by: principal.keyId,
    }),
  };
  await dynamodb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Delete: { TableName: table, Key: keyOf(record), ...isAsRead(record) } },
        {
          Put: {
            TableName: table,
            Item: tombstone,
            ...isOwnReference(id),
          },
        },
      ],
    }),
  );
  await Promise.all([forgetAnswersBare(`ORG#${org}#REPLAYS#${id}`), countedBare(org, id, -1)]);
  return { record, erasedAt };
}

/** forgetAnswersAbout, bare: the stored answers filed under a person (a Query of the lookup index), each deleted. */
async function forgetAnswersBare(subject: string): Promise<void> {
  const { Items = [] } = await dynamodb.send(
    new QueryCommand({ TableName: table, IndexName: 'gsi1', ...partitionIs('gsi1pk', subject) }),
  );
  await Promise.all(Items.map((item) => dynamodb.send(new DeleteItemCommand({ TableName: table, Key: keyOf(item) }))));
}

const partitionIs = (attribute: string, value: string): Partial<QueryCommandInput> => ({
  KeyConditionExpression: '#pk = :pk',
  ExpressionAttributeNames: { '#pk': attribute },
  ExpressionAttributeValues: { ':pk': { S: value } },
});

/**
 * The first `limit` customers of `org` in creation order (newest first when `descending`), and
 * where the page ends if there may be more: listCustomers' (and customersAt's) first round, a
 * Query of each list partition in parallel, merged, nothing given past the point some partition
 * with more has been read to. The benchmark's list organisation has enough customers in every
 * partition for that first round to fill a page, as it does for the real route.
 */
export async function customerPageBare(
  org: string,
  limit: number,
  descending = false,
  /** How many listed customers to pass over (offset paging): their records are not read. */
  from = 0,
): Promise<{ items: Stored[]; next?: string }> {
  const pages = await Promise.all(
    customerListPartitions(org).map((partition) =>
      dynamodb.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          ...partitionIs('gsi1pk', partition),
          Limit: limit,
          ScanIndexForward: !descending,
        }),
      ),
    ),
  );
  const position = (item: Stored | undefined) => item?.gsi1sk?.S ?? '';
  const before = (a: string, b: string) => (descending ? a > b : a < b);
  const lasts = pages.flatMap((page) => (page.LastEvaluatedKey ? [position(page.LastEvaluatedKey)] : []));
  const frontier = lasts.reduce<string | undefined>(
    (f, last) => (f === undefined || before(last, f) ? last : f),
    undefined,
  );
  const merged = pages
    .flatMap((page) => page.Items ?? [])
    .filter((item) => frontier === undefined || !before(frontier, position(item)))
    .sort((a, b) => (before(position(a), position(b)) ? -1 : 1));
  const listed = merged.slice(0, limit);
  // The page's records, by the emails their id items name: one consistent BatchGetItem.
  const Keys = listed.slice(from).map((reference) => customerKeyBare(`ORG#${org}#EMAIL#${reference.email?.S}`));
  const found: Stored[] =
    Keys.length === 0
      ? []
      : ((await dynamodb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys, ConsistentRead: true } } })))
          .Responses?.[table] ?? []);
  const records = new Map(found.map((record) => [record.id?.S, record]));
  const items = listed
    .slice(from)
    .map((reference) => records.get(reference.id?.S))
    .filter((record) => record !== undefined);
  return { items, ...(merged.length > limit || lasts.length > 0 ? { next: position(listed.at(-1)) } : {}) };
}

/** countCustomers, bare: the organisation's counters (one per list partition), one consistent BatchGetItem. */
export async function countCustomersBare(org: string): Promise<number> {
  const Keys = customerCounterKeys(org).map(({ pk, sk }) => ({ pk: { S: pk }, sk: { S: sk } }));
  const { Responses } = await dynamodb.send(
    new BatchGetItemCommand({ RequestItems: { [table]: { Keys, ConsistentRead: true } } }),
  );
  return (Responses?.[table] ?? []).reduce((sum, counter) => sum + Number(counter.customers?.N ?? 0), 0);
}

const cursorSecret = process.env.CURSOR_SECRET ?? '';

/** A paging cursor, as functions/http/cursor.ts seals them: the position and an expiry, signed with the scope. */
export function sealCursorBare(scope: readonly unknown[], position: string): string {
  const payload = Buffer.from(JSON.stringify({ p: position, e: Math.floor(Date.now() / 1000) + 86_400 })).toString(
    'base64url',
  );
  const signature = createHmac('sha256', cursorSecret)
    .update(`${JSON.stringify(scope)}\n${payload}`)
    .digest();
  return `${payload}.${signature.toString('base64url')}`;
}

export const text = (item: Stored, name: string) => item[name]?.S ?? null;
/** The customer's 32 hex digits: every dialect shows them, with its own prefix (customers/ids.ts). */
const hexOf = (item: Stored) => (text(item, 'id') ?? '').slice('cust_'.length);
const metadataOf = (item: Stored) => (item.metadata?.S ? JSON.parse(item.metadata.S) : null);

/** KohortPay's customer document (kohortpay/dialect.ts toKohortPay). */
export const kohortPayCustomerBare = (item: Stored) => ({
  id: `cus_${hexOf(item)}`,
  emailAddress: text(item, 'email'),
  firstName: text(item, 'first_name'),
  lastName: text(item, 'last_name'),
  phoneNumber: text(item, 'phone'),
  livemode: text(item, 'mode') !== 'test',
  isBlocked: false,
  organizationId: `org_${text(item, 'corporation_id')}`,
  addressId: item.billing_address?.M?.id?.S ?? null,
  shippingAddressId: item.shipping_address?.M?.id?.S ?? null,
  metadata: metadataOf(item),
  createdAt: text(item, 'created_at'),
  createdBy: text(item, 'created_by'),
  updatedAt: text(item, 'updated_at'),
  blockedAt: null,
  blockedBy: null,
  updatedBy: text(item, 'updated_by'),
  deletedAt: null,
});

/** KohortPay's countries are free text: a code is stored as one, anything else as the name (fields.ts countryOf). */
const kohortPayCountry = (value: string | undefined) =>
  value === undefined
    ? {}
    : /^[A-Za-z]{2}$/.test(value) && COUNTRY_CODES.has(value.toUpperCase())
      ? { country: value.toUpperCase() }
      : { country_name: value };

type KohortPayAddressBare = Record<string, string | undefined>;

/** KohortPay's billing `address`, as stored (kohortpay/dialect.ts): only the members sent. */
export const kohortPayBillingBare = (address: KohortPayAddressBare | null | undefined): Fields | null | undefined =>
  address && {
    line1: address.street,
    city: address.city,
    state: address.state,
    postal_code: address.postalCode,
    ...kohortPayCountry(address.country),
  };

/** KohortPay's `shippingAddress`, as stored. */
export const kohortPayShippingBare = (address: KohortPayAddressBare | null | undefined): Fields | null | undefined =>
  address && {
    line1: address.addressLine1,
    line2: address.addressLine2,
    city: address.city,
    state: address.state,
    postal_code: address.postalCode,
    ...kohortPayCountry(address.country),
    company_name: address.companyName,
    vat_number: address.vatNumber,
    registration_number: address.registrationNumber,
  };

/** The native name of a customer KohortPay names: first and last names joined. */
export const fullNameBare = (first: string | null | undefined, last: string | null | undefined) =>
  [first, last].filter(Boolean).join(' ') || null;

/** Commerce Layer's customer resource (commercelayer/dialect.ts toCommerceLayer), under the collection URL given. */
export function commerceLayerResourceBare(item: Stored, collection: string) {
  const id = hexOf(item);
  const self = `${collection}/${id}`;
  return {
    id,
    type: 'customers',
    links: { self },
    attributes: {
      email: text(item, 'email'),
      status: 'prospect',
      has_password: item.password_hash !== undefined,
      created_at: text(item, 'created_at'),
      updated_at: text(item, 'updated_at'),
      reference: text(item, 'external_id'),
      reference_origin: text(item, 'reference_origin'),
      metadata: metadataOf(item) ?? {},
    },
    relationships: Object.fromEntries(
      RELATIONSHIPS.map((name) => [
        name,
        { links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` } },
      ]),
    ),
    meta: { mode: text(item, 'mode') === 'test' ? 'test' : 'live' },
  };
}

/** The collection URL as the client reached it (the dialect's own pure helper). */
export const collectionUrlBare = (event: BareHttpEvent) => collectionUrl({ ...event, headers: event.headers ?? {} });

/** Commerce Layer's customer document, linked where the client reached it. */
export const commerceLayerCustomerBare = (item: Stored, event: BareHttpEvent) => ({
  data: commerceLayerResourceBare(item, collectionUrlBare(event)),
});

/** The native contract's customer (customers/api.ts present): `created_at` in Unix seconds. */
export function nativeCustomerBare(item: Stored) {
  const address = item.shipping_address?.M;
  const line = (name: string) => address?.[name]?.S ?? null;
  return {
    id: text(item, 'id'),
    name: text(item, 'name'),
    email: text(item, 'email'),
    corporation_id: text(item, 'corporation_id'),
    external_id: text(item, 'external_id'),
    shipping_address: address
      ? {
          line1: line('line1'),
          line2: line('line2'),
          city: line('city'),
          state: line('state'),
          postal_code: line('postal_code'),
          country: line('country'),
        }
      : null,
    created_at: Math.floor(Date.parse(text(item, 'created_at') ?? '') / 1000),
    source_platform_id: text(item, 'source_platform_id'),
    source_platform: text(item, 'source_platform'),
  };
}

// Purchasers: one partition per person (`ORG#<trkref>#EMAIL#<email>`), the purchaser item and its
// purchases, whose sort keys begin with PURCHASE.

const personPartition = (trkref: string, email: string) => ({ S: `ORG#${trkref}#EMAIL#${email.trim().toLowerCase()}` });
const isoSeconds = () => `${new Date().toISOString().slice(0, 19)}Z`;

/**
 * The purchaser job of a request, as the real function does it: one consistent BatchGetItem of the
 * purchaser and the purchases named, then in parallel the purchaser written (the same attributes)
 * and each purchase not stored yet. With `existing`, only a purchaser that exists is written (an
 * update: undefined when there is none). The purchaser and the request's purchases, as now stored.
 */
export async function upsertPurchaserBare(
  trkref: string,
  rawEmail: string,
  fields: Record<string, string>,
  lines: { order_ref: string; sku: string }[],
  { existing = false } = {},
): Promise<{ purchaser: Stored; purchases: Stored[] } | undefined> {
  const email = rawEmail.trim().toLowerCase();
  const pk = personPartition(trkref, email);
  const now = { S: isoSeconds() };
  const purchaseKey = (l: { order_ref: string; sku: string }) => ({
    pk,
    sk: { S: `PURCHASE#${l.order_ref}#${l.sku}` },
  });
  const { Responses } = await dynamodb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: { Keys: [{ pk, sk: { S: 'PURCHASER' } }, ...lines.map(purchaseKey)], ConsistentRead: true },
      },
    }),
  );
  const stored = new Map((Responses?.[table] ?? []).map((item) => [item.sk?.S, item]));
  const found = stored.get('PURCHASER');
  if (existing && !found) return undefined;
  const purchaserId = found?.id ?? { S: `pur_${randomBytes(16).toString('hex')}` };
  const names = Object.keys(fields);
  const changes = names.map((_, i) => `#f${i} <> :f${i}`);
  const [purchaser, ...written] = await Promise.all([
    dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk, sk: { S: 'PURCHASER' } },
        UpdateExpression:
          'SET entity = :entity, trkref = :trkref, email = :email, updated_at = :now, ' +
          names.map((_, i) => `#f${i} = :f${i}, `).join('') +
          'id = if_not_exists(id, :id), created_at = if_not_exists(created_at, :now) ADD version :one',
        ConditionExpression: existing
          ? `id = :id AND (${changes.join(' OR ')})`
          : ['attribute_not_exists(pk)', ...changes].join(' OR '),
        ExpressionAttributeNames: Object.fromEntries(names.map((f, i) => [`#f${i}`, f])),
        ExpressionAttributeValues: {
          ':entity': { S: 'purchaser' },
          ':trkref': { S: trkref },
          ':email': { S: email },
          ':now': now,
          ':id': purchaserId,
          ':one': { N: '1' },
          ...Object.fromEntries(Object.values(fields).map((v, i) => [`:f${i}`, { S: v }])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
    ...lines
      .filter((l) => !stored.has(purchaseKey(l).sk.S))
      .map((l) =>
        dynamodb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: purchaseKey(l),
            UpdateExpression:
              'SET entity = :entity, trkref = :trkref, email = :email, purchaser_id = :pid, order_ref = :o, sku = :s, updated_at = :now, ' +
              'review_state = if_not_exists(review_state, :r), review_token = if_not_exists(review_token, :t), created_at = if_not_exists(created_at, :now)',
            ExpressionAttributeValues: {
              ':entity': { S: 'purchase' },
              ':trkref': { S: trkref },
              ':email': { S: email },
              ':pid': purchaserId,
              ':o': { S: l.order_ref },
              ':s': { S: l.sku },
              ':r': { S: 'not_reviewed' },
              ':t': { S: randomBytes(16).toString('base64url') },
              ':now': now,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      ),
  ]);
  for (const { Attributes } of written) if (Attributes) stored.set(Attributes.sk?.S, Attributes);
  return {
    purchaser: purchaser.Attributes ?? {},
    purchases: lines.flatMap((l) => stored.get(purchaseKey(l).sk.S) ?? ([] as Stored[])),
  };
}

/**
 * The purchaser's partition, as getPurchaser and listPurchases read it: a consistent Query of the
 * sort keys beginning PURCHASE (every page), the purchases newest first (registered, then order_ref
 * and sku).
 */
export async function purchaserPartitionBare(
  trkref: string,
  email: string,
): Promise<{ purchaser?: Stored; purchases: Stored[] }> {
  const items: Stored[] = [];
  let ExclusiveStartKey: Stored | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :family)',
        ExpressionAttributeValues: { ':pk': personPartition(trkref, email), ':family': { S: 'PURCHASE' } },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const order = (item: Stored) => [item.created_at?.S ?? '', item.sk?.S ?? ''] as const;
  const purchases = items
    .filter((item) => item.sk?.S !== 'PURCHASER')
    .sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] !== y[0] ? (x[0] > y[0] ? -1 : 1) : x[1] < y[1] ? -1 : 1;
    });
  const purchaser = items.find((item) => item.sk?.S === 'PURCHASER');
  return { ...(purchaser ? { purchaser } : {}), purchases };
}

const reviewLinks = createReviewLinks({
  baseUrl: process.env.REVIEW_BASE_URL ?? 'https://reviews.example.com',
  secret: process.env.REVIEW_URL_SECRET ?? '',
});

/** A purchase as the purchaser routes answer it: its review state and link (purchasers/api.ts presentPurchase). */
export function purchaseBare(trkref: string, item: Stored) {
  const token = text(item, 'review_token');
  const state = token ? (text(item, 'review_state') ?? 'undefined') : 'pending_order';
  const published = state === 'published' ? text(item, 'review_url') : null;
  const reviewUrl = published ?? (token && reviewLinks.questionnaireUrl(trkref, token));
  return {
    ...(item.purchase_date?.S ? { purchase_date: item.purchase_date.S } : {}),
    ...(item.contacted_at?.S ? { contacted_at: item.contacted_at.S } : {}),
    order_ref: text(item, 'order_ref'),
    sku: text(item, 'sku'),
    review_state: state,
    ...(reviewUrl ? { review_url: reviewUrl } : {}),
  };
}

/** The purchaser document, with the purchases given (purchasers/api.ts present). */
export const purchaserBare = (trkref: string, purchaser: Stored, purchases: Stored[]) => ({
  email: text(purchaser, 'email'),
  title: text(purchaser, 'title'),
  first_name: text(purchaser, 'first_name'),
  surname: text(purchaser, 'surname'),
  country: text(purchaser, 'country'),
  postcode: text(purchaser, 'postcode'),
  created_at: text(purchaser, 'created_at'),
  purchases: purchases.map((purchase) => purchaseBare(trkref, purchase)),
});

/**
 * erasePurchaser, bare: the partition read; its purchases deleted (BatchWriteItem) while the stored
 * answers filed under the purchaser go; one TransactWriteItems deleting the purchaser item (if
 * still its id) and putting the tombstone; then what concurrent requests added meanwhile (the
 * partition and the answers read again). False when there is no such purchaser.
 */
export async function erasePurchaserBare(trkref: string, email: string): Promise<boolean> {
  const { purchaser, purchases } = await purchaserPartitionBare(trkref, email);
  if (!purchaser?.id) return false;
  const id = purchaser.id;
  const subject = `ORG#${trkref}#REPLAYS#${id.S}`;
  await Promise.all([deleteItemsBare(purchases), forgetAnswersBare(subject)]);
  await dynamodb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Delete: { TableName: table, Key: keyOf(purchaser), ...condition('id = :id', { ':id': id }) } },
        {
          Put: {
            TableName: table,
            Item: {
              pk: { S: `ORG#${trkref}#PURCHASER#${id.S}` },
              sk: { S: 'PURCHASER' },
              entity: { S: 'purchaser-erased' },
              id,
              ...strings({ trkref, created_at: purchaser.created_at?.S, erased_at: isoSeconds() }),
              purchases: { N: String(purchases.length) },
            },
          },
        },
      ],
    }),
  );
  const [left] = await Promise.all([purchaserPartitionBare(trkref, email), forgetAnswersBare(subject)]);
  await deleteItemsBare(left.purchases.filter((item) => item.purchaser_id?.S === id.S));
  return true;
}

/** The items deleted, 25 a BatchWriteItem, the calls in parallel. */
async function deleteItemsBare(items: Stored[]): Promise<void> {
  const chunks: Stored[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    chunks.map((chunk) =>
      dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: { [table]: chunk.map((item) => ({ DeleteRequest: { Key: keyOf(item) } })) },
        }),
      ),
    ),
  );
}
