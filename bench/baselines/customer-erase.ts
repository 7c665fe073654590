// Bare twin of EraseCustomer: the API key, the organisation, the record by id (two GetItems), one
// transaction deleting it and leaving the tombstone, the stored answers about the customer deleted,
// 204.
import { eraseCustomerBare, refusal, withCaller } from './shared.ts';

export const handler = withCaller('api-key', 'native', async ({ principal, org }, event) => {
  const erased = await eraseCustomerBare(org, event.pathParameters?.id ?? '', principal);
  return erased ? { statusCode: 204 } : refusal.native(404);
});
