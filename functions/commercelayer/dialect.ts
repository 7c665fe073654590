// Commerce Layer's customer contract over the registry's customers: its JSON:API documents in, its
// resource object and collection document out (its `errors` array: errors.ts). Nothing here
// touches the store.
import type { Customer, CustomerChanges, NewCustomer } from '../customers/customers.ts';
import { presentedId } from '../customers/ids.ts';
import type { Principal } from '../http/principal.ts';
import type { HttpEvent } from '../http/route.ts';
import type { CustomerDocument, CustomerListQuery, CustomerPatchDocument } from './schema.ts';

/** The customer a JSON:API document describes, for the organisation it acts for. */
export function fromCommerceLayer(
  { data: { attributes, relationships } }: CustomerDocument,
  organisation: string,
  principal: Principal,
): NewCustomer {
  return {
    corporation_id: organisation,
    email: attributes.email,
    password: attributes.password ?? null,
    external_id: attributes.reference ?? null,
    reference_origin: attributes.reference_origin ?? null,
    metadata: attributes.metadata ?? null,
    customer_group_id: groupOf(relationships) ?? null,
    source_platform: principal.platform,
    created_by: principal.keyId,
    mode: principal.mode,
  };
}

/** The customer group a document's relationships name: undefined when absent, null when emptied. */
const groupOf = (relationships: CustomerDocument['data']['relationships']) =>
  relationships?.customer_group === undefined ? undefined : (relationships.customer_group?.data?.id ?? null);

/**
 * What a PATCH document changes: the attributes and relationship it sends (each replaced whole,
 * `metadata` included; null clears), nothing else.
 */
export function commerceLayerChanges({
  data: { attributes = {}, relationships },
}: CustomerPatchDocument): CustomerChanges {
  return {
    email: attributes.email,
    password: attributes.password,
    external_id: attributes.reference,
    reference_origin: attributes.reference_origin,
    metadata: attributes.metadata,
    customer_group_id: groupOf(relationships),
  };
}

/** The relationships a customer resource links to, as Commerce Layer lists them. */
export const RELATIONSHIPS = [
  'customer_group',
  'customer_addresses',
  'customer_payment_sources',
  'customer_subscriptions',
  'orders',
  'order_subscriptions',
  'returns',
  'attachments',
] as const;

/**
 * The absolute URL of the customers collection, as the client reached it: the scheme API Gateway
 * saw (`x-forwarded-proto`), the domain the request came in on (API Gateway's, not the client's
 * Host header), and the path up to `/api/customers` (custom domains and base paths included).
 */
export function collectionUrl(
  event: Pick<HttpEvent, 'headers' | 'rawPath'> & { readonly requestContext: { readonly domainName: string } },
): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  const host = event.requestContext.domainName;
  const path = event.rawPath;
  const at = path.indexOf('/api/customers');
  return `${proto}://${host}${at >= 0 ? path.slice(0, at) : ''}/api/customers`;
}

/** Commerce Layer's customer resource document. */
export function toCommerceLayer(customer: Customer, collection: string) {
  const id = presentedId(customer.id, 'commercelayer');
  const self = `${collection}/${id}`;
  return {
    data: {
      id,
      type: 'customers',
      links: { self },
      attributes: {
        email: customer.email,
        // No orders are known to the registry: every customer is a prospect.
        status: 'prospect',
        has_password: customer.has_password,
        created_at: customer.created_at,
        updated_at: customer.updated_at,
        reference: customer.external_id,
        reference_origin: customer.reference_origin,
        metadata: customer.metadata ?? {},
      },
      relationships: Object.fromEntries(
        RELATIONSHIPS.map((name) => [
          name,
          { links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` } },
        ]),
      ),
      meta: { mode: customer.mode },
    },
  };
}

/** Where a page is: its number and size, and the other parameters of its query (filters, sort). */
export type PageQuery = { readonly 'page[number]': number; readonly 'page[size]': number } & Readonly<
  Record<string, string | number | undefined>
>;

/**
 * A collection's `meta` (record and page counts) and `links` to the first, previous, next and last
 * pages (`prev` and `next` only when they exist), each repeating the query's other parameters.
 */
export function pagination(collection: string, query: PageQuery, count: number) {
  const { 'page[number]': number, 'page[size]': size, ...kept } = query;
  const pageCount = Math.ceil(count / size);
  const last = Math.max(pageCount, 1);
  const link = (page: number) => {
    const search = new URLSearchParams({ 'page[number]': String(page), 'page[size]': String(size) });
    for (const [name, value] of Object.entries(kept)) if (value !== undefined) search.set(name, String(value));
    return `${collection}?${search}`;
  };
  return {
    meta: { record_count: count, page_count: pageCount },
    links: {
      first: link(1),
      ...(number > 1 ? { prev: link(Math.min(number - 1, last)) } : {}),
      ...(number < pageCount ? { next: link(number + 1) } : {}),
      last: link(last),
    },
  };
}

/** Commerce Layer's collection document for the page `query` asks for, of `count` customers in all. */
export function toCommerceLayerList(
  customers: readonly Customer[],
  count: number,
  query: CustomerListQuery,
  collection: string,
) {
  return {
    data: customers.map((customer) => toCommerceLayer(customer, collection).data),
    ...pagination(collection, query, count),
  };
}
