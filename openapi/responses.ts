// The answers of every route, as strict schemas: a body that has a member too many, one too few,
// or one of the wrong type fails them. The API reference (openapi/document.ts) publishes them as
// its response schemas, and the tests hold every answer they receive to them.
import * as v from 'valibot';
import { REVIEW_STATES } from '../functions/purchasers/model.ts';
import { parseEmail } from '../functions/schema/email.ts';

const nullableString = v.nullable(v.string());
const isoSeconds = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/));
const url = v.pipe(v.string(), v.url());
/** An address as the API stores it: valid by its own rules, and already in its stored form. */
const storedEmail = v.pipe(
  v.string(),
  v.check((text) => {
    const parsed = parseEmail(text);
    return 'address' in parsed && parsed.address === text;
  }, 'an address in its stored form'),
);

export const purchaseResponse = v.strictObject({
  purchase_date: v.exactOptional(v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/))),
  contacted_at: v.exactOptional(isoSeconds),
  order_ref: v.string(),
  sku: v.string(),
  review_state: v.picklist(REVIEW_STATES),
  review_url: url,
});

export const purchaserResponse = v.strictObject({
  email: storedEmail,
  title: nullableString,
  first_name: nullableString,
  surname: nullableString,
  country: v.nullable(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/))),
  postcode: nullableString,
  created_at: isoSeconds,
  purchases: v.array(purchaseResponse),
});

/** A purchase as the reads answer it: one only review events know (`pending_order`) has no link yet. */
const storedPurchase = v.strictObject({ ...purchaseResponse.entries, review_url: v.exactOptional(url) });

/** GET /v4/organisations/{trkref}/purchasers/{email}. */
export const purchaserReadResponse = v.strictObject({
  ...purchaserResponse.entries,
  purchases: v.array(storedPurchase),
});

/** GET /v4/organisations/{trkref}/purchasers/{email}/purchases. */
export const purchasesPageResponse = v.strictObject({
  purchases: v.array(storedPurchase),
  next_cursor: v.nullable(v.pipe(v.string(), v.regex(/^[\w-]+\.[\w-]+$/))),
});

export const customerData = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^cust_[0-9a-f]{32}$/)),
  name: v.string(),
  email: v.nullable(storedEmail),
  corporation_id: v.string(),
  external_id: nullableString,
  shipping_address: v.nullable(
    v.strictObject({
      line1: nullableString,
      line2: nullableString,
      city: nullableString,
      state: nullableString,
      postal_code: nullableString,
      country: v.nullable(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/))),
    }),
  ),
  created_at: v.pipe(v.number(), v.integer()),
  source_platform_id: nullableString,
  source_platform: nullableString,
});

export const customerResponse = v.strictObject({
  data: customerData,
  message: v.literal('Successfully created customer.'),
});

/** GET /customers/{id}. */
export const customerReadResponse = v.strictObject({
  data: customerData,
  message: v.literal('Successfully retrieved customer.'),
});

/** PATCH /customers/{id}. */
export const customerUpdateResponse = v.strictObject({
  data: customerData,
  message: v.literal('Successfully updated customer.'),
});

/** GET /customers: a page, and the cursor of the next (null on the last). */
export const customerListResponse = v.strictObject({
  data: v.array(customerData),
  next_cursor: v.nullable(v.pipe(v.string(), v.regex(/^[\w-]+\.[\w-]+$/))),
  message: v.literal('Successfully retrieved customers.'),
});

/**
 * A problem (RFC 9457): open to the extensions some problems carry (`customer_id`, `limit_bytes`,
 * `organisation`...). The purchaser routes repeat `detail` as `message`, where Reevoo's clients
 * read it.
 */
export const problemResponse = v.looseObject({
  type: v.string(),
  title: v.string(),
  status: v.pipe(v.number(), v.integer(), v.minValue(400), v.maxValue(599)),
  detail: v.string(),
  errors: v.exactOptional(v.array(v.strictObject({ pointer: v.string(), detail: v.string() }))),
  message: v.exactOptional(v.string()),
});

const isoMillis = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/));
const nullableObject = v.nullable(v.record(v.string(), v.unknown()));

/** KohortPay's customer, every member its reference lists, each of its type. */
export const kohortPayCustomer = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^cus_[0-9a-f]{32}$/)),
  emailAddress: storedEmail,
  firstName: nullableString,
  lastName: nullableString,
  phoneNumber: nullableString,
  livemode: v.boolean(),
  isBlocked: v.literal(false),
  organizationId: v.pipe(v.string(), v.regex(/^org_/)),
  addressId: v.nullable(v.pipe(v.string(), v.regex(/^adr_[0-9a-f]{24}$/))),
  shippingAddressId: v.nullable(v.pipe(v.string(), v.regex(/^adr_[0-9a-f]{24}$/))),
  metadata: nullableObject,
  createdAt: isoMillis,
  createdBy: nullableString,
  updatedAt: isoMillis,
  blockedAt: v.null(),
  blockedBy: v.null(),
  updatedBy: nullableString,
  deletedAt: v.null(),
});

/** KohortPay's GET /customers: a page of customers and how many the organisation has (for the search). */
export const kohortPayCustomerList = v.strictObject({
  data: v.array(kohortPayCustomer),
  count: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/** KohortPay's DELETE /customers/{id}: the customer document, holding no personal data, `deletedAt` set. */
export const kohortPayErasedCustomer = v.strictObject({
  ...kohortPayCustomer.entries,
  emailAddress: v.null(),
  firstName: v.null(),
  lastName: v.null(),
  phoneNumber: v.null(),
  addressId: v.null(),
  shippingAddressId: v.null(),
  metadata: v.null(),
  deletedAt: isoMillis,
});

/** KohortPay's error. */
export const kohortPayError = v.strictObject({
  error: v.strictObject({
    type: v.string(),
    code: v.string(),
    message: v.string(),
    errors: v.exactOptional(v.array(v.strictObject({ pointer: v.string(), detail: v.string() }))),
  }),
});

const links = v.strictObject({ self: url, related: url });

/** Commerce Layer's customer resource document. */
export const commerceLayerCustomer = v.strictObject({
  data: v.strictObject({
    id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
    type: v.literal('customers'),
    links: v.strictObject({ self: url }),
    attributes: v.strictObject({
      email: storedEmail,
      status: v.literal('prospect'),
      has_password: v.boolean(),
      created_at: isoMillis,
      updated_at: isoMillis,
      reference: nullableString,
      reference_origin: nullableString,
      metadata: v.record(v.string(), v.unknown()),
    }),
    relationships: v.strictObject({
      customer_group: v.strictObject({ links }),
      customer_addresses: v.strictObject({ links }),
      customer_payment_sources: v.strictObject({ links }),
      customer_subscriptions: v.strictObject({ links }),
      orders: v.strictObject({ links }),
      order_subscriptions: v.strictObject({ links }),
      returns: v.strictObject({ links }),
      attachments: v.strictObject({ links }),
    }),
    meta: v.strictObject({ mode: v.picklist(['live', 'test']) }),
  }),
});

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Commerce Layer's GET /api/customers: a page of resources, the counts, the links to other pages. */
export const commerceLayerCustomerList = v.strictObject({
  data: v.array(commerceLayerCustomer.entries.data),
  meta: v.strictObject({ record_count: count, page_count: count }),
  links: v.strictObject({ first: url, prev: v.exactOptional(url), next: v.exactOptional(url), last: url }),
});

/** Commerce Layer's errors. */
export const commerceLayerErrors = v.strictObject({
  errors: v.pipe(
    v.array(
      v.strictObject({
        title: v.string(),
        detail: v.string(),
        code: v.string(),
        status: v.pipe(v.string(), v.regex(/^[45]\d\d$/)),
        // A JSON pointer into the body, or the query parameter at fault.
        source: v.exactOptional(
          v.strictObject({ pointer: v.exactOptional(v.string()), parameter: v.exactOptional(v.string()) }),
        ),
        meta: v.exactOptional(v.record(v.string(), v.unknown())),
      }),
    ),
    v.minLength(1),
  ),
});

/** The token endpoint's answer. */
export const accessTokenResponse = v.strictObject({
  access_token: v.pipe(v.string(), v.regex(/^[\w-]+\.[\w-]+\.[\w-]+$/)),
  token_type: v.literal('bearer'),
  expires_in: v.pipe(v.number(), v.integer(), v.minValue(1)),
  scope: v.string(),
  created_at: v.pipe(v.number(), v.integer()),
});
