// Writes: one helper for PutItem, UpdateItem and DeleteItem, conditional or not. It answers
// "written" (with the item as now stored, when asked) or "condition failed" with the item as it
// was, read in the same call (ReturnValuesOnConditionCheckFailure): a caller that loses a race
// learns why without a second round trip.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { registryTable } from '../../contract/table.ts';
import type { Store } from './client.ts';
import type { Item } from './codec.ts';
import { StoreBusyError } from './errors.ts';
import { absent, buildExpression, type Changes, type Condition, exists } from './expression.ts';
import type { ItemKey } from './keys.ts';

/** The item does not exist yet. */
export const itemAbsent = absent(registryTable.partitionKey);
/** The item exists. */
export const itemExists = exists(registryTable.partitionKey);

export type ItemWrite =
  | { readonly put: Item; readonly condition?: Condition }
  | {
      readonly update: ItemKey;
      readonly changes: Changes;
      readonly condition?: Condition;
      /** Answer the item as stored after the update. */
      readonly returnNew?: boolean;
    }
  | { readonly delete: ItemKey; readonly condition?: Condition };

export type WriteResult =
  | { readonly written: true /** With `returnNew`: the item as now stored. */; readonly item?: Item }
  | { readonly written: false /** The item as stored, if there is one. */; readonly old?: Item };

export async function writeItem(store: Store, write: ItemWrite): Promise<WriteResult> {
  const TableName = store.tableName;
  const onFailure = write.condition ? ({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const) : {};
  try {
    if ('put' in write) {
      const expression = buildExpression({ condition: write.condition });
      await store.doc.send(new PutCommand({ TableName, Item: write.put, ...expression, ...onFailure }));
      return { written: true };
    }
    if ('update' in write) {
      const expression = buildExpression({ changes: write.changes, condition: write.condition });
      const output = await store.doc.send(
        new UpdateCommand({
          TableName,
          Key: write.update,
          ...expression,
          ...onFailure,
          ...(write.returnNew ? { ReturnValues: 'ALL_NEW' } : {}),
        }),
      );
      return { written: true, item: output.Attributes };
    }
    const expression = buildExpression({ condition: write.condition });
    await store.doc.send(new DeleteCommand({ TableName, Key: write.delete, ...expression, ...onFailure }));
    return { written: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The document client does not translate the item carried by the exception.
    return { written: false, old: error.Item ? unmarshall(error.Item) : undefined };
  }
}

/** What became of each write of a transaction that did not happen. */
export type TransactionResult =
  | { readonly written: true }
  | {
      readonly written: false;
      /** Per write, in order: whether its condition failed, and the item as it was (if any). */
      readonly failed: readonly { readonly conditionFailed: boolean; readonly old?: Item }[];
    };

/**
 * Several writes (at most 100 items, each key once) that all happen or none do. A failed condition
 * answers which writes failed and the items as they were. A conflict with another transaction on
 * the same items (two creates of one email at once) is tried again a few times with jittered
 * backoff, so the loser meets the winner's item as a failed condition; still conflicting, or
 * throttled, it is a StoreBusyError (503: repeating is safe).
 */
export async function writeItems(store: Store, writes: readonly ItemWrite[]): Promise<TransactionResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transact(store, writes);
    } catch (error) {
      if (!(error instanceof StoreBusyError) || attempt >= TRANSACTION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}

const TRANSACTION_ATTEMPTS = 4;

async function transact(store: Store, writes: readonly ItemWrite[]): Promise<TransactionResult> {
  const TableName = store.tableName;
  const TransactItems = writes.map((write): NonNullable<TransactWriteCommandInput['TransactItems']>[number] => {
    const onFailure = write.condition ? ({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const) : {};
    if ('put' in write) {
      return { Put: { TableName, Item: write.put, ...buildExpression({ condition: write.condition }), ...onFailure } };
    }
    if ('update' in write) {
      const expression = buildExpression({ changes: write.changes, condition: write.condition });
      const UpdateExpression = expression.UpdateExpression ?? '';
      return { Update: { TableName, Key: write.update, ...expression, UpdateExpression, ...onFailure } };
    }
    return {
      Delete: { TableName, Key: write.delete, ...buildExpression({ condition: write.condition }), ...onFailure },
    };
  });
  try {
    await store.doc.send(new TransactWriteCommand({ TransactItems }));
    return { written: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (!reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
      throw new StoreBusyError(`transaction cancelled: ${reasons.map((reason) => reason.Code).join(', ')}`);
    }
    return {
      written: false,
      failed: writes.map((_, i) => {
        const reason = reasons[i];
        return {
          conditionFailed: reason?.Code === 'ConditionalCheckFailed',
          ...(reason?.Item ? { old: unmarshall(reason.Item) } : {}),
        };
      }),
    };
  }
}
