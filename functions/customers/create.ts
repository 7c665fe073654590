// Lambda entry of POST /customers (route CreateCustomer; api.ts).
import { container } from '../runtime/container.ts';
import { createCustomerRoute } from './api.ts';
import { newCustomerId } from './customers.ts';

export const handler = createCustomerRoute({ ...container(), now: () => new Date(), newCustomerId });
