// Lambda entry of PATCH /compat/commercelayer/api/customers/{id} (route CommerceLayerUpdateCustomer; api.ts).
import { containerTokenAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { commerceLayerUpdateCustomerRoute } from './api.ts';

export const handler = commerceLayerUpdateCustomerRoute({
  ...container(),
  authenticate: containerTokenAuthenticator(),
  now: () => new Date(),
});
