// Bare twin of CommerceLayerListCustomers: the access token, the organisation it acts for, in
// parallel the customers up to the end of the page asked for (a Query of each list partition,
// merged) and their count (its counters, one BatchGetItem), the collection document with its
// record and page counts and its page links.
import { toCommerceLayerList } from '../../functions/commercelayer/dialect.ts';
import {
  collectionUrlBare,
  commerceLayerResourceBare,
  countCustomersBare,
  customerPageBare,
  JSON_API,
  json,
  withCaller,
} from './shared.ts';

export const handler = withCaller('token', 'commercelayer', async ({ org }, event) => {
  const query = event.queryStringParameters ?? {};
  const size = Number(query['page[size]'] ?? 10);
  const number = Number(query['page[number]'] ?? 1);
  const [page, count] = await Promise.all([
    customerPageBare(org, number * size, query.sort === '-created_at', (number - 1) * size),
    countCustomersBare(org),
  ]);
  const collection = collectionUrlBare(event);
  // The record and page counts and the page links from the dialect's own pure helper (given no
  // customers: their resources are the twin's).
  const { meta, links } = toCommerceLayerList([], count, { 'page[size]': size, 'page[number]': number }, collection);
  const data = page.items.map((item) => commerceLayerResourceBare(item, collection));
  return json(200, { data, meta, links }, JSON_API);
});
