// The typed client, end to end: create a customer (the API reference's example body), read it back
// by its id, and find it in the list filtered by its email. Every path, parameter, body and answer
// here is checked by the compiler against docs/openapi.json; test/integration/typed-client.test.ts
// runs it against the local server.
import { type CustomerRequest, createRegistryClient, type RegistryOptions, unwrap } from './index.ts';

/** The create's example body in the API reference (POST /customers). */
export const exampleCustomer = {
  corporation_id: 'corp_123',
  name: 'Acme Corporation',
  email: 'contact@acme.com',
  external_id: 'ext_456',
  shipping_address: {
    line1: '123 Main St',
    line2: 'Suite 100',
    city: 'San Francisco',
    state: 'CA',
    postal_code: '94105',
    country: 'US',
  },
} satisfies CustomerRequest;

export async function customerRoundTrip(
  options: RegistryOptions,
  customer: CustomerRequest & { email: string } = exampleCustomer,
) {
  const registry = createRegistryClient(options);
  const created = await unwrap(registry.POST('/customers', { body: customer }));
  const { id } = created.data;
  const read = await unwrap(registry.GET('/customers/{id}', { params: { path: { id } } }));
  const listed = await unwrap(
    registry.GET('/customers', {
      params: { query: { corporation_id: customer.corporation_id, email: customer.email } },
    }),
  );
  return { created: created.data, read: read.data, listed: listed.data, message: created.message };
}
