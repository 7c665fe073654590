// Bare twin of CommerceLayerUpdateCustomer: the access token, the organisation it acts for, the
// record by id (two GetItems), the attributes sent replacing the stored ones and the record put back
// on condition of its version, the customer resource. The benchmark sends no password (one would
// add the same deliberately slow scrypt hash to both sides) and no new email.
import {
  commerceLayerCustomerBare,
  JSON_API,
  json,
  patched,
  refusal,
  updateCustomerBare,
  withCaller,
} from './shared.ts';

export const handler = withCaller('token', 'commercelayer', async ({ principal, org }, event) => {
  const { attributes = {}, relationships } = JSON.parse(event.body ?? '{}').data;
  const group = relationships?.customer_group;
  const item = await updateCustomerBare(org, `cust_${event.pathParameters?.id ?? ''}`, principal, (record) =>
    patched(record, {
      external_id: attributes.reference,
      reference_origin: attributes.reference_origin,
      metadata:
        attributes.metadata === undefined ? undefined : attributes.metadata && JSON.stringify(attributes.metadata),
      customer_group_id: group === undefined ? undefined : (group?.data?.id ?? null),
    }),
  );
  return item ? json(200, commerceLayerCustomerBare(item, event), JSON_API) : refusal.commercelayer(404);
});
