// POST /customers: create a customer for a corporation.
import { jsonRoute } from '../shared/http.ts';
import { idempotencyIn } from '../shared/idempotency.ts';
import type { Logger } from '../shared/logger.ts';
import { conflict } from '../shared/problem.ts';
import { runtime } from '../shared/runtime.ts';
import type { Store } from '../shared/store.ts';
import {
  createCustomer,
  type Customer,
  type CustomerDeps,
  DuplicateCustomerError,
  fullAddress,
  newCustomerId,
} from './customers.ts';
import { customerRequest } from './schema.ts';

export interface CreateCustomerDeps extends CustomerDeps {
  readonly store: Store;
  readonly log: Logger;
}

export function createCustomerHandler(deps: CreateCustomerDeps) {
  return jsonRoute({
    name: 'CreateCustomer',
    log: deps.log,
    schema: customerRequest,
    organisation: (body) => body.corporation_id,
    idempotency: idempotencyIn(deps.store),
    async handle(body, { principal }) {
      try {
        const customer = await createCustomer(
          deps.store,
          {
            corporation_id: body.corporation_id,
            name: body.name,
            email: body.email ?? null,
            external_id: body.external_id ?? null,
            shipping_address: body.shipping_address ? fullAddress(body.shipping_address) : null,
            // Customers created through a partner platform's key record that platform.
            source_platform: principal?.platform ?? null,
            source_platform_id: null,
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

/** The contract's `data`: every field present, unknown ones null. */
const present = (customer: Customer) => ({
  id: customer.id,
  name: customer.name,
  email: customer.email,
  corporation_id: customer.corporation_id,
  external_id: customer.external_id,
  shipping_address: customer.shipping_address,
  created_at: customer.created_at,
  source_platform_id: customer.source_platform_id,
  source_platform: customer.source_platform,
});

export const handler = createCustomerHandler({ ...runtime(), now: () => new Date(), newCustomerId });
