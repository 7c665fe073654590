// Purchasers and their purchases (Reevoo Platform API v4): create-or-update, and read back.
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
// purchaser each add their purchases without overwriting each other's.
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/client.ts';
import { decoder, type Item, read } from '../store/codec.ts';
import { absent, type Condition, differs, exists, or } from '../store/expression.ts';
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

export async function upsertPurchaser(
  store: Store,
  request: UpsertPurchaserInput,
  deps: PurchaserDeps,
): Promise<UpsertPurchaserResult> {
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
  const purchaserId = typeof existing?.id === 'string' ? existing.id : (deps.newPurchaserId ?? newPurchaserId)();
  const toWrite = [...requested.values()].filter(({ key: purchaseKey, purchase }) => {
    const item = stored.get(purchaseKey.sk);
    return (
      !item || isPlaceholder(item) || (purchase.purchase_date != null && item.purchase_date !== purchase.purchase_date)
    );
  });

  const [saved, ...written] = await Promise.all([
    !existing || changesPurchaser(existing, input.fields)
      ? savePurchaser(store, key, input, now, purchaserId)
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

/** The purchaser with all its stored purchases, or undefined when there is none. */
export async function getPurchaser(
  store: Store,
  trkref: string,
  email: string,
): Promise<{ purchaser: Purchaser; purchases: Purchase[] } | undefined> {
  const key = purchaserKey(trkref, email);
  const items = await queryPartition(store, { partition: key.pk, sortKeyPrefix: PURCHASER_FAMILY });
  const purchaser = items.find((item) => item.sk === key.sk);
  if (!purchaser) return undefined;
  return { purchaser: toPurchaser(purchaser), purchases: items.filter((item) => item !== purchaser).map(toPurchase) };
}

/**
 * Sets the sent fields, keeps id and created_at, and counts versions (version 1: created by this
 * request), only if the item is new or a sent field differs from what is stored. When nothing
 * would change, the stored purchaser comes back from the failed condition: it is the answer.
 */
async function savePurchaser(store: Store, key: ItemKey, input: UpsertPurchaserInput, now: string, id: string) {
  const set: Record<string, unknown> = {
    entity: 'purchaser',
    trkref: input.trkref,
    email: input.email,
    updated_at: now,
  };
  const remove: string[] = [];
  const changes: Condition[] = [itemAbsent];
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
    condition: or(...changes),
    returnNew: true,
  });
  if (result.written && result.item) return { item: result.item, created: result.item.version === 1, changed: true };
  // The id this request would set is only there if this request created the purchaser: the SDK
  // retried a write whose first attempt landed (its answer lost), and the retry found it.
  if (!result.written && result.old?.id === id) return { item: result.old, created: true, changed: true };
  if (!result.written && result.old) return { item: result.old, created: false, changed: false };
  throw new Error('purchaser update answered no item');
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
