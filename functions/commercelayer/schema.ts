// Commerce Layer's requests: the client-credentials grant of its token endpoint, the JSON:API
// documents of POST /api/customers and PATCH /api/customers/{id}, the path of the routes by id,
// and the query string of GET /api/customers.
import * as v from 'valibot';
import { MAX_OFFSET_WINDOW } from '../customers/customers.ts';
import { email, identifier, metadata, object, optionalText, password } from '../schema/fields.ts';

/** POST /oauth/token: JSON or a form. The credentials may come by HTTP Basic instead (api.ts). */
export const tokenRequest = object({
  grant_type: v.string('must be a string'),
  client_id: v.optional(v.string('must be a string')),
  client_secret: v.optional(v.string('must be a string')),
  scope: v.optional(v.string('must be a string')),
});

const customerGroup = object({
  data: v.nullable(object({ type: v.literal('customer_groups', 'must be "customer_groups"'), id: identifier(64) })),
});

/** The attributes both documents take besides `email`; null clears one on a PATCH. */
const attributes = {
  password: v.optional(v.nullable(password)),
  reference: optionalText(255),
  reference_origin: optionalText(255),
  metadata: v.optional(v.nullable(metadata)),
};

const type = v.literal('customers', 'must be "customers"');
// Its client sends `"relationships": {}` when there are none.
const relationships = v.optional(object({ customer_group: v.optional(v.nullable(customerGroup)) }));

export const customerDocument = object({
  data: object({ type, attributes: object({ email, ...attributes }), relationships }),
});

export type CustomerDocument = v.InferOutput<typeof customerDocument>;

/**
 * PATCH /api/customers/{id}: the resource's `type` and `id` (JSON:API requires both; api.ts checks
 * the id against the path's), and the attributes and relationship to change, each optional.
 */
export const customerPatchDocument = object({
  data: object({
    type,
    id: v.string('must be a string'),
    attributes: v.optional(object({ email: v.optional(email), ...attributes })),
    relationships,
  }),
});

export type CustomerPatchDocument = v.InferOutput<typeof customerPatchDocument>;

/** GET /api/customers/{id}: the customer's 32 hex digits (customers/ids.ts). */
export const customerPath = v.object({ id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'is not a customer id')) });

const PAGE_SIZE = 'must be a whole number from 1 to 25';
const PAGE_NUMBER = 'must be a whole number, 1 or more';
const wholeNumber = (message: string) => v.pipe(v.string(), v.regex(/^\d+$/, message), v.transform(Number));

/**
 * GET /api/customers: `page[size]` (1 to 25, default 10), `page[number]` (from 1, default 1; pages
 * end at MAX_OFFSET_WINDOW customers), `filter[q][email_eq]` (a whole address), `sort`
 * (`created_at`, the default, or `-created_at`). Anything else (other filters, `include`, `fields`)
 * is refused: a filter the store cannot read directly would cost a read of every customer.
 */
export const customerListQuery = v.pipe(
  v.strictObject(
    {
      'page[size]': v.optional(
        v.pipe(wholeNumber(PAGE_SIZE), v.minValue(1, PAGE_SIZE), v.maxValue(25, PAGE_SIZE)),
        '10',
      ),
      'page[number]': v.optional(v.pipe(wholeNumber(PAGE_NUMBER), v.minValue(1, PAGE_NUMBER)), '1'),
      'filter[q][email_eq]': v.optional(email),
      sort: v.optional(v.picklist(['created_at', '-created_at'], 'must be created_at or -created_at')),
    },
    'is not a parameter this route takes',
  ),
  v.forward(
    v.partialCheck(
      [['page[number]'], ['page[size]']],
      (query) => query['page[number]'] * query['page[size]'] <= MAX_OFFSET_WINDOW,
      `times page[size] must be at most ${MAX_OFFSET_WINDOW}: pages deeper than that are not served (sort=-created_at reads the list from its other end)`,
    ),
    ['page[number]'],
  ),
);

export type CustomerListQuery = v.InferOutput<typeof customerListQuery>;
