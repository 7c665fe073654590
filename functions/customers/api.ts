// The customer routes, as HTTP handlers over the domain (customers.ts). Each is built from its row
// of the route table and given its dependencies; the Lambda entries (create.ts) give them the
// container's.
import { createCustomerRow } from '../../contract/routes.ts';
import { idempotencyIn } from '../http/idempotency.ts';
import type { Authenticate } from '../http/principal.ts';
import { conflict } from '../http/problem.ts';
import { jsonRoute } from '../http/route.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { type Customer, type CustomerDeps, createCustomer, DuplicateCustomerError } from './customers.ts';
import { customerRequest } from './schema.ts';

export interface CustomerRouteDeps extends CustomerDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly authenticate: Authenticate;
}

/** POST /customers: create a customer for a corporation. */
export function createCustomerRoute(deps: CustomerRouteDeps) {
  return jsonRoute(createCustomerRow, {
    log: deps.log,
    authenticate: deps.authenticate,
    body: customerRequest,
    organisation: (body) => body.corporation_id,
    idempotency: idempotencyIn(deps.store),
    async handle({ body, principal }) {
      try {
        const customer = await createCustomer(
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
        );
        return { statusCode: 201, body: { data: present(customer), message: 'Successfully created customer.' } };
      } catch (error) {
        if (!(error instanceof DuplicateCustomerError)) throw error;
        throw conflict(
          'duplicate-customer',
          'Customer already exists',
          `A customer with this email already exists in corporation ${body.corporation_id}: ${error.existingId}.`,
          { customer_id: error.existingId },
        );
      }
    },
  });
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
