// The native customer routes' requests: the body of POST /customers and of PATCH /customers/{id},
// the path of the routes by id, and the query strings.
import * as v from 'valibot';
import {
  country,
  email,
  maxChars,
  NOT_A_PARAMETER,
  object,
  optionalEmail,
  optionalText,
  orgId,
  pageCursor,
  pageLimit,
  requiredText,
} from '../schema/fields.ts';

const addressSchema = object({
  line1: optionalText(200),
  line2: optionalText(200),
  city: optionalText(100),
  state: optionalText(100),
  postal_code: optionalText(20),
  country,
});

/** A customer's fields, as the create requires them; a patch takes each as optional. */
const customerFields = {
  name: requiredText(3, 200),
  email: optionalEmail,
  external_id: optionalText(255),
  shipping_address: v.optional(v.nullable(addressSchema)),
};

export const customerRequest = object({ corporation_id: orgId, ...customerFields });

export type CustomerRequest = v.InferOutput<typeof customerRequest>;

/**
 * The body of PATCH /customers/{id}, a JSON merge patch (RFC 7396): an absent member is kept, null
 * clears (the name is required, so it cannot be), and `shipping_address` merges member by member
 * (null clears the whole address). `corporation_id` may only repeat the customer's own.
 */
export const customerPatch = object({
  ...customerFields,
  corporation_id: v.optional(orgId),
  name: v.optional(customerFields.name),
});

export type CustomerPatch = v.InferOutput<typeof customerPatch>;
export type AddressPatch = NonNullable<CustomerPatch['shipping_address']>;

/** The path of the routes by id: a native customer id, or 404. */
export const customerPath = v.object({
  id: v.pipe(v.string(), v.regex(/^cust_[0-9a-f]{32}$/, 'is not a customer id')),
});

const NOT_TAKEN = NOT_A_PARAMETER;

/** The query string of the routes by id: the organisation (checked against the key by the boundary), nothing else. */
export const customerQuery = v.strictObject({ corporation_id: v.optional(v.string()) }, NOT_TAKEN);

const filterText = (max: number) => v.pipe(v.string(), v.trim(), v.nonEmpty('must not be empty'), maxChars(max));

/** The query string of GET /customers: page size, cursor and filters. */
export const customerListQuery = v.strictObject(
  {
    corporation_id: v.optional(v.string()),
    limit: pageLimit,
    cursor: pageCursor,
    email: v.optional(email),
    external_id: v.optional(filterText(255)),
    source_platform: v.optional(filterText(100)),
  },
  NOT_TAKEN,
);
