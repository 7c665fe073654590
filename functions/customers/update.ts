// Lambda entry of PATCH /customers/{id} (route UpdateCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { updateCustomerRoute } from './api.ts';

export const handler = updateCustomerRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  now: () => new Date(),
});
