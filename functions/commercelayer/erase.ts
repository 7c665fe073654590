// Lambda entry of DELETE /compat/commercelayer/api/customers/{id} (route CommerceLayerDeleteCustomer; api.ts).
import { containerTokenAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { commerceLayerDeleteCustomerRoute } from './api.ts';

export const handler = commerceLayerDeleteCustomerRoute({
  ...container(),
  authenticate: containerTokenAuthenticator(),
  now: () => new Date(),
});
