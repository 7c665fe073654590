// Lambda entry of POST /compat/commercelayer/api/customers (route CommerceLayerCreateCustomer; api.ts).
import { containerTokenAuthenticator } from '../auth/authenticator.ts';
import { newCustomerId } from '../customers/customers.ts';
import { container } from '../runtime/container.ts';
import { commerceLayerCreateCustomerRoute } from './api.ts';

export const handler = commerceLayerCreateCustomerRoute({
  ...container(),
  authenticate: containerTokenAuthenticator(),
  now: () => new Date(),
  newCustomerId,
});
