// Lambda entry of GET /compat/commercelayer/api/customers/{id} (route CommerceLayerGetCustomer; api.ts).
import { containerTokenAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { commerceLayerGetCustomerRoute } from './api.ts';

export const handler = commerceLayerGetCustomerRoute({ ...container(), authenticate: containerTokenAuthenticator() });
