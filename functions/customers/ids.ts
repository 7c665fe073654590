// A customer's id as each contract shows it. One record, one random id (`cust_` and 32 hex digits,
// customers.ts); the dialects present the same 32 digits with their own prefix, so each reads back
// a customer created through another by the id it shows, without a lookup table:
//
//   native         cust_0123456789abcdef0123456789abcdef
//   KohortPay      cus_0123456789abcdef0123456789abcdef
//   Commerce Layer 0123456789abcdef0123456789abcdef
const HEX = /^[0-9a-f]{32}$/;
const NATIVE = 'cust_';

export type IdDialect = 'kohortpay' | 'commercelayer';
const PREFIX: Record<IdDialect, string> = { kohortpay: 'cus_', commercelayer: '' };

/** The id `dialect` shows for the customer stored under `id`. */
export const presentedId = (id: string, dialect: IdDialect) =>
  id.startsWith(NATIVE) ? PREFIX[dialect] + id.slice(NATIVE.length) : id;

/** The stored id behind an id `dialect` showed, or undefined when it cannot be one (a 404). */
export function storedId(presented: string, dialect: IdDialect): string | undefined {
  const prefix = PREFIX[dialect];
  if (!presented.startsWith(prefix)) return undefined;
  const hex = presented.slice(prefix.length);
  return HEX.test(hex) ? NATIVE + hex : undefined;
}
