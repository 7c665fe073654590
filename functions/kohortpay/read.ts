// Lambda entry of GET /compat/kohortpay/customers/{id} (route KohortPayGetCustomer; api.ts).
import { containerAuthenticator } from '../auth/authenticator.ts';
import { container } from '../runtime/container.ts';
import { kohortPayGetCustomerRoute } from './api.ts';

export const handler = kohortPayGetCustomerRoute({ ...container(), authenticate: containerAuthenticator() });
