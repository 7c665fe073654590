// Reads: one item, many items of known keys, and the items of a partition (in the table or the
// lookup index), every page.
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { lookupIndex, registryTable } from '../../contract/table.ts';
import type { Store } from './client.ts';
import type { Item } from './codec.ts';
import { StoreBusyError } from './errors.ts';
import { buildExpression, type Condition } from './expression.ts';
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

/** One page of one lookup index partition, in sort key order, from after `after` (exclusive). */
export async function queryIndexPage(
  store: Store,
  query: {
    readonly partition: string;
    /** The sort key the page starts after. */
    readonly after?: string;
    /** Items to evaluate (before `filter`): DynamoDB stops there, or at 1 MB. */
    readonly limit: number;
    readonly descending?: boolean;
    readonly filter?: Condition;
  },
): Promise<{
  readonly items: Item[] /** The last sort key evaluated, when the partition has more. */;
  readonly last?: string;
}> {
  const filter = query.filter ? buildExpression({ condition: query.filter }) : {};
  const after = query.after === undefined ? '' : query.descending ? ' AND #sk < :after' : ' AND #sk > :after';
  const page = await store.doc.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: lookupIndex.name,
      KeyConditionExpression: `#pk = :pk${after}`,
      ...(filter.ConditionExpression ? { FilterExpression: filter.ConditionExpression } : {}),
      ExpressionAttributeNames: {
        '#pk': lookupIndex.partitionKey,
        ...(query.after === undefined ? {} : { '#sk': lookupIndex.sortKey }),
        ...filter.ExpressionAttributeNames,
      },
      ExpressionAttributeValues: {
        ':pk': query.partition,
        ...(query.after === undefined ? {} : { ':after': query.after }),
        ...filter.ExpressionAttributeValues,
      },
      Limit: query.limit,
      ScanIndexForward: !query.descending,
    }),
  );
  const last = page.LastEvaluatedKey?.[lookupIndex.sortKey];
  return { items: page.Items ?? [], ...(typeof last === 'string' ? { last } : {}) };
}

/** How many items one lookup index partition holds (matching `filter`), every page counted. */
export async function countIndexPartition(store: Store, partition: string, filter?: Condition): Promise<number> {
  const expression = filter ? buildExpression({ condition: filter }) : {};
  let count = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: lookupIndex.name,
        KeyConditionExpression: '#pk = :pk',
        ...(expression.ConditionExpression ? { FilterExpression: expression.ConditionExpression } : {}),
        ExpressionAttributeNames: { '#pk': lookupIndex.partitionKey, ...expression.ExpressionAttributeNames },
        ExpressionAttributeValues: { ':pk': partition, ...expression.ExpressionAttributeValues },
        Select: 'COUNT',
        ExclusiveStartKey: cursor,
      }),
    );
    count += page.Count ?? 0;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return count;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
