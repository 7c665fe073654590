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
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { registryTable } from '../../lib/table.ts';
import { normaliseEmail, personKey, PURCHASER_FAMILY_PREFIX, PURCHASER_SK, purchaseSk } from '../shared/keys.ts';
import { queryAll, sleep, type Store } from '../shared/store.ts';
import { StoreBusyError } from '../shared/store-errors.ts';
import { buildUpdate } from '../shared/update-expression.ts';
import { PURCHASER_FIELDS, type Purchase, type Purchaser, REVIEW_STATES, type PurchaserField, type ReviewState } from './model.ts';

const PK = registryTable.partitionKey;
const SK = registryTable.sortKey;

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
  const pk = personKey(input.trkref, input.email);
  const now = isoSeconds(deps.now());

  // Same order_ref + sku twice in one request is one purchase; the last purchase_date sent wins.
  const requested = new Map<string, PurchaseInput>();
  for (const purchase of input.purchases) {
    const sk = purchaseSk(purchase.order_ref, purchase.sku);
    const previous = requested.get(sk);
    requested.set(sk, { ...purchase, purchase_date: purchase.purchase_date ?? previous?.purchase_date });
  }

  const stored = await readItems(store, pk, [PURCHASER_SK, ...requested.keys()]);
  const existing = stored.get(PURCHASER_SK);
  const purchaserId = typeof existing?.id === 'string' ? existing.id : (deps.newPurchaserId ?? newPurchaserId)();
  const toWrite = [...requested].filter(([sk, purchase]) => {
    const item = stored.get(sk);
    return (
      !item ||
      isPlaceholder(item) ||
      (purchase.purchase_date != null && item.purchase_date !== purchase.purchase_date)
    );
  });

  const [saved, ...written] = await Promise.all([
    !existing || differs(existing, input.fields)
      ? savePurchaser(store, pk, input, now, purchaserId)
      : { item: existing, created: false, changed: false },
    ...toWrite.map(([, purchase]) => savePurchase(store, pk, input, purchase, now, deps.newReviewToken(), purchaserId)),
  ]);
  const { item: purchaserItem, created, changed } = saved;
  // Two first requests for one purchaser at once: one id won; point this request's purchases at it.
  const purchases =
    purchaserItem.id === purchaserId
      ? written
      : await Promise.all(written.map((item) => repointPurchase(store, item, purchaserItem.id as string)));
  for (const item of purchases) stored.set(item[SK] as string, item);

  return {
    created,
    changed: changed || written.length > 0,
    purchaser: toPurchaser(purchaserItem),
    purchases: input.purchases.map((p) => toPurchase(stored.get(purchaseSk(p.order_ref, p.sku))!)),
  };
}

/** The purchaser with all its stored purchases, or undefined when there is none. */
export async function getPurchaser(
  store: Store,
  trkref: string,
  email: string,
): Promise<{ purchaser: Purchaser; purchases: Purchase[] } | undefined> {
  const items = await queryAll(store, {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :family)',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
    ExpressionAttributeValues: { ':pk': personKey(trkref, email), ':family': PURCHASER_FAMILY_PREFIX },
    ConsistentRead: true,
  });
  const purchaser = items.find((item) => item[SK] === PURCHASER_SK);
  if (!purchaser) return undefined;
  return { purchaser: toPurchaser(purchaser), purchases: items.filter((item) => item !== purchaser).map(toPurchase) };
}

async function savePurchaser(store: Store, pk: string, input: UpsertPurchaserInput, now: string, id: string) {
  const set: Record<string, unknown> = { entity: 'purchaser', trkref: input.trkref, email: input.email, updated_at: now };
  const remove: string[] = [];
  // The update happens only if the item is new or one of the sent fields differs from what is stored.
  const names: Record<string, string> = { '#pk': PK };
  const values: Record<string, unknown> = {};
  const changes = ['attribute_not_exists(#pk)'];
  for (const [i, field] of PURCHASER_FIELDS.entries()) {
    if (!(field in input.fields)) continue;
    names[`#f${i}`] = field;
    const value = input.fields[field];
    if (value == null) {
      remove.push(field);
      changes.push(`attribute_exists(#f${i})`);
    } else {
      set[field] = value;
      values[`:f${i}`] = value;
      changes.push(`attribute_not_exists(#f${i}) OR #f${i} <> :f${i}`);
    }
  }
  const update = buildUpdate({ set, remove, setIfAbsent: { id, created_at: now }, add: { version: 1 } });
  try {
    const output = await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { [PK]: pk, [SK]: PURCHASER_SK },
        ...update,
        ConditionExpression: changes.join(' OR '),
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...names },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...values },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { item: output.Attributes!, created: output.Attributes!.version === 1, changed: true };
  } catch (error) {
    // Nothing to change: the stored purchaser is the answer.
    if (error instanceof ConditionalCheckFailedException && error.Item) {
      return { item: unmarshall(error.Item), created: false, changed: false };
    }
    throw error;
  }
}

/** Whether writing `fields` would change the stored purchaser. */
function differs(item: Record<string, unknown>, fields: UpsertPurchaserInput['fields']): boolean {
  return PURCHASER_FIELDS.some((field) => field in fields && (fields[field] ?? null) !== (item[field] ?? null));
}

async function repointPurchase(store: Store, item: Record<string, unknown>, purchaserId: string) {
  const output = await store.doc.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: { [PK]: item[PK], [SK]: item[SK] },
      ...buildUpdate({ set: { purchaser_id: purchaserId } }),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return output.Attributes!;
}

/** A purchase only review events have seen: its order has not arrived (see review-lifecycle.ts). */
const isPlaceholder = (item: Record<string, unknown>) => typeof item.review_token !== 'string';

async function savePurchase(
  store: Store,
  pk: string,
  owner: UpsertPurchaserInput,
  purchase: PurchaseInput,
  now: string,
  token: string,
  purchaserId: string,
) {
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
  const output = await store.doc.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: { [PK]: pk, [SK]: purchaseSk(purchase.order_ref, purchase.sku) },
      ...buildUpdate({
        set,
        // A purchase someone else stored meanwhile keeps its review state, token and age.
        setIfAbsent: { review_state: 'not_reviewed', review_token: token, created_at: now },
      }),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return output.Attributes!;
}

const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 5;

/** The items of one partition with these sort keys, by sort key (strongly consistent). */
async function readItems(store: Store, pk: string, sortKeys: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const chunks: string[][] = [];
  for (let i = 0; i < sortKeys.length; i += BATCH_GET_LIMIT) chunks.push(sortKeys.slice(i, i + BATCH_GET_LIMIT));
  await Promise.all(
    chunks.map(async (chunk) => {
      let keys: Record<string, unknown>[] = chunk.map((sk) => ({ [PK]: pk, [SK]: sk }));
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > BATCH_GET_ATTEMPTS) throw new StoreBusyError('batch read kept returning unprocessed keys');
        if (attempt > 1) await sleep(Math.random() * 25 * 2 ** attempt); // full jitter
        const output = await store.doc.send(
          new BatchGetCommand({ RequestItems: { [store.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of output.Responses?.[store.tableName] ?? []) found.set(item[SK] as string, item);
        keys = output.UnprocessedKeys?.[store.tableName]?.Keys ?? [];
      }
    }),
  );
  return found;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function toPurchaser(item: Record<string, unknown>): Purchaser {
  return {
    id: item.id as string,
    trkref: item.trkref as string,
    email: item.email as string,
    title: text(item.title),
    first_name: text(item.first_name),
    surname: text(item.surname),
    country: text(item.country),
    postcode: text(item.postcode),
    created_at: item.created_at as string,
    updated_at: item.updated_at as string,
  };
}

export function toPurchase(item: Record<string, unknown>): Purchase {
  const state = item.review_state as ReviewState;
  return {
    order_ref: item.order_ref as string,
    sku: item.sku as string,
    review_state: isPlaceholder(item) ? 'pending_order' : REVIEW_STATES.includes(state) ? state : 'undefined',
    review_token: text(item.review_token),
    review_url: text(item.review_url),
    purchase_date: text(item.purchase_date),
    contacted_at: text(item.contacted_at),
  };
}
