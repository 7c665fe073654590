// Lambda entry of GET /compat/kohortpay/customers (route KohortPayListCustomers; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { kohortPayListCustomersRoute } from './api.ts';

export const handler = kohortPayListCustomersRoute({ ...container(), authenticate: containerAuthenticator() });
