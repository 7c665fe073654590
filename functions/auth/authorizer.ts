// The HTTP API Lambda authorizer (simple responses) in front of every partner route.
//
// It looks the presented key up and describes the caller in the authorizer context. It does not
// deny: API Gateway would answer a denial with a bare `403 {"message":"Forbidden"}`, while the
// contract wants a 401 problem document with WWW-Authenticate, which the handler's boundary
// (functions/http/route.ts) sends when the context says the key is not valid. API Gateway caches
// this answer per Authorization header (at most 5 minutes, see the stack).
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { type AuthorizerContext, contextFor } from '../http/principal.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { authenticate } from './api-keys.ts';

export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>>;

export function createAuthorizer(deps: { readonly store: Store; readonly log: Logger }): AuthorizerHandler {
  return async (event) => {
    const result = await authenticate(deps.store, event.headers?.authorization);
    const context = contextFor(
      result.ok ? { keyId: result.key.id, orgs: result.key.orgs, platform: result.key.platform } : result.reason,
    );
    // The key id is not a secret; the header, token and secret are never logged.
    deps.log.info('authorize', {
      request_id: event.requestContext?.requestId,
      route: event.routeKey,
      ...(result.ok ? { key_id: result.key.id, outcome: 'ok' } : { outcome: result.reason }),
    });
    return { isAuthorized: true, context };
  };
}
