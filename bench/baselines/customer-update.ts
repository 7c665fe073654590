// Bare twin of UpdateCustomer: the API key, the organisation, the record by id (two GetItems), the
// merge patch applied (name, external_id, the shipping address merged member by member) and the
// record put back on condition of its version, the native document. A change of email (a move
// between keys, one transaction) is not what the benchmark sends.
import {
  json,
  nativeCustomerBare,
  patched,
  patchedAddress,
  refusal,
  updateCustomerBare,
  withCaller,
} from './shared.ts';

export const handler = withCaller('api-key', 'native', async ({ principal, org }, event) => {
  const patch = JSON.parse(event.body ?? '{}');
  const item = await updateCustomerBare(org, event.pathParameters?.id ?? '', principal, (record) =>
    patchedAddress(
      patched(record, { name: patch.name, external_id: patch.external_id }),
      'shipping_address',
      patch.shipping_address,
    ),
  );
  if (!item) return refusal.native(404);
  return json(200, { data: nativeCustomerBare(item), message: 'Successfully updated customer.' });
});
