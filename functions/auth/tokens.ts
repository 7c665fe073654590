// Access tokens, for clients that trade their credentials for a bearer token first (the Commerce
// Layer dialect's client-credentials grant). A token is a JWT signed with HMAC-SHA256 under the
// deployment's TOKEN_SIGNING_SECRET: it carries the key's id, organisations and mode, so checking
// it needs no table read. Whether its key has since been revoked is checked apart, through the
// same per-container key cache as API keys (authenticator.ts), so a revoked key's tokens stop
// within that bound, as its key does. The current key signs and every key still accepted verifies
// (functions/runtime/keys.ts), so rotating the key breaks no token already issued.
//
// The claims follow Commerce Layer's own tokens where a client may read them (`organization.slug`
// for a one-organisation key, `application.kind`, `test`, `scope`), so its libraries' token helpers
// keep working.
import { createHmac } from 'node:crypto';
import type { AuthFailure, KeyMode, Principal } from '../http/principal.ts';
import { type Keys, keyList, signedByAny } from '../runtime/keys.ts';

/** How long a token lasts: Commerce Layer's integration tokens last two hours too. */
export const TOKEN_LIFETIME_SECONDS = 7200;
/** The only scope there is: a token may do whatever its key may. */
export const TOKEN_SCOPE = 'market:all';
const ISSUER = 'purchaser-registry';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
const MAX_TOKEN_LENGTH = 8192;

export interface IssuedToken {
  readonly token: string;
  /** Unix seconds. */
  readonly issuedAt: number;
  readonly expiresIn: number;
}

export interface TokenSigner {
  issue(principal: Principal, now: Date): IssuedToken;
  /** The caller a token stands for, or why it stands for none (its key's revocation is not checked here). */
  verify(token: string, nowMs: number): Principal | Exclude<AuthFailure, 'missing' | 'revoked'>;
}

/** `secret` is TOKEN_SIGNING_SECRET's key or keys: the first signs, every one verifies. */
export function createTokenSigner(secret: Keys, lifetimeSeconds = TOKEN_LIFETIME_SECONDS): TokenSigner {
  const keys = keyList('TOKEN_SIGNING_SECRET', secret);
  const sign = (key: string, data: string) => createHmac('sha256', key).update(data).digest('base64url');
  return {
    issue(principal, now) {
      const iat = Math.floor(now.getTime() / 1000);
      const [only] = principal.orgs;
      const claims = {
        iss: ISSUER,
        sub: principal.keyId,
        iat,
        exp: iat + lifetimeSeconds,
        scope: TOKEN_SCOPE,
        orgs: principal.orgs,
        mode: principal.mode,
        platform: principal.platform,
        test: principal.mode === 'test',
        application: { kind: 'integration', public: false },
        ...(principal.orgs.length === 1 ? { organization: { id: `org_${only}`, slug: only } } : {}),
      };
      const data = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return { token: `${data}.${sign(keys()[0], data)}`, issuedAt: iat, expiresIn: lifetimeSeconds };
    },
    verify(token, nowMs) {
      if (token.length > MAX_TOKEN_LENGTH || !JWT.test(token)) return 'malformed';
      const end = token.lastIndexOf('.');
      const data = token.slice(0, end);
      // Compared as text: base64url leaves the last character's low bits unused, and decoding would
      // let four spellings of one signature pass. Only the token as issued verifies.
      if (!signedByAny(keys(), token.slice(end + 1), (key) => sign(key, data))) return 'unknown';
      // Signed by us: the claims are ours, shaped as issue() wrote them.
      const [header, payload] = data.split('.') as [string, string];
      if (header !== HEADER) return 'unknown';
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        sub: string;
        exp: number;
        orgs: string[];
        mode: KeyMode;
        platform: string | null;
      };
      if (claims.exp * 1000 <= nowMs) return 'expired';
      return { keyId: claims.sub, orgs: claims.orgs, mode: claims.mode, platform: claims.platform };
    },
  };
}
