// How IAM judges a request against the statement the stack makes of a table grant
// (lib/registry-function.ts): for the tests that hold the route table's grants to what the
// handlers send (least-privilege.test.ts) and the item kinds to the keys keys.ts builds.
import type { TableGrant } from '../../contract/routes.ts';
import { itemKinds } from '../../contract/table.ts';

/** One request as IAM authorises it: an action, on the table or an index, for these partition keys. */
export interface Access {
  readonly action: string;
  readonly index?: string;
  readonly partitions: readonly string[];
}

/** IAM's StringLike: `*` is any run of characters (none included), `?` exactly one; case-sensitive. */
export const stringLike = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`,
    's',
  ).test(value);

/** Where a kind of item is: undefined for the table, else the index it is listed in. */
export const placeOf = (kind: (typeof itemKinds)[keyof typeof itemKinds]): string | undefined =>
  'index' in kind ? kind.index : undefined;

/**
 * Whether the statement made of `grant` allows `access`: one of its actions, on its table or
 * index, and (ForAllValues:StringLike on dynamodb:LeadingKeys) every partition key of the request
 * matching one of its kinds' patterns.
 */
export function allows(grant: TableGrant, access: Access): boolean {
  const kinds = grant.items.map((item) => itemKinds[item]);
  return (
    (grant.tableActions as readonly string[]).includes(access.action) &&
    kinds.some((kind) => placeOf(kind) === access.index) &&
    access.partitions.every((partition) => kinds.some((kind) => stringLike(kind.partition, partition)))
  );
}
