// Bare twin of CommerceLayerCreateCustomer: the access token (its signature, then its key through
// the cache), the organisation it acts for, the record and id item createCustomer stores for a
// JSON:API document in one transaction (a password, when one is sent, hashed as the real route
// hashes it), the customer resource.
import { hashPassword } from '../../functions/customers/passwords.ts';
import { commerceLayerCustomerBare, createCustomerBare, JSON_API, json, withCaller } from './shared.ts';

export const handler = withCaller('token', 'commercelayer', async ({ principal, org }, event) => {
  const { attributes, relationships } = JSON.parse(event.body ?? '{}').data;
  const item = await createCustomerBare({
    org,
    email: attributes.email,
    principal,
    fields: {
      external_id: attributes.reference,
      reference_origin: attributes.reference_origin,
      customer_group_id: relationships?.customer_group?.data?.id,
    },
    metadata: attributes.metadata,
    extra: attributes.password ? { password_hash: { S: await hashPassword(attributes.password) } } : {},
  });
  if (!item) return json(422, { errors: [{ code: 'VALIDATION_ERROR' }] }, JSON_API);
  return json(201, commerceLayerCustomerBare(item, event), JSON_API);
});
