// Erasing a purchaser (GDPR): its item and every purchase item of its partition are deleted, a
// tombstone without personal data keeps its id and organisation (so ids stay unique, and the
// stream announces `purchaser.erased`), and the stored answers (Idempotency-Key) filed under it go.
//
// Safe to repeat after a partial failure: the purchaser item, through which a repeat finds
// everything else, goes last, together with the tombstone's write (one transaction). Until then
// nothing is lost for a repeat; from then on, reads answer 404 and the email may be registered
// again (a new purchaser, a new id).
//
//   1. Query the partition (sort keys PURCHASE…; a customer sharing it is another resource and
//      stays), one round trip per 1 MB of the purchaser's items;
//   2. in parallel: delete its purchases (BatchWriteItem, 25 a call, unprocessed items retried) and
//      its stored answers (a Query of the lookup index, a DeleteItem each);
//   3. one transaction: delete the purchaser item (while it still has the id read) and put the
//      tombstone;
//   4. in parallel, what concurrent requests added while this ran: purchases of this purchaser
//      (a second Query of the partition) and stored answers.
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { forgetAnswersAbout } from '../http/idempotency.ts';
import type { Store } from '../store/client.ts';
import type { Item } from '../store/codec.ts';
import { StoreBusyError } from '../store/errors.ts';
import { equals } from '../store/expression.ts';
import {
  type ItemKey,
  itemKey,
  PURCHASER_FAMILY,
  purchaserKey,
  purchaserTombstoneKey,
  replaysPartition,
} from '../store/keys.ts';
import { queryPartition } from '../store/read.ts';
import { writeItems } from '../store/write.ts';
import { isoSeconds } from './purchasers.ts';

export interface ErasedPurchaser {
  readonly id: string;
  /** How many purchase items were deleted with it. */
  readonly purchases: number;
}

/** Erases the purchaser `email` of `trkref`: undefined (nothing done) when there is none. */
export async function erasePurchaser(
  store: Store,
  trkref: string,
  email: string,
  deps: { readonly now: () => Date },
): Promise<ErasedPurchaser | undefined> {
  const key = purchaserKey(trkref, email);
  const items = await queryPartition(store, { partition: key.pk, sortKeyPrefix: PURCHASER_FAMILY });
  const purchaser = items.find((item) => item.sk === key.sk);
  if (!purchaser || typeof purchaser.id !== 'string') return undefined;
  const { id } = purchaser;
  const purchases = items.filter((item) => item !== purchaser);
  const subject = replaysPartition(trkref, id);

  await Promise.all([deleteItems(store, purchases.map(itemKey)), forgetAnswersAbout(store, subject)]);
  await writeItems(store, [
    // Failed only if another erasure took it first (or it is already another purchaser's): done either way.
    { delete: key, condition: equals('id', id) },
    {
      put: {
        ...purchaserTombstoneKey(trkref, id),
        entity: 'purchaser-erased',
        id,
        trkref,
        created_at: purchaser.created_at,
        erased_at: isoSeconds(deps.now()),
        purchases: purchases.length,
      },
    },
  ]);
  const [left] = await Promise.all([
    queryPartition(store, { partition: key.pk, sortKeyPrefix: PURCHASER_FAMILY }),
    forgetAnswersAbout(store, subject),
  ]);
  await deleteItems(store, left.filter((item) => item.purchaser_id === id).map(itemKey));
  return { id, purchases: purchases.length };
}

/** BatchWriteItem's limit. */
const BATCH_WRITE_LIMIT = 25;
/** Calls in flight at once: a purchaser with thousands of purchases does not send hundreds together. */
const BATCH_WRITE_PARALLEL = 8;
const BATCH_WRITE_ATTEMPTS = 5;

/**
 * Deletes the items at `keys` (absent ones are no error): 25 a call, up to 8 calls at once, the
 * items a call leaves unprocessed sent again with jittered backoff; a store that keeps leaving
 * them is a StoreBusyError (503: repeating is safe).
 */
async function deleteItems(store: Store, keys: readonly ItemKey[]): Promise<void> {
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) chunks.push(keys.slice(i, i + BATCH_WRITE_LIMIT));
  for (let i = 0; i < chunks.length; i += BATCH_WRITE_PARALLEL) {
    await Promise.all(chunks.slice(i, i + BATCH_WRITE_PARALLEL).map((chunk) => deleteChunk(store, chunk)));
  }
}

async function deleteChunk(store: Store, chunk: readonly ItemKey[]): Promise<void> {
  let unprocessed: Item[] = chunk.map((key) => ({ DeleteRequest: { Key: key } }));
  for (let attempt = 1; unprocessed.length > 0; attempt++) {
    if (attempt > BATCH_WRITE_ATTEMPTS) throw new StoreBusyError('batch delete kept leaving items unprocessed');
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
    const output = await store.doc.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: unprocessed } }));
    unprocessed = output.UnprocessedItems?.[store.tableName] ?? [];
  }
}
