// Who is calling, as the boundary (route.ts) knows it: the partner behind the API key, or why the
// request has none. Finding that out is the job of an Authenticate function given to the route
// (functions/auth/authenticator.ts looks keys up in the table).

export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired';

/** Test keys and live keys are told apart in what they create (`livemode`, `meta.mode`). */
export type KeyMode = 'live' | 'test';

export interface Principal {
  readonly keyId: string;
  /** The organisations the key may act for. */
  readonly orgs: readonly string[];
  /** The partner platform the key belongs to, if it has one. */
  readonly platform: string | null;
  readonly mode: KeyMode;
}

/** The caller behind an Authorization header (undefined when there is none), or why there is no caller. */
export type Authenticate = (authorization: string | undefined) => Promise<Principal | AuthFailure>;
