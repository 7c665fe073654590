// KohortPay's customer routes (under /compat/kohortpay), as HTTP handlers over the customer domain
// (customers/customers.ts) through the dialect's mappers (dialect.ts). Authenticated with an API
// key as KohortPay's Bearer token; the organisation is the key's (X-Organisation-Id for a key with
// several).
import { kohortPayCreateCustomerRow, kohortPayGetCustomerRow } from '../../contract/routes.ts';
import { type CustomerDeps, createCustomer, DuplicateCustomerError, getCustomerById } from '../customers/customers.ts';
import { presentedId, storedId } from '../customers/ids.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import type { Authenticate } from '../http/principal.ts';
import { conflict, notFound } from '../http/problem.ts';
import { jsonRoute, plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { fromKohortPay, toKohortPay } from './dialect.ts';
import { kohortPayErrors } from './errors.ts';
import { kohortPayCustomerPath, kohortPayCustomerRequest } from './schema.ts';

export interface KohortPayRouteDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly authenticate: Authenticate;
}

/** POST /compat/kohortpay/customers. */
export function kohortPayCreateCustomerRoute(deps: KohortPayRouteDeps & CustomerDeps) {
  return jsonRoute(kohortPayCreateCustomerRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    body: kohortPayCustomerRequest,
    organisation: 'credential',
    idempotency: idempotencyIn(deps.store),
    errorFormat: kohortPayErrors,
    async handle({ body, organisation = '', principal }) {
      try {
        const customer = await createCustomer(deps.store, fromKohortPay(body, organisation, principal!), deps);
        return { statusCode: 201, body: toKohortPay(customer) };
      } catch (error) {
        if (!(error instanceof DuplicateCustomerError)) throw error;
        const existing = presentedId(error.existingId, 'kohortpay');
        throw conflict(
          'customer-already-exists',
          'Customer already exists',
          `A customer with this email address already exists: ${existing}.`,
          { customerId: existing },
        );
      }
    },
  });
}

/** GET /compat/kohortpay/customers/{id}. */
export function kohortPayGetCustomerRoute(deps: KohortPayRouteDeps) {
  return plainRoute(kohortPayGetCustomerRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    pathParameters: kohortPayCustomerPath,
    organisation: 'credential',
    errorFormat: kohortPayErrors,
    async handle({ pathParameters, organisation = '' }) {
      const id = pathParameters.id ?? '';
      const customer = await getCustomerById(deps.store, organisation, storedId(id, 'kohortpay') ?? '');
      if (!customer) throw notFound(`No customer ${id} exists.`);
      return { statusCode: 200, body: toKohortPay(customer) };
    },
  });
}
