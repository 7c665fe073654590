// Commerce Layer's routes (under /compat/commercelayer), as HTTP handlers: the client-credentials
// token endpoint, and its customers over the customer domain (customers/customers.ts) through the
// dialect's mappers (dialect.ts). Customer routes take the token (auth `token`); the organisation is
// the key's (X-Organisation-Id for a key with several).
import {
  commerceLayerCreateCustomerRow,
  commerceLayerGetCustomerRow,
  commerceLayerTokenRow,
} from '../../contract/routes.ts';
import { credentialsOf, parseAuthorization } from '../auth/api-keys.ts';
import type { CheckKey } from '../auth/authenticator.ts';
import { TOKEN_SCOPE, type TokenSigner } from '../auth/tokens.ts';
import { type CustomerDeps, createCustomer, DuplicateCustomerError, getCustomerById } from '../customers/customers.ts';
import { storedId } from '../customers/ids.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import type { Authenticate } from '../http/principal.ts';
import { notFound, Problem, unauthenticated, validationFailed } from '../http/problem.ts';
import { jsonRoute, plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { collectionUrl, fromCommerceLayer, toCommerceLayer } from './dialect.ts';
import { commerceLayerErrors, JSON_API, tokenErrors } from './errors.ts';
import { customerDocument, customerPath, tokenRequest } from './schema.ts';

export interface TokenRouteDeps {
  readonly log: Logger;
  readonly checkKey: CheckKey;
  readonly signer: TokenSigner;
  readonly now: () => Date;
}

/**
 * POST /compat/commercelayer/oauth/token: an API key's id and secret (as `client_id` and
 * `client_secret`, in a JSON or form body, or by HTTP Basic) for a signed access token.
 */
export function commerceLayerTokenRoute(deps: TokenRouteDeps) {
  return jsonRoute(commerceLayerTokenRow, {
    log: deps.log,
    body: tokenRequest,
    forms: true,
    errorFormat: tokenErrors,
    async handle({ body, event }) {
      if (body.grant_type !== 'client_credentials') {
        throw new Problem(
          400,
          'unsupported-grant-type',
          'Unsupported grant type',
          'The only grant type is client_credentials.',
        );
      }
      const credentials =
        body.client_id !== undefined || body.client_secret !== undefined
          ? credentialsOf(body.client_id, body.client_secret)
          : parseAuthorization(event.headers.authorization);
      const principal = typeof credentials === 'string' ? credentials : await deps.checkKey(credentials);
      if (typeof principal === 'string') throw unauthenticated(principal === 'missing' ? 'missing' : 'unknown');
      const issued = deps.signer.issue(principal, deps.now());
      return {
        statusCode: 200,
        body: {
          access_token: issued.token,
          token_type: 'bearer',
          expires_in: issued.expiresIn,
          scope: TOKEN_SCOPE,
          created_at: issued.issuedAt,
        },
      };
    },
  });
}

export interface CommerceLayerRouteDeps {
  readonly store: Store;
  readonly log: Logger;
  /** Checks access tokens (authenticator.ts createTokenAuthenticator). */
  readonly authenticate: Authenticate;
}

/** POST /compat/commercelayer/api/customers. */
export function commerceLayerCreateCustomerRoute(deps: CommerceLayerRouteDeps & CustomerDeps) {
  return jsonRoute(commerceLayerCreateCustomerRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    body: customerDocument,
    mediaType: JSON_API,
    organisation: 'credential',
    idempotency: idempotencyIn(deps.store),
    errorFormat: commerceLayerErrors,
    async handle({ body, organisation = '', principal, event }) {
      try {
        const customer = await createCustomer(deps.store, fromCommerceLayer(body, organisation, principal!), deps);
        return { statusCode: 201, body: toCommerceLayer(customer, collectionUrl(event)) };
      } catch (error) {
        if (!(error instanceof DuplicateCustomerError)) throw error;
        // Commerce Layer answers a taken email as a validation error of the attribute.
        throw validationFailed([{ pointer: '/data/attributes/email', detail: 'has already been taken' }]);
      }
    },
  });
}

/** GET /compat/commercelayer/api/customers/{id}. */
export function commerceLayerGetCustomerRoute(deps: CommerceLayerRouteDeps) {
  return plainRoute(commerceLayerGetCustomerRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    pathParameters: customerPath,
    mediaType: JSON_API,
    organisation: 'credential',
    errorFormat: commerceLayerErrors,
    async handle({ pathParameters, organisation = '', event }) {
      const id = pathParameters.id ?? '';
      const customer = await getCustomerById(deps.store, organisation, storedId(id, 'commercelayer') ?? '');
      if (!customer) throw notFound('The requested resource was not found.');
      return { statusCode: 200, body: toCommerceLayer(customer, collectionUrl(event)) };
    },
  });
}
