// Reads: one item, many items of known keys, and the items of a partition (in the table or the
// lookup index), every page.
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { lookupIndex, registryTable } from '../../contract/table.ts';
import type { Store } from './client.ts';
import type { Item } from './codec.ts';
import { StoreBusyError } from './errors.ts';
import type { ItemKey } from './keys.ts';

/** The item at `key` (strongly consistent), or undefined. */
export async function getItem(store: Store, key: ItemKey): Promise<Item | undefined> {
  const output = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }));
  return output.Item;
}

const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 5;

/**
 * The items at `keys` that exist (strongly consistent), in no particular order: up to 100 keys a
 * call, calls in parallel, unprocessed keys retried with jittered backoff; a store that keeps
 * refusing them is a StoreBusyError (503).
 */
export async function getItems(store: Store, keys: readonly ItemKey[]): Promise<Item[]> {
  const found: Item[] = [];
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) chunks.push(keys.slice(i, i + BATCH_GET_LIMIT));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, unknown>[] = chunk;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > BATCH_GET_ATTEMPTS) throw new StoreBusyError('batch read kept returning unprocessed keys');
        if (attempt > 1) await sleep(Math.random() * 25 * 2 ** attempt); // full jitter
        const output = await store.doc.send(
          new BatchGetCommand({ RequestItems: { [store.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(output.Responses?.[store.tableName] ?? []));
        pending = output.UnprocessedKeys?.[store.tableName]?.Keys ?? [];
      }
    }),
  );
  return found;
}

/**
 * Every item of one partition, page after page: of the table (strongly consistent), or of the
 * lookup index with `index: true`; with `sortKeyPrefix`, only sort keys beginning with it.
 */
export async function queryPartition(
  store: Store,
  query: { readonly partition: string; readonly sortKeyPrefix?: string; readonly index?: boolean },
): Promise<Item[]> {
  const names = query.index ? lookupIndex : registryTable;
  const items: Item[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        ...(query.index ? { IndexName: lookupIndex.name } : { ConsistentRead: true }),
        KeyConditionExpression:
          query.sortKeyPrefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: {
          '#pk': names.partitionKey,
          ...(query.sortKeyPrefix === undefined ? {} : { '#sk': names.sortKey }),
        },
        ExpressionAttributeValues: {
          ':pk': query.partition,
          ...(query.sortKeyPrefix === undefined ? {} : { ':prefix': query.sortKeyPrefix }),
        },
        ExclusiveStartKey: cursor,
      }),
    );
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
