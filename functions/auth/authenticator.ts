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
//
// With RATE_LIMIT set, each authenticated call is counted against its key (rate-limit.ts) and one
// over the limit is a 429, thrown as a problem before the route does anything else.
import type { Authenticate, AuthFailure, Principal } from '../http/principal.ts';
import { container } from '../runtime/container.ts';
import { containerKeys } from '../runtime/secrets.ts';
import type { Store } from '../store/client.ts';
import { type Credentials, checkSecret, findKey, type KeyRecord, parseAuthorization } from './api-keys.ts';
import { containerRateLimiter, type RateLimiter } from './rate-limit.ts';
import { createTokenSigner, type TokenSigner } from './tokens.ts';

/** The longest a container trusts what it read about a key: revocation is visible within this. */
export const MAX_KEY_CACHE_SECONDS = 60;

export interface AuthenticatorOptions {
  readonly store: Store;
  /** How long a key read from the table is reused; 0 reads it on every request. At most 60. */
  readonly ttlSeconds: number;
  /** How many keys one container remembers (the oldest read is forgotten first). */
  readonly maxKeys?: number;
  readonly now?: () => number;
  /** Counts each authenticated call against its key's limit (rate-limit.ts); none when absent. */
  readonly rateLimit?: RateLimiter;
}

/** The stored key for an id, remembered by the container for the cache's lifetime. */
export type KeyLookup = (keyId: string) => Promise<KeyRecord | undefined>;

export function createKeyLookup(options: AuthenticatorOptions): KeyLookup {
  const { store, ttlSeconds, maxKeys = 1_000, now = Date.now } = options;
  if (!(ttlSeconds >= 0 && ttlSeconds <= MAX_KEY_CACHE_SECONDS)) {
    throw new RangeError(`the key cache lasts 0 to ${MAX_KEY_CACHE_SECONDS} seconds, not ${ttlSeconds}`);
  }
  const ttlMs = ttlSeconds * 1_000;
  const cache = new Map<string, { readonly record: Promise<KeyRecord | undefined>; readonly expires: number }>();

  return (keyId) => {
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
}

/** The caller behind an API key's id and secret, however they were sent. */
export type CheckKey = (credentials: Credentials) => Promise<Principal | AuthFailure>;

export function createKeyChecker(options: AuthenticatorOptions): CheckKey {
  const lookup = createKeyLookup(options);
  return async (credentials) => {
    const verdict = checkSecret(await lookup(credentials.keyId), credentials.secret);
    if (!verdict.ok) return verdict.reason;
    // Counted once the secret is proven, not alongside the lookup: a key id is no secret (logs and
    // Basic headers carry it), and wrong secrets must not spend its partner's calls. The lookup is
    // cached, so this costs a serial round trip only when the key is read from the table.
    const refused = await options.rateLimit?.(verdict.key.id);
    if (refused) throw refused;
    const { id, orgs, platform, mode } = verdict.key;
    return { keyId: id, orgs, platform, mode } satisfies Principal;
  };
}

/** Authenticates API keys (`Authorization: Bearer <key id>.<secret>` or Basic). */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const check = createKeyChecker(options);
  return async (authorization) => {
    const credentials = parseAuthorization(authorization);
    return typeof credentials === 'string' ? credentials : check(credentials);
  };
}

/**
 * Authenticates access tokens (`Authorization: Bearer <token>`, from tokens.ts): the signature and
 * expiry are checked without the table; the key behind the token is looked up as for API keys, so
 * a revoked key's tokens stop working within the same cache bound.
 */
export function createTokenAuthenticator(
  options: AuthenticatorOptions & { readonly signer: TokenSigner },
): Authenticate {
  const lookup = createKeyLookup(options);
  const { signer, now = Date.now } = options;
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') return 'missing';
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return 'malformed';
    const principal = signer.verify(match[1] ?? '', now());
    if (typeof principal === 'string') return principal;
    // The signature has proven the key id, so its call is counted alongside the lookup.
    const [record, refused] = await Promise.all([lookup(principal.keyId), options.rateLimit?.(principal.keyId)]);
    if (!record) return 'unknown';
    if (record.key.revoked_at) return 'revoked';
    if (refused) throw refused;
    return principal;
  };
}

const cacheSeconds = () => {
  const configured = process.env.API_KEY_CACHE_SECONDS;
  return configured === undefined || configured === '' ? MAX_KEY_CACHE_SECONDS : Number(configured);
};

let shared: Authenticate | undefined;

/**
 * The container's authenticator, over its store. `API_KEY_CACHE_SECONDS` sets the cache (60 when
 * unset, the most allowed); the local server sets 0, so a revoked key stops at the next request.
 */
export function containerAuthenticator(): Authenticate {
  shared ??= createAuthenticator({
    store: container().store,
    ttlSeconds: cacheSeconds(),
    rateLimit: containerRateLimiter(),
  });
  return shared;
}

let sharedChecker: CheckKey | undefined;

/** The container's key checker (the token endpoint's), with the same cache as above. */
export function containerKeyChecker(): CheckKey {
  sharedChecker ??= createKeyChecker({
    store: container().store,
    ttlSeconds: cacheSeconds(),
    rateLimit: containerRateLimiter(),
  });
  return sharedChecker;
}

let sharedTokens: Authenticate | undefined;

/** The container's token authenticator: TOKEN_SIGNING_SECRET's keys verify, the key cache as above. */
export function containerTokenAuthenticator(): Authenticate {
  sharedTokens ??= createTokenAuthenticator({
    store: container().store,
    ttlSeconds: cacheSeconds(),
    signer: containerTokenSigner(),
    rateLimit: containerRateLimiter(),
  });
  return sharedTokens;
}

let signer: TokenSigner | undefined;

/** The container's token signer, under TOKEN_SIGNING_SECRET's keys (functions/runtime/secrets.ts). */
export function containerTokenSigner(): TokenSigner {
  signer ??= createTokenSigner(containerKeys('TOKEN_SIGNING_SECRET'));
  return signer;
}
