// Bare twin of ListCustomers: the API key, the organisation, the first page (a Query of each list
// partition in parallel, merged), the native documents and the signed cursor of the next page.
import { customerPageBare, json, nativeCustomerBare, sealCursorBare, withCaller } from './shared.ts';

export const handler = withCaller('api-key', 'native', async ({ org }, event) => {
  const { items, next } = await customerPageBare(org, Number(event.queryStringParameters?.limit ?? 25));
  return json(200, {
    data: items.map(nativeCustomerBare),
    next_cursor: next === undefined ? null : sealCursorBare([org, 'ListCustomers', []], next),
    message: 'Successfully retrieved customers.',
  });
});
