// The customer routes, as HTTP handlers over the domain (customers.ts). Each is built from its row
// of the route table and given its dependencies; the Lambda entries (create.ts, read.ts, list.ts,
// update.ts, erase.ts) give them the container's.
//
// Answers are `{ data, message }` (a list: `{ data: [...], next_cursor, message }`). The routes by
// id and the list act for the organisation of `?corporation_id=` (or X-Organisation-Id, or the
// key's only one): a customer of another organisation is not found there.
import {
  createCustomerRow,
  eraseCustomerRow,
  getCustomerRow,
  listCustomersRow,
  updateCustomerRow,
} from '../../contract/routes.ts';
import { type CursorSigner, cursorScope } from '../http/cursor.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import type { Authenticate } from '../http/principal.ts';
import { conflict, notFound, validationFailed } from '../http/problem.ts';
import { type HttpResult, jsonRoute, plainRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { replaysPartition } from '../store/keys.ts';
import {
  type Address,
  type AddressInput,
  type Customer,
  type CustomerChanges,
  type CustomerDeps,
  createCustomer,
  DuplicateCustomerError,
  eraseCustomer,
  getCustomerById,
  listCustomers,
  updateCustomer,
} from './customers.ts';
import {
  type AddressPatch,
  type CustomerPatch,
  customerListQuery,
  customerPatch,
  customerPath,
  customerQuery,
  customerRequest,
} from './schema.ts';

export interface CustomerRouteDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly authenticate: Authenticate;
}

/** Routes that change customers: the clock their changes are stamped with. */
export interface CustomerChangeDeps extends CustomerRouteDeps {
  readonly now: () => Date;
}

const byQuery = { queryParameter: 'corporation_id' } as const;

/** What the routes by id share: the customer's id in the path (404 unless one), the organisation. */
const byId = (deps: CustomerRouteDeps) => ({
  log: deps.log,
  authenticate: deps.authenticate,
  pathParameters: customerPath,
  organisation: byQuery,
  query: customerQuery,
});

/** POST /customers: create a customer for a corporation. */
export function createCustomerRoute(deps: CustomerRouteDeps & CustomerDeps) {
  return jsonRoute(createCustomerRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    body: customerRequest,
    organisation: (body) => body.corporation_id,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, principal }) {
      const customer = await unlessDuplicate(
        body.corporation_id,
        createCustomer(
          deps.store,
          {
            corporation_id: body.corporation_id,
            name: body.name,
            email: body.email ?? null,
            external_id: body.external_id ?? null,
            shipping_address: body.shipping_address ?? null,
            // Customers created through a partner platform's key record that platform.
            source_platform: principal?.platform ?? null,
            created_by: principal?.keyId ?? null,
            mode: principal?.mode ?? 'live',
          },
          deps,
        ),
      );
      return answer(201, customer, 'Successfully created customer.');
    },
  });
}

/** GET /customers/{id}. */
export function getCustomerRoute(deps: CustomerRouteDeps) {
  return plainRoute(getCustomerRow, {
    ...byId(deps),
    async handle({ pathParameters, organisation = '' }) {
      const id = pathParameters.id ?? '';
      const customer = await getCustomerById(deps.store, organisation, id);
      if (!customer) throw missing(id);
      return answer(200, customer, 'Successfully retrieved customer.');
    },
  });
}

/** GET /customers: a page of the organisation's customers, oldest first, and the cursor of the next. */
export function listCustomersRoute(deps: CustomerRouteDeps & { readonly cursors: CursorSigner }) {
  return plainRoute(listCustomersRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    organisation: byQuery,
    query: customerListQuery,
    async handle({ query, organisation = '' }) {
      const { limit, cursor, corporation_id: _, ...filters } = query;
      // A cursor pages through the query it was issued for: same organisation, same filters.
      const scope = cursorScope(organisation, listCustomersRow.name, filters);
      const after = cursor === undefined ? undefined : deps.cursors.open(cursor, scope);
      const page = await listCustomers(deps.store, organisation, { limit, after, filters });
      return {
        statusCode: 200,
        body: {
          data: page.customers.map(present),
          next_cursor: page.next === undefined ? null : deps.cursors.seal(scope, page.next),
          message: 'Successfully retrieved customers.',
        },
      };
    },
  });
}

/** PATCH /customers/{id}: a JSON merge patch of the customer's fields. */
export function updateCustomerRoute(deps: CustomerChangeDeps) {
  return jsonRoute(updateCustomerRow, {
    ...byId(deps),
    body: customerPatch,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, pathParameters, organisation = '', principal }) {
      const id = pathParameters.id ?? '';
      if (body.corporation_id !== undefined && body.corporation_id !== organisation) {
        throw validationFailed([
          { pointer: '/corporation_id', detail: `must be the customer's own corporation, ${organisation}` },
        ]);
      }
      const customer = await unlessDuplicate(
        organisation,
        updateCustomer(deps.store, organisation, id, (current) => changesOf(body, current), {
          now: deps.now,
          by: principal?.keyId ?? null,
        }),
      );
      if (!customer) throw missing(id);
      return answer(200, customer, 'Successfully updated customer.');
    },
  });
}

/** DELETE /customers/{id}: erases the customer's personal data (a tombstone stays); 204. */
export function eraseCustomerRoute(deps: CustomerChangeDeps) {
  return plainRoute(eraseCustomerRow, {
    ...byId(deps),
    idempotency: idempotencyIn(deps.store),
    async handle({ pathParameters, organisation = '', principal }) {
      const id = pathParameters.id ?? '';
      const erased = await eraseCustomer(deps.store, organisation, id, { now: deps.now, by: principal?.keyId ?? null });
      if (!erased) throw missing(id);
      return { statusCode: 204 };
    },
  });
}

const missing = (id: string) => notFound(`No customer ${id} exists.`);

/** One customer's answer, filed under the customer (a stored Idempotency-Key answer goes when they are erased). */
const answer = (statusCode: number, customer: Customer, message: string): HttpResult => ({
  statusCode,
  body: { data: present(customer), message },
  subject: replaysPartition(customer.corporation_id, customer.id),
});

/** `work`, with an email another customer of the corporation has answered 409 naming that customer. */
async function unlessDuplicate<T>(corporationId: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof DuplicateCustomerError)) throw error;
    throw conflict(
      'duplicate-customer',
      'Customer already exists',
      `A customer with this email already exists in corporation ${corporationId}: ${error.existingId}.`,
      { customer_id: error.existingId },
    );
  }
}

/** The changes a merge patch makes to `current`: absent members keep, null clears, the address merges. */
const changesOf = (patch: CustomerPatch, current: Customer): CustomerChanges => ({
  name: patch.name,
  email: patch.email,
  external_id: patch.external_id,
  shipping_address:
    patch.shipping_address === undefined
      ? undefined
      : patch.shipping_address && mergeAddress(current.shipping_address, patch.shipping_address),
});

/** The address after a merge patch; a country code set replaces a free-text country another contract stored. */
function mergeAddress(current: Address | null, patch: AddressPatch): AddressInput {
  const sent = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...current, ...sent, ...(patch.country === undefined ? {} : { country_name: null }) };
}

/** The contract's `data`: every field present, unknown ones null; `created_at` in Unix seconds. */
const present = (customer: Customer) => ({
  id: customer.id,
  name: customer.name,
  email: customer.email,
  corporation_id: customer.corporation_id,
  external_id: customer.external_id,
  shipping_address: customer.shipping_address && {
    line1: customer.shipping_address.line1,
    line2: customer.shipping_address.line2,
    city: customer.shipping_address.city,
    state: customer.shipping_address.state,
    postal_code: customer.shipping_address.postal_code,
    country: customer.shipping_address.country,
  },
  created_at: Math.floor(Date.parse(customer.created_at) / 1000),
  source_platform_id: customer.source_platform_id,
  source_platform: customer.source_platform,
});
