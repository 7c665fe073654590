// What the bare twins share: one plain DynamoDB client per container, the table name, a response,
// the two credential checks partner routes make (an API key; an access token), the customer item
// every customer route writes and reads, and the two dialects' customer documents.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TOKEN_LIFETIME_SECONDS, TOKEN_SCOPE } from '../../functions/auth/tokens.ts';
import { collectionUrl, RELATIONSHIPS } from '../../functions/commercelayer/dialect.ts';

export const dynamodb = new DynamoDBClient({});
export const table = process.env.TABLE_NAME!;

export const json = (statusCode: number, body: unknown, contentType = 'application/json') => ({
  statusCode,
  headers: { 'content-type': contentType },
  body: JSON.stringify(body),
});

/** An item as the plain client gives and takes it. */
export type Stored = Record<string, AttributeValue>;

/** An HTTP API request, as much of it as the twins read. */
export interface BareHttpEvent {
  readonly body?: string;
  readonly headers?: Record<string, string | undefined>;
  readonly pathParameters?: Record<string, string | undefined>;
  readonly rawPath: string;
  readonly requestContext: { readonly domainName: string };
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

/** The organisation a request acts for: the one `X-Organisation-Id` names if the key has it, else the key's only one. */
export function organisationBare(principal: BarePrincipal, headers: BareHttpEvent['headers']): string | undefined {
  const named = headers?.['x-organisation-id']?.trim();
  if (named) return principal.orgs.includes(named) ? named : undefined;
  return principal.orgs.length === 1 ? principal.orgs[0] : undefined;
}

/**
 * Who calls a dialect route and for which organisation (its API key or access token, then
 * X-Organisation-Id), or the status that refuses it.
 */
export async function dialectCallerBare(
  event: BareHttpEvent,
  credential: 'api-key' | 'token',
): Promise<{ principal: BarePrincipal; org: string } | 401 | 403> {
  const principal = await (credential === 'token' ? authenticateTokenBare : authenticateBare)(event.headers);
  if (!principal) return 401;
  const org = organisationBare(principal, event.headers);
  return org ? { principal, org } : 403;
}

type Fields = Record<string, string | null | undefined>;

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

/**
 * The customer create of every dialect (customers/customers.ts createCustomer): one conditional
 * PutItem of the same item (person key, id-index key, every field sent, addresses with their ids,
 * who created it and when, metadata as JSON text). The item as stored, or undefined when the email
 * is taken.
 */
export async function createCustomerBare(customer: NewCustomerBare): Promise<Stored | undefined> {
  const { org, principal } = customer;
  const id = `cust_${randomBytes(16).toString('hex')}`;
  const at = new Date().toISOString();
  const email = customer.email.trim().toLowerCase();
  const addresses = Object.entries(customer.addresses ?? {}).flatMap(([name, address]) =>
    address ? [[name, { M: strings({ id: `adr_${randomBytes(12).toString('hex')}`, ...address }) }]] : [],
  );
  const item: Stored = {
    pk: { S: `ORG#${org}#EMAIL#${email}` },
    sk: { S: 'CUSTOMER' },
    gsi1pk: { S: `ORG#${org}#CUSTOMER#${id}` },
    gsi1sk: { S: 'CUSTOMER' },
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
  };
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return item;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** The customer stored under `id` (`cust_…`) in `org`: one Query of the id index, as getCustomerById makes it. */
export async function customerByIdBare(org: string, id: string): Promise<Stored | undefined> {
  const { Items } = await dynamodb.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'gsi1pk' },
      ExpressionAttributeValues: { ':pk': { S: `ORG#${org}#CUSTOMER#${id}` } },
    }),
  );
  return Items?.[0];
}

const text = (item: Stored, name: string) => item[name]?.S ?? null;
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

export const JSON_API = 'application/vnd.api+json';

/** Commerce Layer's customer resource (commercelayer/dialect.ts toCommerceLayer), linked where the client reached it. */
export function commerceLayerCustomerBare(item: Stored, event: BareHttpEvent) {
  const id = hexOf(item);
  const self = `${collectionUrl({ ...event, headers: event.headers ?? {} })}/${id}`;
  return {
    data: {
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
    },
  };
}

/**
 * The purchaser job for a request with purchases, as the real function does it: one consistent
 * read of the purchaser and its purchases, then the purchaser and each purchase written (the same
 * attributes), in parallel.
 */
export async function upsertPurchaserBare(
  trkref: string,
  rawEmail: string,
  fields: Record<string, string>,
  lines: { order_ref: string; sku: string }[],
) {
  const email = rawEmail.trim().toLowerCase();
  const pk = { S: `ORG#${trkref}#EMAIL#${email}` };
  const now = { S: `${new Date().toISOString().slice(0, 19)}Z` };
  const purchaserId = { S: `pur_${randomBytes(16).toString('hex')}` };
  await dynamodb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [table]: {
          Keys: [
            { pk, sk: { S: 'PURCHASER' } },
            ...lines.map((l) => ({ pk, sk: { S: `PURCHASE#${l.order_ref}#${l.sku}` } })),
          ],
          ConsistentRead: true,
        },
      },
    }),
  );
  const names = Object.keys(fields);
  await Promise.all([
    dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk, sk: { S: 'PURCHASER' } },
        UpdateExpression:
          'SET entity = :entity, trkref = :trkref, email = :email, updated_at = :now, ' +
          names.map((_, i) => `#f${i} = :f${i}, `).join('') +
          'id = if_not_exists(id, :id), created_at = if_not_exists(created_at, :now) ADD version :one',
        ConditionExpression: ['attribute_not_exists(pk)', ...names.map((_, i) => `#f${i} <> :f${i}`)].join(' OR '),
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
    ...lines.map((l) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk, sk: { S: `PURCHASE#${l.order_ref}#${l.sku}` } },
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
}
