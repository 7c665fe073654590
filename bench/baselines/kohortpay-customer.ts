// Bare twin of KohortPayCreateCustomer: the API key, the organisation it acts for, one PutItem of
// the item createCustomer stores for a KohortPay request (the same fields, both addresses with
// their ids, metadata as JSON text), KohortPay's customer document.
import { COUNTRY_CODES } from '../../functions/schema/countries.ts';
import { type BareHttpEvent, createCustomerBare, dialectCallerBare, json, kohortPayCustomerBare } from './shared.ts';

/** KohortPay's countries are free text: a code is stored as one, anything else as the name (fields.ts countryOf). */
const country = (value: string | undefined) =>
  value && /^[A-Za-z]{2}$/.test(value) && COUNTRY_CODES.has(value.toUpperCase())
    ? { country: value.toUpperCase() }
    : { country_name: value };

export const handler = async (event: BareHttpEvent) => {
  const caller = await dialectCallerBare(event, 'api-key');
  if (typeof caller === 'number') return json(caller, { error: { code: String(caller) } });
  const { principal, org } = caller;
  const body = JSON.parse(event.body ?? '{}');
  const { address: billing, shippingAddress: shipping } = body;
  const item = await createCustomerBare({
    org,
    email: body.emailAddress,
    principal,
    fields: {
      name: [body.firstName, body.lastName].filter(Boolean).join(' ') || null,
      first_name: body.firstName,
      last_name: body.lastName,
      phone: body.phoneNumber,
      locale: body.locale,
      external_id: body.clientReferenceId,
    },
    addresses: {
      billing_address: billing && {
        line1: billing.street,
        city: billing.city,
        state: billing.state,
        postal_code: billing.postalCode,
        ...country(billing.country),
      },
      shipping_address: shipping && {
        line1: shipping.addressLine1,
        line2: shipping.addressLine2,
        city: shipping.city,
        state: shipping.state,
        postal_code: shipping.postalCode,
        ...country(shipping.country),
        company_name: shipping.companyName,
        vat_number: shipping.vatNumber,
        registration_number: shipping.registrationNumber,
      },
    },
    metadata: body.metadata,
  });
  if (!item) return json(409, { error: { type: 'invalid_request_error', code: 'customer_already_exists' } });
  return json(201, kohortPayCustomerBare(item));
};
