// The request body of KohortPay's POST /customers (camelCase), as its API reference lists it.
import * as v from 'valibot';
import { email, metadata, object, optionalPhone, optionalText } from '../schema/fields.ts';

/** Countries are free text in KohortPay (`"France"`, `"US"`): see countryOf in fields.ts. */
const countryText = optionalText(100);

const address = object({
  street: optionalText(200),
  city: optionalText(100),
  state: optionalText(100),
  postalCode: optionalText(20),
  country: countryText,
});

const shippingAddress = object({
  addressLine1: optionalText(200),
  addressLine2: optionalText(200),
  city: optionalText(100),
  postalCode: optionalText(20),
  country: countryText,
  state: optionalText(100),
  companyName: optionalText(200),
  vatNumber: optionalText(50),
  registrationNumber: optionalText(50),
});

export const kohortPayCustomerRequest = object({
  emailAddress: email,
  firstName: optionalText(100),
  lastName: optionalText(100),
  phoneNumber: optionalPhone,
  address: v.optional(v.nullable(address)),
  shippingAddress: v.optional(v.nullable(shippingAddress)),
  metadata: v.optional(v.nullable(metadata)),
  locale: v.optional(v.nullable(v.picklist(['en_US', 'fr_FR'], 'must be en_US or fr_FR'))),
  clientReferenceId: optionalText(255),
});

export type KohortPayCustomerRequest = v.InferOutput<typeof kohortPayCustomerRequest>;

/** GET /customers/{id}: KohortPay's ids are `cus_` and the customer's 32 hex digits (customers/ids.ts). */
export const kohortPayCustomerPath = v.object({
  id: v.pipe(v.string(), v.regex(/^cus_[0-9a-f]{32}$/, 'is not a customer id')),
});
