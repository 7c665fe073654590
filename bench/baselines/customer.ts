// Bare twin of CreateCustomer, and the baseline of the definition: parse, one PutItem of
// the same item the real handler stores (keys, index keys, every field sent, the address with its
// id, who created it and when), answer.
import { authenticateBare, createCustomerBare, json } from './shared.ts';

export const handler = async (event: { body?: string; headers?: Record<string, string> }) => {
  const principal = await authenticateBare(event.headers);
  if (!principal) return json(401, { message: 'unauthenticated' });
  const body = JSON.parse(event.body ?? '{}');
  if (!principal.orgs.includes(body.corporation_id)) return json(403, { message: 'forbidden' });
  const address = body.shipping_address;
  const item = await createCustomerBare({
    org: body.corporation_id,
    email: body.email,
    principal,
    fields: { name: body.name, external_id: body.external_id },
    addresses: { shipping_address: address },
  });
  if (!item) return json(409, { message: 'duplicate customer' });
  return json(201, {
    data: {
      id: item.id!.S,
      name: body.name,
      email: item.email!.S,
      corporation_id: body.corporation_id,
      external_id: body.external_id ?? null,
      shipping_address: address ?? null,
      created_at: Math.floor(Date.parse(item.created_at!.S!) / 1000),
      source_platform_id: null,
      source_platform: principal.platform,
    },
    message: 'Successfully created customer.',
  });
};
