// KohortPay's customer contract over the registry's customers: its requests in (camelCase, free-text
// countries), its customer document out (its error shape: errors.ts). Nothing here touches the store.
import type { Address, AddressInput, Customer, CustomerChanges, NewCustomer } from '../customers/customers.ts';
import { presentedId } from '../customers/ids.ts';
import type { Principal } from '../http/principal.ts';
import { countryOf } from '../schema/fields.ts';
import type {
  KohortPayAddress,
  KohortPayCustomerPatch,
  KohortPayCustomerRequest,
  KohortPayShippingAddress,
} from './schema.ts';

/** The native name of a customer KohortPay names: first and last names joined, null without either. */
const fullName = (first: string | null | undefined, last: string | null | undefined) =>
  [first, last].filter(Boolean).join(' ') || null;

/** The members of KohortPay's address that it sends (a country only when it sends one). */
const billingAddressOf = (address: KohortPayAddress): AddressInput => ({
  line1: address.street,
  city: address.city,
  state: address.state,
  postal_code: address.postalCode,
  ...(address.country === undefined ? {} : countryOf(address.country)),
});

const shippingAddressOf = (shipping: KohortPayShippingAddress): AddressInput => ({
  line1: shipping.addressLine1,
  line2: shipping.addressLine2,
  city: shipping.city,
  state: shipping.state,
  postal_code: shipping.postalCode,
  ...(shipping.country === undefined ? {} : countryOf(shipping.country)),
  company_name: shipping.companyName,
  vat_number: shipping.vatNumber,
  registration_number: shipping.registrationNumber,
});

/** The customer a KohortPay request describes, for the organisation it acts for. */
export function fromKohortPay(body: KohortPayCustomerRequest, organisation: string, principal: Principal): NewCustomer {
  return {
    corporation_id: organisation,
    email: body.emailAddress,
    name: fullName(body.firstName, body.lastName),
    first_name: body.firstName ?? null,
    last_name: body.lastName ?? null,
    phone: body.phoneNumber ?? null,
    locale: body.locale ?? null,
    external_id: body.clientReferenceId ?? null,
    metadata: body.metadata ?? null,
    billing_address: body.address && billingAddressOf(body.address),
    shipping_address: body.shippingAddress && shippingAddressOf(body.shippingAddress),
    source_platform: principal.platform,
    created_by: principal.keyId,
    mode: principal.mode,
  };
}

/** `current` with the members `sent` holds (undefined ones are not sent). */
const merged = (current: Address | null, sent: AddressInput): AddressInput => ({
  ...current,
  ...Object.fromEntries(Object.entries(sent).filter(([, value]) => value !== undefined)),
});

/**
 * The changes a PATCH makes to `current`: absent members keep, null clears, each address merges onto
 * the stored one, metadata is replaced whole. The native name follows the first and last names while
 * it is theirs (set by KohortPay, or none): a name given through the native contract is kept.
 */
export function kohortPayChanges(patch: KohortPayCustomerPatch, current: Customer): CustomerChanges {
  const renamed = patch.firstName !== undefined || patch.lastName !== undefined;
  const nameIsDerived = current.name === fullName(current.first_name, current.last_name);
  return {
    email: patch.emailAddress,
    first_name: patch.firstName,
    last_name: patch.lastName,
    ...(renamed && nameIsDerived
      ? {
          name: fullName(
            patch.firstName === undefined ? current.first_name : patch.firstName,
            patch.lastName === undefined ? current.last_name : patch.lastName,
          ),
        }
      : {}),
    phone: patch.phoneNumber,
    locale: patch.locale,
    external_id: patch.clientReferenceId,
    metadata: patch.metadata,
    billing_address:
      patch.address === undefined
        ? undefined
        : patch.address && merged(current.billing_address, billingAddressOf(patch.address)),
    shipping_address:
      patch.shippingAddress === undefined
        ? undefined
        : patch.shippingAddress && merged(current.shipping_address, shippingAddressOf(patch.shippingAddress)),
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
  deletedAt: null as string | null,
});

/**
 * The document DELETE answers, as KohortPay's does (the customer, `deletedAt` set), with none of the
 * erased customer's personal data: only what the tombstone keeps (id, organisation, mode, creation)
 * and who erased it when. Built member by member, so no personal field can slip through.
 */
export function toKohortPayErased(customer: Customer, erasedAt: string, erasedBy: string | null) {
  const anonymous: Customer = {
    id: customer.id,
    corporation_id: customer.corporation_id,
    mode: customer.mode,
    created_at: customer.created_at,
    created_by: customer.created_by,
    updated_at: erasedAt,
    updated_by: erasedBy,
    email: null,
    name: null,
    first_name: null,
    last_name: null,
    phone: null,
    locale: null,
    external_id: null,
    reference_origin: null,
    shipping_address: null,
    billing_address: null,
    metadata: null,
    has_password: false,
    customer_group_id: null,
    source_platform: null,
    source_platform_id: null,
  };
  return { ...toKohortPay(anonymous), deletedAt: erasedAt };
}
