// Bare twin of CommerceLayerGetCustomer: the access token (its signature, then its key through the
// cache), the organisation it acts for, the record by id (two GetItems), the customer resource.
import { commerceLayerCustomerBare, customerByIdBare, JSON_API, json, refusal, withCaller } from './shared.ts';

export const handler = withCaller('token', 'commercelayer', async ({ org }, event) => {
  // Commerce Layer shows the stored id's 32 hex digits (customers/ids.ts).
  const item = await customerByIdBare(org, `cust_${event.pathParameters?.id ?? ''}`);
  return item ? json(200, commerceLayerCustomerBare(item, event), JSON_API) : refusal.commercelayer(404);
});
