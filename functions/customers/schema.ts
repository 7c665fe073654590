// The request body of POST /customers.
import * as v from 'valibot';
import { country, object, optionalEmail, optionalText, orgId, requiredText } from '../schema/fields.ts';

const addressSchema = object({
  line1: optionalText(200),
  line2: optionalText(200),
  city: optionalText(100),
  state: optionalText(100),
  postal_code: optionalText(20),
  country,
});

export const customerRequest = object({
  corporation_id: orgId,
  name: requiredText(3, 200),
  email: optionalEmail,
  external_id: optionalText(255),
  shipping_address: v.optional(v.nullable(addressSchema)),
});

export type CustomerRequest = v.InferOutput<typeof customerRequest>;
