// Bare twin of CommerceLayerGetCustomer: the access token (its signature, then its key through the
// cache), the organisation it acts for, one Query of the id index, the customer resource.
import {
  type BareHttpEvent,
  commerceLayerCustomerBare,
  customerByIdBare,
  dialectCallerBare,
  JSON_API,
  json,
} from './shared.ts';

export const handler = async (event: BareHttpEvent) => {
  const caller = await dialectCallerBare(event, 'token');
  if (typeof caller === 'number') return json(caller, { errors: [{ status: String(caller) }] }, JSON_API);
  const { org } = caller;
  // Commerce Layer shows the stored id's 32 hex digits (customers/ids.ts).
  const item = await customerByIdBare(org, `cust_${event.pathParameters?.id ?? ''}`);
  return item
    ? json(200, commerceLayerCustomerBare(item, event), JSON_API)
    : json(404, { errors: [{ code: 'RECORD_NOT_FOUND' }] }, JSON_API);
};
