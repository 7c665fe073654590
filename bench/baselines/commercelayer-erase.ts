// Bare twin of CommerceLayerDeleteCustomer: the access token, the organisation it acts for, the
// customer erased as EraseCustomer's twin does it (the record by id, one transaction, the stored
// answers), 204.
import { eraseCustomerBare, refusal, withCaller } from './shared.ts';

export const handler = withCaller('token', 'commercelayer', async ({ principal, org }, event) => {
  const erased = await eraseCustomerBare(org, `cust_${event.pathParameters?.id ?? ''}`, principal);
  return erased ? { statusCode: 204 } : refusal.commercelayer(404);
});
