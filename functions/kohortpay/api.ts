// KohortPay's customer routes (under /compat/kohortpay), as HTTP handlers over the customer domain
// (customers/customers.ts) through the dialect's mappers (dialect.ts). Authenticated with an API
// key as KohortPay's Bearer token; the organisation is the key's (X-Organisation-Id for a key with
// several): a customer of another organisation is not found.

import {
  kohortPayCreateCustomerRow,
  kohortPayDeleteCustomerRow,
  kohortPayGetCustomerRow,
  kohortPayListCustomersRow,
  kohortPayUpdateCustomerRow,
} from '../../contract/routes.ts';
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
import { presentedId, storedId } from '../customers/ids.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import { conflict, notFound } from '../http/problem.ts';
import { type HttpResult, jsonRoute, plainRoute } from '../http/route.ts';
import { replaysPartition } from '../store/keys.ts';
import { fromKohortPay, kohortPayChanges, toKohortPay, toKohortPayErased } from './dialect.ts';
import { kohortPayErrors } from './errors.ts';
import {
  kohortPayCustomerPatch,
  kohortPayCustomerPath,
  kohortPayCustomerRequest,
  kohortPayListQuery,
} from './schema.ts';

/** What KohortPay's routes are given: as the native customer routes. */
export type KohortPayRouteDeps = CustomerRouteDeps;
export type KohortPayChangeDeps = CustomerChangeDeps;

/** What every KohortPay route shares: the caller, its organisation, KohortPay's error shape. */
const dialect = (deps: KohortPayRouteDeps) => ({
  log: deps.log,
  authenticate: deps.authenticate,
  organisation: 'credential' as const,
  errorFormat: kohortPayErrors,
});

/** The routes by id: the customer's KohortPay id in the path (404 unless one). */
const byId = (deps: KohortPayRouteDeps) => ({ ...dialect(deps), pathParameters: kohortPayCustomerPath });

/** The stored id behind the path's KohortPay id (the path schema has checked its form). */
const idIn = (pathParameters: Readonly<Record<string, string | undefined>>) => {
  const id = pathParameters.id ?? '';
  return { id, stored: storedId(id, 'kohortpay') ?? '' };
};

const missing = (id: string) => notFound(`No customer ${id} exists.`);

/** One customer's answer, filed under the customer (a stored Idempotency-Key answer goes when they are erased). */
const answer = (statusCode: number, customer: Customer): HttpResult => ({
  statusCode,
  body: toKohortPay(customer),
  subject: replaysPartition(customer.corporation_id, customer.id),
});

/** `work`, with an email another customer of the organisation has answered 409 naming that customer. */
async function unlessDuplicate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
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
}

/** POST /compat/kohortpay/customers. */
export function kohortPayCreateCustomerRoute(deps: KohortPayRouteDeps & CustomerDeps) {
  return jsonRoute(kohortPayCreateCustomerRow, {
    ...dialect(deps),
    body: kohortPayCustomerRequest,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, organisation = '', principal }) {
      const customer = await unlessDuplicate(
        createCustomer(deps.store, fromKohortPay(body, organisation, principal!), deps),
      );
      return answer(201, customer);
    },
  });
}

/** GET /compat/kohortpay/customers/{id}. */
export function kohortPayGetCustomerRoute(deps: KohortPayRouteDeps) {
  return plainRoute(kohortPayGetCustomerRow, {
    ...byId(deps),
    async handle({ pathParameters, organisation = '' }) {
      const { id, stored } = idIn(pathParameters);
      const customer = await getCustomerById(deps.store, organisation, stored);
      if (!customer) throw missing(id);
      return { statusCode: 200, body: toKohortPay(customer) };
    },
  });
}

/**
 * GET /compat/kohortpay/customers: `take` customers after `skip`, oldest first unless
 * `orderBy=createdAt:desc`, and how many the organisation has (both for `search`'s email, if any).
 */
export function kohortPayListCustomersRoute(deps: KohortPayRouteDeps) {
  return plainRoute(kohortPayListCustomersRow, {
    ...dialect(deps),
    query: kohortPayListQuery,
    async handle({ query, organisation = '' }) {
      const filters = query.search === undefined ? {} : { email: query.search };
      const window = { offset: query.skip, size: query.take, descending: query.orderBy === 'createdAt:desc', filters };
      // take=0 asks for the count alone.
      const { customers, total } = await customersPage(deps.store, organisation, window);
      return { statusCode: 200, body: { data: customers.map(toKohortPay), count: total } };
    },
  });
}

/** PATCH /compat/kohortpay/customers/{id}: the members sent, merged onto the customer. */
export function kohortPayUpdateCustomerRoute(deps: KohortPayChangeDeps) {
  return jsonRoute(kohortPayUpdateCustomerRow, {
    ...byId(deps),
    body: kohortPayCustomerPatch,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, pathParameters, organisation = '', principal }) {
      const { id, stored } = idIn(pathParameters);
      const customer = await unlessDuplicate(
        updateCustomer(deps.store, organisation, stored, (current) => kohortPayChanges(body, current), {
          now: deps.now,
          by: principal?.keyId ?? null,
        }),
      );
      if (!customer) throw missing(id);
      return answer(200, customer);
    },
  });
}

/**
 * DELETE /compat/kohortpay/customers/{id}: erases the customer's personal data (a tombstone stays)
 * and answers, as KohortPay does, the deleted customer: without its personal data (dialect.ts).
 */
export function kohortPayDeleteCustomerRoute(deps: KohortPayChangeDeps) {
  return plainRoute(kohortPayDeleteCustomerRow, {
    ...byId(deps),
    idempotency: idempotencyIn(deps.store),
    async handle({ pathParameters, organisation = '', principal }) {
      const { id, stored } = idIn(pathParameters);
      const at = deps.now();
      const by = principal?.keyId ?? null;
      const customer = await eraseCustomer(deps.store, organisation, stored, { now: () => at, by });
      if (!customer) throw missing(id);
      return { statusCode: 200, body: toKohortPayErased(customer, at.toISOString(), by) };
    },
  });
}
