// Writes: one helper for PutItem, UpdateItem and DeleteItem, conditional or not. It answers
// "written" (with the item as now stored, when asked) or "condition failed" with the item as it
// was, read in the same call (ReturnValuesOnConditionCheckFailure): a caller that loses a race
// learns why without a second round trip.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { registryTable } from '../../contract/table.ts';
import type { Store } from './client.ts';
import type { Item } from './codec.ts';
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
