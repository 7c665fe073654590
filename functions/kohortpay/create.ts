// Lambda entry of POST /compat/kohortpay/customers (route KohortPayCreateCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { newCustomerId } from '../customers/customers.ts';
import { container } from '../runtime/container.ts';
import { kohortPayCreateCustomerRoute } from './api.ts';

export const handler = kohortPayCreateCustomerRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  now: () => new Date(),
  newCustomerId,
});
