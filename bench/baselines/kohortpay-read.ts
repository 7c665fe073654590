// Bare twin of KohortPayGetCustomer: the API key, the organisation it acts for, one Query of the id
// index, KohortPay's customer document.
import { type BareHttpEvent, customerByIdBare, dialectCallerBare, json, kohortPayCustomerBare } from './shared.ts';

export const handler = async (event: BareHttpEvent) => {
  const caller = await dialectCallerBare(event, 'api-key');
  if (typeof caller === 'number') return json(caller, { error: { code: String(caller) } });
  const { org } = caller;
  // KohortPay shows `cus_` and the stored id's 32 hex digits (customers/ids.ts).
  const id = event.pathParameters?.id ?? '';
  const item = await customerByIdBare(org, `cust_${id.slice('cus_'.length)}`);
  return item ? json(200, kohortPayCustomerBare(item)) : json(404, { error: { type: 'invalid_request_error' } });
};
