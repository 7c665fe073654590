// Commerce Layer's routes (under /compat/commercelayer), as HTTP handlers: the client-credentials
// token endpoint, and its customers over the customer domain (customers/customers.ts) through the
// dialect's mappers (dialect.ts). Customer routes take the token (auth `token`); the organisation is
// the key's (X-Organisation-Id for a key with several): a customer of another organisation is not
// found. They take and answer JSON:API (`application/vnd.api+json`, 415 and 406 otherwise).

import {
  commerceLayerCreateCustomerRow,
  commerceLayerDeleteCustomerRow,
  commerceLayerGetCustomerRow,
  commerceLayerListCustomersRow,
  commerceLayerTokenRow,
  commerceLayerUpdateCustomerRow,
} from '../../contract/routes.ts';
import { credentialsOf, parseAuthorization } from '../auth/api-keys.ts';
import type { CheckKey } from '../auth/authenticator.ts';
import { TOKEN_SCOPE, type TokenSigner } from '../auth/tokens.ts';
import type { CustomerChangeDeps, CustomerRouteDeps } from '../customers/api.ts';
import {
  type Customer,
  type CustomerDeps,
  createCustomer,
  customersPage,
  DuplicateCustomerError,
  eraseCustomer,
  getCustomerById,
  updateCustomer,
} from '../customers/customers.ts';
import { storedId } from '../customers/ids.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import { conflict, notFound, Problem, unauthenticated, validationFailed } from '../http/problem.ts';
import { type HttpEvent, type HttpResult, jsonRoute, plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import { replaysPartition } from '../store/keys.ts';
import {
  collectionUrl,
  commerceLayerChanges,
  fromCommerceLayer,
  toCommerceLayer,
  toCommerceLayerList,
} from './dialect.ts';
import { commerceLayerErrors, JSON_API, tokenErrors } from './errors.ts';
import { customerDocument, customerListQuery, customerPatchDocument, customerPath, tokenRequest } from './schema.ts';

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

/**
 * What Commerce Layer's customer routes are given: as the native customer routes, `authenticate`
 * checking access tokens (authenticator.ts createTokenAuthenticator).
 */
export type CommerceLayerRouteDeps = CustomerRouteDeps;
export type CommerceLayerChangeDeps = CustomerChangeDeps;

/** What every customer route shares: the caller, its organisation, JSON:API and its error shape. */
const dialect = (deps: CommerceLayerRouteDeps) => ({
  log: deps.log,
  authenticate: deps.authenticate,
  mediaType: JSON_API,
  organisation: 'credential' as const,
  errorFormat: commerceLayerErrors,
});

/** The routes by id: the customer's 32 hex digits in the path (404 unless they are). */
const byId = (deps: CommerceLayerRouteDeps) => ({ ...dialect(deps), pathParameters: customerPath });

/** The stored id behind the path's id (the path schema has checked its form). */
const idIn = (pathParameters: Readonly<Record<string, string | undefined>>) =>
  storedId(pathParameters.id ?? '', 'commercelayer') ?? '';

const missing = () => notFound('The requested resource was not found.');

/** One customer's document, filed under the customer (a stored Idempotency-Key answer goes when they are erased). */
const answer = (statusCode: number, customer: Customer, event: HttpEvent): HttpResult => ({
  statusCode,
  body: toCommerceLayer(customer, collectionUrl(event)),
  subject: replaysPartition(customer.corporation_id, customer.id),
});

/** `work`, with an email another customer has answered as Commerce Layer does: a validation error of the attribute. */
async function unlessEmailTaken<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof DuplicateCustomerError)) throw error;
    throw validationFailed([{ pointer: '/data/attributes/email', detail: 'has already been taken' }]);
  }
}

/** POST /compat/commercelayer/api/customers. */
export function commerceLayerCreateCustomerRoute(deps: CommerceLayerRouteDeps & CustomerDeps) {
  return jsonRoute(commerceLayerCreateCustomerRow, {
    ...dialect(deps),
    body: customerDocument,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, organisation = '', principal, event }) {
      const customer = await unlessEmailTaken(
        createCustomer(deps.store, fromCommerceLayer(body, organisation, principal!), deps),
      );
      return answer(201, customer, event);
    },
  });
}

/** GET /compat/commercelayer/api/customers/{id}. */
export function commerceLayerGetCustomerRoute(deps: CommerceLayerRouteDeps) {
  return plainRoute(commerceLayerGetCustomerRow, {
    ...byId(deps),
    async handle({ pathParameters, organisation = '', event }) {
      const customer = await getCustomerById(deps.store, organisation, idIn(pathParameters));
      if (!customer) throw missing();
      return answer(200, customer, event);
    },
  });
}

/**
 * GET /compat/commercelayer/api/customers: page `page[number]` of `page[size]` customers, oldest
 * first unless `sort=-created_at`, with the record and page counts (filters: schema.ts).
 */
export function commerceLayerListCustomersRoute(deps: CommerceLayerRouteDeps) {
  return plainRoute(commerceLayerListCustomersRow, {
    ...dialect(deps),
    query: customerListQuery,
    async handle({ query, organisation = '', event }) {
      const filters = { email: query['filter[q][email_eq]'] };
      const size = query['page[size]'];
      const window = {
        offset: (query['page[number]'] - 1) * size,
        size,
        descending: query.sort === '-created_at',
        filters,
      };
      const { customers, total } = await customersPage(deps.store, organisation, window);
      return { statusCode: 200, body: toCommerceLayerList(customers, total, query, collectionUrl(event)) };
    },
  });
}

/**
 * PATCH /compat/commercelayer/api/customers/{id}: the attributes and relationship the document
 * sends replace the customer's. A document for another resource (its `data.id` is not the path's)
 * is 409, as JSON:API has it.
 */
export function commerceLayerUpdateCustomerRoute(deps: CommerceLayerChangeDeps) {
  return jsonRoute(commerceLayerUpdateCustomerRow, {
    ...byId(deps),
    body: customerPatchDocument,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, pathParameters, organisation = '', principal, event }) {
      if (body.data.id !== pathParameters.id) throw idMismatch(pathParameters.id ?? '');
      const customer = await unlessEmailTaken(
        updateCustomer(deps.store, organisation, idIn(pathParameters), () => commerceLayerChanges(body), {
          now: deps.now,
          by: principal?.keyId ?? null,
        }),
      );
      if (!customer) throw missing();
      return answer(200, customer, event);
    },
  });
}

const idMismatch = (id: string) =>
  conflict('resource-id-mismatch', 'Resource id mismatch', `data.id must be ${id}, the id in the path.`, {
    errors: [{ pointer: '/data/id', detail: `must be ${id}, the id in the path` }],
  });

/** DELETE /compat/commercelayer/api/customers/{id}: erases the customer's personal data (a tombstone stays); 204. */
export function commerceLayerDeleteCustomerRoute(deps: CommerceLayerChangeDeps) {
  return plainRoute(commerceLayerDeleteCustomerRow, {
    ...byId(deps),
    idempotency: idempotencyIn(deps.store),
    async handle({ pathParameters, organisation = '', principal }) {
      const erased = await eraseCustomer(deps.store, organisation, idIn(pathParameters), {
        now: deps.now,
        by: principal?.keyId ?? null,
      });
      if (!erased) throw missing();
      return { statusCode: 204 };
    },
  });
}
