// Bare twin of KohortPayCreateCustomer: the API key, the organisation it acts for, the record and
// id item createCustomer stores for a KohortPay request (the same fields, both addresses with their
// ids, metadata as JSON text) in one transaction, KohortPay's customer document.
import {
  createCustomerBare,
  fullNameBare,
  json,
  kohortPayBillingBare,
  kohortPayCustomerBare,
  kohortPayShippingBare,
  withCaller,
} from './shared.ts';

export const handler = withCaller('api-key', 'kohortpay', async ({ principal, org }, event) => {
  const body = JSON.parse(event.body ?? '{}');
  const item = await createCustomerBare({
    org,
    email: body.emailAddress,
    principal,
    fields: {
      name: fullNameBare(body.firstName, body.lastName),
      first_name: body.firstName,
      last_name: body.lastName,
      phone: body.phoneNumber,
      locale: body.locale,
      external_id: body.clientReferenceId,
    },
    addresses: {
      billing_address: kohortPayBillingBare(body.address),
      shipping_address: kohortPayShippingBare(body.shippingAddress),
    },
    metadata: body.metadata,
  });
  if (!item) return json(409, { error: { type: 'invalid_request_error', code: 'customer_already_exists' } });
  return json(201, kohortPayCustomerBare(item));
});
