// Partner API keys: minted by ops (bin/apikey.ts), checked in every partner route's boundary
// (authenticator.ts).
//
// A key has a public id (`key_` + 96 random bits) and a secret (256 random bits). Only the
// SHA-256 of the secret is stored: the secret is shown once, at creation, and never logged. With
// that much entropy a fast hash is as safe as a slow one, and costs nothing per request. Partners
// present the key either way:
//
//   Authorization: Bearer <key id>.<secret>
//   Authorization: Basic base64(<key id>:<secret>)
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { registryTable } from '../../contract/table.ts';
import type { AuthFailure, KeyMode } from '../http/principal.ts';
import type { Store } from '../store/client.ts';
import { decoder, encode, read } from '../store/codec.ts';
import { apiKeyIndexKey, apiKeyKey, isOrgId } from '../store/keys.ts';
import { getItem, queryPartition } from '../store/read.ts';
import { itemAbsent, itemExists, writeItem } from '../store/write.ts';

const KEY_ID_PATTERN = /^key_[0-9a-f]{24}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** How many organisations one key may act for. */
const MAX_KEY_ORGS = 100;

export interface ApiKey {
  readonly id: string;
  readonly label: string | null;
  /** The organisations (trkref / corporation_id) this key may act for. */
  readonly orgs: readonly string[];
  /** Partner platform name, recorded as `source_platform` on the customers it creates. */
  readonly platform: string | null;
  /** `live` unless created with `--mode test`; keys made before modes existed are live. */
  readonly mode: KeyMode;
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
  const [, scheme = '', value = ''] = match;
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
  return credentialsOf(keyId, secret);
}

/** A key id and secret as sent (an Authorization header, a token request's body), if they can be one. */
export function credentialsOf(keyId: string | undefined, secret: string | undefined): Credentials | 'malformed' {
  if (!keyId || !secret || !KEY_ID_PATTERN.test(keyId) || !SECRET_PATTERN.test(secret)) return 'malformed';
  return { keyId, secret };
}

/** A stored key and the hash of its secret: what a presented secret is checked against. */
export interface KeyRecord {
  readonly key: ApiKey;
  readonly secretHash: Buffer;
}

/** The key stored under `keyId`, if any (one GetItem). */
export async function findKey(store: Store, keyId: string): Promise<KeyRecord | undefined> {
  const item = await getItem(store, apiKeyKey(keyId));
  if (!item || typeof item.secret_hash !== 'string') return undefined;
  return { key: toApiKey(item), secretHash: Buffer.from(item.secret_hash, 'base64url') };
}

export type Verdict = { ok: true; key: ApiKey } | { ok: false; reason: AuthFailure };

/**
 * Whether `secret` is the secret of `record`. The hashes are compared in constant time, and an
 * unknown key is compared against a dummy hash, so both paths do the same work.
 */
export function checkSecret(record: KeyRecord | undefined, secret: string): Verdict {
  const expected = record?.secretHash ?? NO_HASH;
  const presented = hashSecret(secret);
  const matches = expected.length === presented.length && timingSafeEqual(expected, presented);
  if (!record || !matches) return { ok: false, reason: 'unknown' };
  if (record.key.revoked_at) return { ok: false, reason: 'revoked' };
  return { ok: true, key: record.key };
}

/** The key behind an Authorization header, or why there is none (no cache: see authenticator.ts). */
export async function authenticate(store: Store, header: string | undefined): Promise<Verdict> {
  const credentials = parseAuthorization(header);
  if (typeof credentials === 'string') return { ok: false, reason: credentials };
  return checkSecret(await findKey(store, credentials.keyId), credentials.secret);
}

export async function createApiKey(
  store: Store,
  input: { orgs: readonly string[]; label?: string | null; platform?: string | null; mode?: KeyMode },
  now: Date = new Date(),
): Promise<NewApiKey> {
  if (input.mode !== undefined && input.mode !== 'live' && input.mode !== 'test') {
    throw new RangeError(`a key's mode is live or test, not ${String(input.mode)}`);
  }
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
    mode: input.mode ?? 'live',
    created_at: now.toISOString(),
    revoked_at: null,
  };
  const result = await writeItem(store, {
    put: {
      ...apiKeyKey(id),
      ...apiKeyIndexKey(key.created_at, id),
      entity: 'api_key',
      // revoked_at is absent, not null, until revocation sets it (revoke writes it only if absent).
      ...encode(key),
      secret_hash: hashSecret(secret).toString('base64url'),
    },
    condition: itemAbsent,
  });
  // Never hand out a secret that was not stored (an id collision leaves the existing key as it was).
  // The stored hash being this secret's means our own write, found by the SDK's retry of it.
  const ours = result.written || result.old?.secret_hash === hashSecret(secret).toString('base64url');
  if (!ours) throw new Error(`API key ${id} already exists`);
  return { key, secret, token: `${id}.${secret}` };
}

/** Every key, oldest first. */
export async function listApiKeys(store: Store): Promise<ApiKey[]> {
  const items = await queryPartition(store, { index: true, partition: registryTable.apiKeysIndexPartition });
  return items.map(toApiKey);
}

/** Revokes a key for good. Undefined when there is no such key; revoking twice keeps the first time. */
export async function revokeApiKey(store: Store, id: string, now: Date = new Date()): Promise<ApiKey | undefined> {
  if (!KEY_ID_PATTERN.test(id)) return undefined;
  const result = await writeItem(store, {
    update: apiKeyKey(id),
    changes: { setIfAbsent: { revoked_at: now.toISOString() } },
    condition: itemExists,
    returnNew: true,
  });
  return result.written && result.item ? toApiKey(result.item) : undefined;
}

const toApiKey = decoder<ApiKey>({
  id: read.string,
  label: read.text,
  orgs: read.strings,
  platform: read.text,
  mode: (value) => (value === 'test' ? 'test' : 'live'),
  created_at: read.string,
  revoked_at: read.text,
});
