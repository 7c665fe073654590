// Bare twin of CreateCustomer, and the baseline of the definition: parse, the customer's
// record and id item written in one transaction (the same items the real handler stores: keys,
// list index key, every field sent, the address with its id, who created it and when), answer.
import {
  authenticateBare,
  type BareHttpEvent,
  createCustomerBare,
  json,
  logged,
  nativeCustomerBare,
} from './shared.ts';

export const handler = logged(async (event: BareHttpEvent) => {
  const principal = await authenticateBare(event.headers);
  if (!principal) return json(401, { message: 'unauthenticated' });
  const body = JSON.parse(event.body ?? '{}');
  if (!principal.orgs.includes(body.corporation_id)) return json(403, { message: 'forbidden' });
  const item = await createCustomerBare({
    org: body.corporation_id,
    email: body.email,
    principal,
    fields: { name: body.name, external_id: body.external_id },
    addresses: { shipping_address: body.shipping_address },
  });
  if (!item) return json(409, { message: 'duplicate customer' });
  return json(201, { data: nativeCustomerBare(item), message: 'Successfully created customer.' });
});
