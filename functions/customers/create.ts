// Lambda entry of POST /customers (route CreateCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { createCustomerRoute } from './api.ts';
import { newCustomerId } from './customers.ts';

export const handler = createCustomerRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  now: () => new Date(),
  newCustomerId,
});
