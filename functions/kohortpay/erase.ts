// Lambda entry of DELETE /compat/kohortpay/customers/{id} (route KohortPayDeleteCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { kohortPayDeleteCustomerRoute } from './api.ts';

export const handler = kohortPayDeleteCustomerRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  now: () => new Date(),
});
