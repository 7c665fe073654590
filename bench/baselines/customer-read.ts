// Bare twin of GetCustomer: the API key, the organisation (`?corporation_id=`, X-Organisation-Id
// or the key's only one), the record by id (two GetItems), the native document.
import { customerByIdBare, json, nativeCustomerBare, refusal, withCaller } from './shared.ts';

export const handler = withCaller('api-key', 'native', async ({ org }, event) => {
  const item = await customerByIdBare(org, event.pathParameters?.id ?? '');
  if (!item) return refusal.native(404);
  return json(200, { data: nativeCustomerBare(item), message: 'Successfully retrieved customer.' });
});
