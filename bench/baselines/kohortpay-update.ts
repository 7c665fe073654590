// Bare twin of KohortPayUpdateCustomer: the API key, the organisation it acts for, the record by id
// (two GetItems), the members sent merged onto it (the native name following the first and last
// names while it is theirs, each address merged member by member) and put back on condition of its
// version, KohortPay's customer document.
import {
  fullNameBare,
  json,
  kohortPayBillingBare,
  kohortPayCustomerBare,
  kohortPayShippingBare,
  patched,
  patchedAddress,
  refusal,
  type Stored,
  text,
  updateCustomerBare,
  withCaller,
} from './shared.ts';

export const handler = withCaller('api-key', 'kohortpay', async ({ principal, org }, event) => {
  const patch = JSON.parse(event.body ?? '{}');
  const change = (record: Stored) => {
    const next = patched(record, {
      first_name: patch.firstName,
      last_name: patch.lastName,
      phone: patch.phoneNumber,
      locale: patch.locale,
      external_id: patch.clientReferenceId,
      metadata: patch.metadata === undefined ? undefined : patch.metadata && JSON.stringify(patch.metadata),
    });
    const derived = text(record, 'name') === fullNameBare(text(record, 'first_name'), text(record, 'last_name'));
    const renamed = patch.firstName !== undefined || patch.lastName !== undefined;
    const named =
      renamed && derived
        ? patched(next, { name: fullNameBare(text(next, 'first_name'), text(next, 'last_name')) })
        : next;
    return patchedAddress(
      patchedAddress(named, 'billing_address', kohortPayBillingBare(patch.address)),
      'shipping_address',
      kohortPayShippingBare(patch.shippingAddress),
    );
  };
  const id = event.pathParameters?.id ?? '';
  const item = await updateCustomerBare(org, `cust_${id.slice('cus_'.length)}`, principal, change);
  return item ? json(200, kohortPayCustomerBare(item)) : refusal.kohortpay(404);
});
