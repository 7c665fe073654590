// Lambda entry of GET /compat/commercelayer/api/customers (route CommerceLayerListCustomers; api.ts).
import { containerTokenAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { commerceLayerListCustomersRoute } from './api.ts';

export const handler = commerceLayerListCustomersRoute({ ...container(), authenticate: containerTokenAuthenticator() });
