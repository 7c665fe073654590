// Bare twin of KohortPayDeleteCustomer: the API key, the organisation it acts for, the customer
// erased as EraseCustomer's twin does it (the record by id, one transaction, the stored answers),
// and KohortPay's deleted customer: only what the tombstone keeps, `deletedAt` set.
import { eraseCustomerBare, json, kohortPayCustomerBare, patched, refusal, withCaller } from './shared.ts';

export const handler = withCaller('api-key', 'kohortpay', async ({ principal, org }, event) => {
  const id = event.pathParameters?.id ?? '';
  const erased = await eraseCustomerBare(org, `cust_${id.slice('cus_'.length)}`, principal);
  if (!erased) return refusal.kohortpay(404);
  const { record, erasedAt } = erased;
  const anonymous = patched(
    Object.fromEntries(
      ['id', 'corporation_id', 'mode', 'created_at', 'created_by'].map((name) => [name, record[name]!]),
    ),
    { updated_at: erasedAt, updated_by: principal.keyId },
  );
  return json(200, { ...kohortPayCustomerBare(anonymous), deletedAt: erasedAt });
});
