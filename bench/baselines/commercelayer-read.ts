// Bare twin of CommerceLayerGetCustomer: the access token (its signature, then its key through the
// cache), the organisation it acts for, one Query of the id index, the customer resource.
import {
  authenticateTokenBare,
  type BareHttpEvent,
  commerceLayerCustomerBare,
  customerByIdBare,
  JSON_API,
  json,
  organisationBare,
} from './shared.ts';

export const handler = async (event: BareHttpEvent) => {
  const principal = await authenticateTokenBare(event.headers);
  if (!principal) return json(401, { errors: [{ code: 'UNAUTHORIZED' }] }, JSON_API);
  const org = organisationBare(principal, event.headers);
  if (!org) return json(403, { errors: [{ code: 'FORBIDDEN' }] }, JSON_API);
  // Commerce Layer shows the stored id's 32 hex digits (customers/ids.ts).
  const item = await customerByIdBare(org, `cust_${event.pathParameters?.id ?? ''}`);
  return item
    ? json(200, commerceLayerCustomerBare(item, event), JSON_API)
    : json(404, { errors: [{ code: 'RECORD_NOT_FOUND' }] }, JSON_API);
};
