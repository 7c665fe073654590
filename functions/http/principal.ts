// Who is calling: what the authorizer (functions/auth/authorizer.ts) finds out about the API key,
// and how the boundary reads it back from API Gateway's authorizer context. The context travels
// as strings only, so organisation ids (which cannot contain commas) are joined with commas.

export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'revoked';

export interface Principal {
  readonly keyId: string;
  /** The organisations the key may act for. */
  readonly orgs: readonly string[];
  /** The partner platform the key belongs to, if it has one. */
  readonly platform: string | null;
}

export type AuthorizerContext =
  | { authenticated: 'true'; key_id: string; orgs: string; platform: string }
  | { authenticated: 'false'; reason: AuthFailure };

export const contextFor = (outcome: Principal | AuthFailure): AuthorizerContext =>
  typeof outcome === 'string'
    ? { authenticated: 'false', reason: outcome }
    : { authenticated: 'true', key_id: outcome.keyId, orgs: outcome.orgs.join(','), platform: outcome.platform ?? '' };

/** The authorizer's context as it reaches a function: whatever API Gateway passed, if anything. */
export type ReceivedAuthorizerContext = Readonly<Record<string, unknown>> | undefined;

/**
 * The caller as the authorizer described it. No authorizer context at all (a route deployed
 * without the authorizer) counts as a missing key: the check fails closed.
 */
export function principalFrom(context: ReceivedAuthorizerContext): Principal | AuthFailure {
  if (!context) return 'missing';
  if (context.authenticated !== 'true') {
    const reason = context.reason;
    return reason === 'malformed' || reason === 'unknown' || reason === 'revoked' ? reason : 'missing';
  }
  return {
    keyId: String(context.key_id),
    orgs: String(context.orgs ?? '')
      .split(',')
      .filter(Boolean),
    platform: typeof context.platform === 'string' && context.platform !== '' ? context.platform : null,
  };
}
