// Purchasers and their purchases (Reevoo Platform API v4): create-or-update, update, and read back
// (erasure: erasure.ts).
//
// One purchaser per (trkref, normalised email). Its purchases live in the same partition, one item
// each, keyed by order_ref + sku. A create-or-update costs at most two sequential round trips, and
// writes only what changes (a repeat request consumes no write units):
//
//   1. a consistent BatchGetItem of the purchaser and the purchases the request names (up to 100
//      keys a call, calls in parallel);
//   2. in parallel, only what must change: an UpdateItem of the purchaser if it is new or a sent
//      field differs (sets only the fields sent, keeps created_at and id, increments `version`, so
//      version 1 means "created by this request"; conditional on something still changing), and
//      one UpdateItem per purchase not stored yet (or whose purchase_date changes, or that only a
//      review event has seen so far), creating it with `if_not_exists` on its review state and
//      token, so a purchase another request (or a review event) stored meanwhile keeps its state.
//
// No item is read, modified in memory and written back whole: concurrent requests for the same
// purchaser each add their purchases without overwriting each other's. An update of a purchaser
// that was read is conditional on its id: one erased meanwhile is not brought back under that id.
//
// Reading is one Query of the purchaser's partition (sort keys beginning PURCHASE: the purchaser
// and its purchases, not a customer sharing the partition), one round trip per 1 MB of its items.
// Purchases are answered newest first: by when they were registered (created_at, to the second),
// ties by order_ref then sku; a purchase only review events know (pending_order) has no
// registration time and comes last.
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/client.ts';
import { decoder, type Item, read } from '../store/codec.ts';
import { StoreBusyError } from '../store/errors.ts';
import { absent, and, type Condition, differs, equals, exists, or } from '../store/expression.ts';
import { type ItemKey, itemKey, normaliseEmail, PURCHASER_FAMILY, purchaseKeyIn, purchaserKey } from '../store/keys.ts';
import { getItems, queryPartition } from '../store/read.ts';
import { itemAbsent, writeItem } from '../store/write.ts';
import { PURCHASER_FIELDS, type Purchase, type Purchaser, type PurchaserField, REVIEW_STATES } from './model.ts';

export interface PurchaseInput {
  readonly order_ref: string;
  readonly sku: string;
  readonly purchase_date?: string | null | undefined;
}

export interface UpsertPurchaserInput {
  readonly trkref: string;
  readonly email: string;
  /** Only the fields the caller sent: absent keeps the stored value, null clears it. */
  readonly fields: Readonly<Partial<Record<PurchaserField, string | null | undefined>>>;
  readonly purchases: readonly PurchaseInput[];
}

export interface UpsertPurchaserResult {
  /** True when this request created the purchaser. */
  readonly created: boolean;
  /** True when this request wrote anything (false for a repeat that changes nothing). */
  readonly changed: boolean;
  readonly purchaser: Purchaser;
  /** The purchases of the request, in request order (duplicates included), as now stored. */
  readonly purchases: Purchase[];
}

export interface PurchaserDeps {
  readonly now: () => Date;
  readonly newReviewToken: () => string;
  readonly newPurchaserId?: () => string;
}

export const newPurchaserId = () => `pur_${randomBytes(16).toString('hex')}`;

/** ISO 8601 in UTC, to the second: `2014-10-15T13:27:25Z`. */
export const isoSeconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** Creates the purchaser, or updates it, and adds the purchases it has not seen. */
export async function upsertPurchaser(
  store: Store,
  request: UpsertPurchaserInput,
  deps: PurchaserDeps,
): Promise<UpsertPurchaserResult> {
  const result = await save(store, request, deps, false);
  if (!result) throw new Error('a create-or-update answered no purchaser');
  return result;
}

/** As upsertPurchaser, for a purchaser that exists: undefined (nothing written) when there is none. */
export function updatePurchaser(
  store: Store,
  request: UpsertPurchaserInput,
  deps: PurchaserDeps,
): Promise<UpsertPurchaserResult | undefined> {
  return save(store, request, deps, true);
}

async function save(
  store: Store,
  request: UpsertPurchaserInput,
  deps: PurchaserDeps,
  existingOnly: boolean,
): Promise<UpsertPurchaserResult | undefined> {
  const input = { ...request, email: normaliseEmail(request.email) };
  const key = purchaserKey(input.trkref, input.email);
  const now = isoSeconds(deps.now());

  // Each purchase's key, once; same order_ref + sku twice in one request is one purchase, and the
  // last purchase_date sent wins.
  const sent = input.purchases.map((purchase) => ({
    key: purchaseKeyIn(key, purchase.order_ref, purchase.sku),
    purchase,
  }));
  const requested = new Map<string, { key: ItemKey; purchase: PurchaseInput }>();
  for (const { key: purchaseKey, purchase } of sent) {
    const previous = requested.get(purchaseKey.sk)?.purchase;
    requested.set(purchaseKey.sk, {
      key: purchaseKey,
      purchase: { ...purchase, purchase_date: purchase.purchase_date ?? previous?.purchase_date },
    });
  }

  const stored = new Map<string, Item>();
  const found = await getItems(store, [key, ...[...requested.values()].map((r) => r.key)]);
  for (const item of found) stored.set(String(item.sk), item);
  const existing = stored.get(key.sk);
  if (existingOnly && !existing) return undefined;
  const purchaserId = typeof existing?.id === 'string' ? existing.id : (deps.newPurchaserId ?? newPurchaserId)();
  const toWrite = [...requested.values()].filter(({ key: purchaseKey, purchase }) => {
    const item = stored.get(purchaseKey.sk);
    return (
      !item || isPlaceholder(item) || (purchase.purchase_date != null && item.purchase_date !== purchase.purchase_date)
    );
  });

  const [saved, ...written] = await Promise.all([
    !existing || changesPurchaser(existing, input.fields)
      ? savePurchaser(store, key, input, now, purchaserId, existing !== undefined)
      : { item: existing, created: false, changed: false },
    ...toWrite.map((r) => savePurchase(store, r.key, input, r.purchase, now, deps.newReviewToken(), purchaserId)),
  ]);
  const { item: purchaserItem, created, changed } = saved;
  // Two first requests for one purchaser at once: one id won; point this request's purchases at it.
  const purchases =
    purchaserItem.id === purchaserId
      ? written
      : await Promise.all(written.map((item) => repointPurchase(store, item, String(purchaserItem.id))));
  for (const item of purchases) stored.set(String(item.sk), item);

  return {
    created,
    changed: changed || written.length > 0,
    purchaser: toPurchaser(purchaserItem),
    purchases: sent.map(({ key: purchaseKey }) => {
      const item = stored.get(purchaseKey.sk);
      if (!item) throw new Error('a purchase of the request was neither stored nor written');
      return toPurchase(item);
    }),
  };
}

/** The purchaser with all its stored purchases (newest first), or undefined when there is none. */
export async function getPurchaser(
  store: Store,
  trkref: string,
  email: string,
): Promise<{ purchaser: Purchaser; purchases: Purchase[] } | undefined> {
  const found = await readPartition(store, trkref, email);
  return (
    found && { purchaser: toPurchaser(found.purchaser), purchases: found.purchases.map(({ item }) => toPurchase(item)) }
  );
}

/** A page of a purchaser's purchases. */
export interface PurchasesPage {
  readonly purchases: Purchase[];
  /** Where the next page starts, when there is one (opaque: seal it in a cursor). */
  readonly next?: string;
}

/**
 * Up to `limit` of the purchaser's purchases, newest first, from after `after` (a page's `next`);
 * undefined when there is no such purchaser. A position is a place in the order, not an item: a
 * purchase registered since the first page (newer) is not on the later pages, and none is twice.
 */
export async function listPurchases(
  store: Store,
  trkref: string,
  email: string,
  page: { readonly limit: number; readonly after?: string | undefined },
): Promise<PurchasesPage | undefined> {
  const found = await readPartition(store, trkref, email);
  if (!found) return undefined;
  const after = page.after === undefined ? undefined : (JSON.parse(page.after) as Position);
  const rest = after ? found.purchases.filter(({ at }) => byNewest(at, after) > 0) : found.purchases;
  const taken = rest.slice(0, page.limit);
  const last = taken.at(-1);
  return {
    purchases: taken.map(({ item }) => toPurchase(item)),
    ...(rest.length > taken.length && last ? { next: JSON.stringify(last.at) } : {}),
  };
}

/** The purchaser item and its purchases' items, newest first (one Query a MB), or undefined. */
async function readPartition(store: Store, trkref: string, email: string) {
  const key = purchaserKey(trkref, email);
  const items = await queryPartition(store, { partition: key.pk, sortKeyPrefix: PURCHASER_FAMILY });
  const purchaser = items.find((item) => item.sk === key.sk);
  if (!purchaser) return undefined;
  const purchases = items
    .filter((item) => item !== purchaser)
    .map((item) => ({ item, at: positionOf(item) }))
    .sort((a, b) => byNewest(a.at, b.at));
  return { purchaser, purchases };
}

/** Where a purchase stands in the order: when it was registered ("" for none yet), its sort key. */
type Position = readonly [registered: string, sk: string];
const positionOf = (item: Item): Position => [
  typeof item.created_at === 'string' ? item.created_at : '',
  String(item.sk),
];

/** Negative when `a` comes first: newer, or as new with the smaller sort key (order_ref, then sku). */
const byNewest = (a: Position, b: Position) => {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1;
};

/**
 * Sets the sent fields, keeps id and created_at, and counts versions (version 1: created by this
 * request), only if the item is new or a sent field differs from what is stored. When nothing
 * would change, the stored purchaser comes back from the failed condition: it is the answer. A
 * purchaser that was read (`existed`) is only updated while it is still the one with id `id`.
 */
async function savePurchaser(
  store: Store,
  key: ItemKey,
  input: UpsertPurchaserInput,
  now: string,
  id: string,
  existed: boolean,
) {
  const set: Record<string, unknown> = {
    entity: 'purchaser',
    trkref: input.trkref,
    email: input.email,
    updated_at: now,
  };
  const remove: string[] = [];
  const changes: Condition[] = [];
  for (const field of PURCHASER_FIELDS) {
    if (!(field in input.fields)) continue;
    const value = input.fields[field];
    if (value == null) {
      remove.push(field);
      changes.push(exists(field));
    } else {
      set[field] = value;
      changes.push(absent(field), differs(field, value));
    }
  }
  const result = await writeItem(store, {
    update: key,
    changes: { set, remove, setIfAbsent: { id, created_at: now }, add: { version: 1 } },
    condition: existed ? and(equals('id', id), or(...changes)) : or(itemAbsent, ...changes),
    returnNew: true,
  });
  if (result.written && result.item) return { item: result.item, created: result.item.version === 1, changed: true };
  // The id this request would set is only there if this request wrote it: the SDK retried a write
  // whose first attempt landed (its answer lost), and the retry found it.
  if (!result.written && result.old?.id === id) return { item: result.old, created: !existed, changed: true };
  if (!result.written && result.old) return { item: result.old, created: false, changed: false };
  // Read, then gone before the write: erased meanwhile. Repeating the request is safe.
  throw new StoreBusyError('the purchaser was erased during this request');
}

/** Whether writing `fields` would change the stored purchaser. */
function changesPurchaser(item: Item, fields: UpsertPurchaserInput['fields']): boolean {
  return PURCHASER_FIELDS.some((field) => field in fields && (fields[field] ?? null) !== (item[field] ?? null));
}

async function repointPurchase(store: Store, item: Item, purchaserId: string): Promise<Item> {
  const result = await writeItem(store, {
    update: itemKey(item),
    changes: { set: { purchaser_id: purchaserId } },
    returnNew: true,
  });
  return (result.written && result.item) || item;
}

/** A purchase only review events have seen: its order has not arrived (see review-lifecycle.ts). */
const isPlaceholder = (item: Item) => typeof item.review_token !== 'string';

/**
 * Creates the purchase, or completes one a review event stored first: a purchase someone else
 * stored meanwhile keeps its review state, token and age.
 */
async function savePurchase(
  store: Store,
  key: ItemKey,
  owner: UpsertPurchaserInput,
  purchase: PurchaseInput,
  now: string,
  token: string,
  purchaserId: string,
): Promise<Item> {
  const set: Record<string, unknown> = {
    entity: 'purchase',
    trkref: owner.trkref,
    email: owner.email,
    purchaser_id: purchaserId,
    order_ref: purchase.order_ref,
    sku: purchase.sku,
    updated_at: now,
  };
  if (purchase.purchase_date != null) set.purchase_date = purchase.purchase_date;
  const result = await writeItem(store, {
    update: key,
    changes: { set, setIfAbsent: { review_state: 'not_reviewed', review_token: token, created_at: now } },
    returnNew: true,
  });
  if (!result.written || !result.item) throw new Error('purchase update answered no item');
  return result.item;
}

const toPurchaser = decoder<Purchaser>({
  id: read.string,
  trkref: read.string,
  email: read.string,
  title: read.text,
  first_name: read.text,
  surname: read.text,
  country: read.text,
  postcode: read.text,
  created_at: read.string,
  updated_at: read.string,
});

const toPurchase = decoder<Purchase>({
  order_ref: read.string,
  sku: read.string,
  review_state: (value, item) =>
    isPlaceholder(item) ? 'pending_order' : (REVIEW_STATES.find((state) => state === value) ?? 'undefined'),
  review_token: read.text,
  review_url: read.text,
  purchase_date: read.text,
  contacted_at: read.text,
});
