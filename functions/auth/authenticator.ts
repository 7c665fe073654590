// Authentication in each partner route's boundary (functions/http/route.ts): the API key behind the
// Authorization header, looked up in the table (api-keys.ts) and remembered by the container.
//
// The boundary authenticates, not an API Gateway authorizer, so that every answer is the API's
// own: an HTTP API authorizer with an identity source answers a request without the header itself,
// with a bare 401 and no problem document, request id or WWW-Authenticate, and a failing authorizer
// is a bare 500 where the API owes a 503.
//
// What is remembered is the stored key (its organisations, revocation and secret hash) by key id,
// for at most `ttlSeconds`: the secret is checked against the hash on every request, so a wrong
// secret never rides on a cached success, and a revocation is seen within that time. A key id is
// looked up once however many requests ask at the same time; a failed lookup is not remembered.
import type { Authenticate, Principal } from '../http/principal.ts';
import { container } from '../runtime/container.ts';
import type { Store } from '../store/client.ts';
import { checkSecret, findKey, type KeyRecord, parseAuthorization } from './api-keys.ts';

/** The longest a container trusts what it read about a key: revocation is visible within this. */
export const MAX_KEY_CACHE_SECONDS = 60;

export interface AuthenticatorOptions {
  readonly store: Store;
  /** How long a key read from the table is reused; 0 reads it on every request. At most 60. */
  readonly ttlSeconds: number;
  /** How many keys one container remembers (the oldest read is forgotten first). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const { store, ttlSeconds, maxKeys = 1_000, now = Date.now } = options;
  if (!(ttlSeconds >= 0 && ttlSeconds <= MAX_KEY_CACHE_SECONDS)) {
    throw new RangeError(`the key cache lasts 0 to ${MAX_KEY_CACHE_SECONDS} seconds, not ${ttlSeconds}`);
  }
  const ttlMs = ttlSeconds * 1_000;
  const cache = new Map<string, { readonly record: Promise<KeyRecord | undefined>; readonly expires: number }>();

  const lookup = (keyId: string): Promise<KeyRecord | undefined> => {
    const at = now();
    const cached = cache.get(keyId);
    if (cached && cached.expires > at) return cached.record;
    const record = findKey(store, keyId);
    if (ttlMs > 0) {
      cache.delete(keyId);
      cache.set(keyId, { record, expires: at + ttlMs });
      if (cache.size > maxKeys) cache.delete(cache.keys().next().value as string);
      // A store failure is answered 503 now and tried again by the next request, not remembered.
      record.catch(() => {
        if (cache.get(keyId)?.record === record) cache.delete(keyId);
      });
    }
    return record;
  };

  return async (authorization) => {
    const credentials = parseAuthorization(authorization);
    if (typeof credentials === 'string') return credentials;
    const verdict = checkSecret(await lookup(credentials.keyId), credentials.secret);
    if (!verdict.ok) return verdict.reason;
    const { id, orgs, platform } = verdict.key;
    return { keyId: id, orgs, platform } satisfies Principal;
  };
}

let shared: Authenticate | undefined;

/**
 * The container's authenticator, over its store. `API_KEY_CACHE_SECONDS` sets the cache (60 when
 * unset, the most allowed); the local server sets 0, so a revoked key stops at the next request.
 */
export function containerAuthenticator(): Authenticate {
  const configured = process.env.API_KEY_CACHE_SECONDS;
  shared ??= createAuthenticator({
    store: container().store,
    ttlSeconds: configured === undefined || configured === '' ? MAX_KEY_CACHE_SECONDS : Number(configured),
  });
  return shared;
}
