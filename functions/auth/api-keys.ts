// Partner API keys: minted by ops (bin/apikey.ts), checked by the authorizer on every request.
//
// A key has a public id (`key_` + 96 random bits) and a secret (256 random bits). Only the
// SHA-256 of the secret is stored: the secret is shown once, at creation, and never logged. With
// that much entropy a fast hash is as safe as a slow one, and costs nothing per request. Partners
// present the key either way:
//
//   Authorization: Bearer <key id>.<secret>
//   Authorization: Basic base64(<key id>:<secret>)
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { lookupIndex, registryTable } from '../../lib/table.ts';
import { API_KEY_SK, API_KEYS_INDEX_PK, apiKeyKey, isOrgId } from '../shared/keys.ts';
import type { AuthFailure } from '../shared/principal.ts';
import { queryAll, type Store } from '../shared/store.ts';

const PK = registryTable.partitionKey;
const SK = registryTable.sortKey;

export const KEY_ID_PATTERN = /^key_[0-9a-f]{24}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** How many organisations one key may act for. */
export const MAX_KEY_ORGS = 100;

export interface ApiKey {
  readonly id: string;
  readonly label: string | null;
  /** The organisations (trkref / corporation_id) this key may act for. */
  readonly orgs: readonly string[];
  /** Partner platform name, recorded as `source_platform` on the customers it creates. */
  readonly platform: string | null;
  readonly created_at: string;
  readonly revoked_at: string | null;
}

export interface NewApiKey {
  readonly key: ApiKey;
  /** Shown once; only its hash is stored. */
  readonly secret: string;
  /** `<key id>.<secret>`, for `Authorization: Bearer`. */
  readonly token: string;
}

export interface Credentials {
  readonly keyId: string;
  readonly secret: string;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();
const NO_HASH = Buffer.alloc(32);

/** Reads an Authorization header in either scheme; schemes are case-insensitive (RFC 9110). */
export function parseAuthorization(header: string | undefined): Credentials | 'missing' | 'malformed' {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return 'malformed';
  const [, scheme, value] = match as unknown as [string, string, string];
  let keyId: string | undefined;
  let secret: string | undefined;
  if (scheme.toLowerCase() === 'bearer') {
    const parts = value.split('.');
    if (parts.length !== 2) return 'malformed';
    [keyId, secret] = parts;
  } else if (scheme.toLowerCase() === 'basic') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return 'malformed';
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed';
    keyId = decoded.slice(0, colon);
    secret = decoded.slice(colon + 1);
  }
  if (!keyId || !secret || !KEY_ID_PATTERN.test(keyId) || !SECRET_PATTERN.test(secret)) return 'malformed';
  return { keyId, secret };
}

/** The key behind an Authorization header, or why there is none. */
export async function authenticate(
  store: Store,
  header: string | undefined,
): Promise<{ ok: true; key: ApiKey } | { ok: false; reason: AuthFailure }> {
  const credentials = parseAuthorization(header);
  if (typeof credentials === 'string') return { ok: false, reason: credentials };
  const item = await getApiKeyItem(store, credentials.keyId);
  // Constant-time comparison of the hashes; an unknown id is compared against a dummy hash so
  // both paths do the same work.
  const expected = typeof item?.secret_hash === 'string' ? Buffer.from(item.secret_hash, 'base64url') : NO_HASH;
  const presented = hashSecret(credentials.secret);
  const matches = expected.length === presented.length && timingSafeEqual(expected, presented);
  if (!item || !matches) return { ok: false, reason: 'unknown' };
  const key = toApiKey(item);
  if (key.revoked_at) return { ok: false, reason: 'revoked' };
  return { ok: true, key };
}

export async function createApiKey(
  store: Store,
  input: { orgs: readonly string[]; label?: string | null; platform?: string | null },
  now: Date = new Date(),
): Promise<NewApiKey> {
  const orgs = [...new Set(input.orgs)];
  if (orgs.length === 0 || orgs.length > MAX_KEY_ORGS || !orgs.every(isOrgId)) {
    throw new RangeError(`a key needs 1 to ${MAX_KEY_ORGS} organisation ids of letters, digits, "_" or "-"`);
  }
  const id = `key_${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const key: ApiKey = {
    id,
    label: input.label ?? null,
    orgs,
    platform: input.platform ?? null,
    created_at: now.toISOString(),
    revoked_at: null,
  };
  await store.doc.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        [PK]: apiKeyKey(id),
        [SK]: API_KEY_SK,
        [lookupIndex.partitionKey]: API_KEYS_INDEX_PK,
        [lookupIndex.sortKey]: `${key.created_at}#${id}`,
        entity: 'api_key',
        ...key,
        // Absent, not null, until revocation sets it (revoke writes it only if absent).
        revoked_at: undefined,
        secret_hash: hashSecret(secret).toString('base64url'),
      },
      ConditionExpression: `attribute_not_exists(${PK})`,
    }),
  );
  return { key, secret, token: `${id}.${secret}` };
}

export async function getApiKey(store: Store, id: string): Promise<ApiKey | undefined> {
  if (!KEY_ID_PATTERN.test(id)) return undefined;
  const item = await getApiKeyItem(store, id);
  return item && toApiKey(item);
}

/** Every key, oldest first. */
export async function listApiKeys(store: Store): Promise<ApiKey[]> {
  const items = await queryAll(store, {
    IndexName: lookupIndex.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': lookupIndex.partitionKey },
    ExpressionAttributeValues: { ':pk': API_KEYS_INDEX_PK },
  });
  return items.map(toApiKey);
}

/** Revokes a key for good. Undefined when there is no such key; revoking twice keeps the first time. */
export async function revokeApiKey(store: Store, id: string, now: Date = new Date()): Promise<ApiKey | undefined> {
  if (!KEY_ID_PATTERN.test(id)) return undefined;
  try {
    const output = await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { [PK]: apiKeyKey(id), [SK]: API_KEY_SK },
        UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :now)',
        ConditionExpression: `attribute_exists(${PK})`,
        ExpressionAttributeValues: { ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toApiKey(output.Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

async function getApiKeyItem(store: Store, id: string) {
  const output = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: { [PK]: apiKeyKey(id), [SK]: API_KEY_SK }, ConsistentRead: true }),
  );
  return output.Item;
}

function toApiKey(item: Record<string, unknown>): ApiKey {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    id: item.id as string,
    label: text(item.label),
    orgs: (item.orgs as string[] | undefined) ?? [],
    platform: text(item.platform),
    created_at: item.created_at as string,
    revoked_at: text(item.revoked_at),
  };
}
