// Lambda entry of GET /customers/{id} (route GetCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { getCustomerRoute } from './api.ts';

export const handler = getCustomerRoute({ ...container(), authenticate: containerAuthenticator() });
