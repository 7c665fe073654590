// Bare twin of KohortPayListCustomers: the API key, the organisation it acts for, in parallel the
// customers up to `skip + take` (a Query of each list partition, merged) and their count (its
// counters, one BatchGetItem), KohortPay's list document.
import { countCustomersBare, customerPageBare, json, kohortPayCustomerBare, withCaller } from './shared.ts';

export const handler = withCaller('api-key', 'kohortpay', async ({ org }, event) => {
  const { take = '25', skip = '0', orderBy } = event.queryStringParameters ?? {};
  const [page, count] = await Promise.all([
    customerPageBare(org, Number(skip) + Number(take), orderBy === 'createdAt:desc', Number(skip)),
    countCustomersBare(org),
  ]);
  return json(200, { data: page.items.map(kohortPayCustomerBare), count });
});
