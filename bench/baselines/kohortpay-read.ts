// Bare twin of KohortPayGetCustomer: the API key, the organisation it acts for, one Query of the id
// index, KohortPay's customer document.
import {
  authenticateBare,
  type BareHttpEvent,
  customerByIdBare,
  json,
  kohortPayCustomerBare,
  organisationBare,
} from './shared.ts';

export const handler = async (event: BareHttpEvent) => {
  const principal = await authenticateBare(event.headers);
  if (!principal) return json(401, { error: { type: 'authentication_error' } });
  const org = organisationBare(principal, event.headers);
  if (!org) return json(403, { error: { type: 'permission_error' } });
  // KohortPay shows `cus_` and the stored id's 32 hex digits (customers/ids.ts).
  const id = event.pathParameters?.id ?? '';
  const item = await customerByIdBare(org, `cust_${id.slice('cus_'.length)}`);
  return item ? json(200, kohortPayCustomerBare(item)) : json(404, { error: { type: 'invalid_request_error' } });
};
