// Commerce Layer's requests: the client-credentials grant of its token endpoint, and the JSON:API
// document of POST /api/customers.
import * as v from 'valibot';
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

export const customerDocument = object({
  data: object({
    type: v.literal('customers', 'must be "customers"'),
    attributes: object({
      email,
      password: v.optional(v.nullable(password)),
      reference: optionalText(255),
      reference_origin: optionalText(255),
      metadata: v.optional(v.nullable(metadata)),
    }),
    // Its client sends `"relationships": {}` when there are none.
    relationships: v.optional(object({ customer_group: v.optional(v.nullable(customerGroup)) })),
  }),
});

export type CustomerDocument = v.InferOutput<typeof customerDocument>;

/** GET /api/customers/{id}: the customer's 32 hex digits (customers/ids.ts). */
export const customerPath = v.object({ id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'is not a customer id')) });
