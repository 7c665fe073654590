// KohortPay's customer contract over the registry's customers: its request in (camelCase, free-text
// countries), its customer document out (its error shape: errors.ts). Nothing here touches the store.
import type { Customer, NewCustomer } from '../customers/customers.ts';
import { presentedId } from '../customers/ids.ts';
import type { Principal } from '../http/principal.ts';
import { countryOf } from '../schema/fields.ts';
import type { KohortPayCustomerRequest } from './schema.ts';

/** The customer a KohortPay request describes, for the organisation it acts for. */
export function fromKohortPay(body: KohortPayCustomerRequest, organisation: string, principal: Principal): NewCustomer {
  const { address, shippingAddress: shipping } = body;
  const name = [body.firstName, body.lastName].filter(Boolean).join(' ');
  return {
    corporation_id: organisation,
    email: body.emailAddress,
    name: name || null,
    first_name: body.firstName ?? null,
    last_name: body.lastName ?? null,
    phone: body.phoneNumber ?? null,
    locale: body.locale ?? null,
    external_id: body.clientReferenceId ?? null,
    metadata: body.metadata ?? null,
    billing_address: address && {
      line1: address.street,
      city: address.city,
      state: address.state,
      postal_code: address.postalCode,
      ...countryOf(address.country),
    },
    shipping_address: shipping && {
      line1: shipping.addressLine1,
      line2: shipping.addressLine2,
      city: shipping.city,
      state: shipping.state,
      postal_code: shipping.postalCode,
      ...countryOf(shipping.country),
      company_name: shipping.companyName,
      vat_number: shipping.vatNumber,
      registration_number: shipping.registrationNumber,
    },
    source_platform: principal.platform,
    created_by: principal.keyId,
    mode: principal.mode,
  };
}

/** KohortPay's customer document: every field its reference lists, with its types. */
export const toKohortPay = (customer: Customer) => ({
  id: presentedId(customer.id, 'kohortpay'),
  emailAddress: customer.email,
  firstName: customer.first_name,
  lastName: customer.last_name,
  phoneNumber: customer.phone,
  livemode: customer.mode === 'live',
  isBlocked: false,
  organizationId: `org_${customer.corporation_id}`,
  addressId: customer.billing_address?.id ?? null,
  shippingAddressId: customer.shipping_address?.id ?? null,
  metadata: customer.metadata,
  createdAt: customer.created_at,
  createdBy: customer.created_by,
  updatedAt: customer.updated_at,
  blockedAt: null,
  blockedBy: null,
  updatedBy: customer.updated_by,
  deletedAt: null,
});
