// The store the domain functions work on: a DynamoDB document client and the table's name.
// Handlers get theirs from runtime.ts (one per container); tests build one per test file.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export interface Store {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * A document client with the settings every caller wants. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL_DYNAMODB` variable when set (the local server points it at DynamoDB Local).
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 3,
    // A request that takes longer than this is abandoned and retried, so a slow node cannot hold
    // the function until its own timeout.
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    ...config,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Every item a query matches, page after page. */
export async function queryAll(store: Store, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
  const items: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(new QueryCommand({ ...input, TableName: store.tableName, ExclusiveStartKey: cursor }));
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
