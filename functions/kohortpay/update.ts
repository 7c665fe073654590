// Lambda entry of PATCH /compat/kohortpay/customers/{id} (route KohortPayUpdateCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { kohortPayUpdateCustomerRoute } from './api.ts';

export const handler = kohortPayUpdateCustomerRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  now: () => new Date(),
});
