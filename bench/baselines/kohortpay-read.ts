// Bare twin of KohortPayGetCustomer: the API key, the organisation it acts for, the record by id
// (two GetItems), KohortPay's customer document.
import { customerByIdBare, json, kohortPayCustomerBare, refusal, withCaller } from './shared.ts';

export const handler = withCaller('api-key', 'kohortpay', async ({ org }, event) => {
  // KohortPay shows `cus_` and the stored id's 32 hex digits (customers/ids.ts).
  const id = event.pathParameters?.id ?? '';
  const item = await customerByIdBare(org, `cust_${id.slice('cus_'.length)}`);
  return item ? json(200, kohortPayCustomerBare(item)) : refusal.kohortpay(404);
});
