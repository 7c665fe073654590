// Lambda entry of DELETE /customers/{id} (route EraseCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { eraseCustomerRoute } from './api.ts';

export const handler = eraseCustomerRoute({
  ...container(),
  authenticate: containerAuthenticator(),
  now: () => new Date(),
});
