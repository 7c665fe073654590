// KohortPay's requests, as its API reference lists them: the body of POST /customers and of
// PATCH /customers/{id} (camelCase), the path of the routes by id, and the list's query string.
import * as v from 'valibot';
import { MAX_OFFSET_WINDOW } from '../customers/customers.ts';
import { parseEmail } from '../schema/email.ts';
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

/** A customer's members as the create takes them; the patch takes each as optional. */
const customerFields = {
  emailAddress: email,
  firstName: optionalText(100),
  lastName: optionalText(100),
  phoneNumber: optionalPhone,
  address: v.optional(v.nullable(address)),
  shippingAddress: v.optional(v.nullable(shippingAddress)),
  metadata: v.optional(v.nullable(metadata)),
  locale: v.optional(v.nullable(v.picklist(['en_US', 'fr_FR'], 'must be en_US or fr_FR'))),
  clientReferenceId: optionalText(255),
};

export const kohortPayCustomerRequest = object(customerFields);

export type KohortPayCustomerRequest = v.InferOutput<typeof kohortPayCustomerRequest>;
export type KohortPayAddress = NonNullable<KohortPayCustomerRequest['address']>;
export type KohortPayShippingAddress = NonNullable<KohortPayCustomerRequest['shippingAddress']>;

/**
 * PATCH /customers/{id}: the create's members, each optional. An absent member keeps its value;
 * null clears (the email, which identifies the customer, cannot be cleared); an address merges
 * member by member onto the stored one (null clears it); metadata is replaced as a whole.
 * `deletedAt`, the only member KohortPay's page lists, may only be null: DELETE erases.
 */
export const kohortPayCustomerPatch = object({
  ...customerFields,
  emailAddress: v.optional(email),
  deletedAt: v.optional(
    v.null('must be null: a customer is deleted with DELETE /compat/kohortpay/customers/{id}, which erases it'),
  ),
});

export type KohortPayCustomerPatch = v.InferOutput<typeof kohortPayCustomerPatch>;

/** The routes by id: KohortPay's ids are `cus_` and the customer's 32 hex digits (customers/ids.ts). */
export const kohortPayCustomerPath = v.object({
  id: v.pipe(v.string(), v.regex(/^cus_[0-9a-f]{32}$/, 'is not a customer id')),
});

const TAKE = 'must be a whole number from 0 to 100';
const SKIP = 'must be a whole number, 0 or more';
const SEARCH = "must be a customer's whole email address: other searches (names, partial matches) are not supported";

/** A customer's email address as stored (email.ts), or the issue that search supports nothing else. */
const searchEmail = v.pipe(
  v.string(),
  v.trim(),
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const parsed = parseEmail(dataset.value);
    if ('address' in parsed) return parsed.address;
    addIssue({ message: SEARCH });
    return NEVER;
  }),
);

/**
 * GET /customers: `take` (0 to 100, default 25), `skip` (default 0; skip + take at most
 * MAX_OFFSET_WINDOW), `orderBy` (`createdAt:asc`, the default, or `createdAt:desc`), `search` (one
 * customer's whole email address). `expand` is refused: no related record is expanded.
 */
export const kohortPayListQuery = v.pipe(
  v.strictObject(
    {
      take: v.optional(
        v.pipe(v.string(), v.regex(/^\d{1,3}$/, TAKE), v.transform(Number), v.maxValue(100, TAKE)),
        '25',
      ),
      skip: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, SKIP), v.transform(Number)), '0'),
      orderBy: v.optional(
        v.picklist(['createdAt:asc', 'createdAt:desc'], 'must be createdAt:asc or createdAt:desc'),
        'createdAt:asc',
      ),
      search: v.optional(searchEmail),
      expand: v.optional(
        v.never(
          'is not supported: customers are answered with the ids of their related records (organizationId, addressId, shippingAddressId)',
        ),
      ),
    },
    'is not a parameter this route takes',
  ),
  v.forward(
    v.partialCheck(
      [['skip'], ['take']],
      ({ skip, take }) => skip + take <= MAX_OFFSET_WINDOW,
      `plus take must be at most ${MAX_OFFSET_WINDOW}: pages deeper than that are not served (orderBy=createdAt:desc reads the list from its other end)`,
    ),
    ['skip'],
  ),
);

export type KohortPayListQuery = v.InferOutput<typeof kohortPayListQuery>;
