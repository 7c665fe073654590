// A table of its own for each test file, in the run's DynamoDB Local.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import type { Store } from '../../functions/store/client.ts';
import { ensureTable, localClientConfig, localStore } from '../../local/dynamodb.ts';

export const dynamoEndpoint = () => inject('dynamoEndpoint');

const clientConfig = () => localClientConfig(dynamoEndpoint());

export interface TestTable {
  readonly tableName: string;
  readonly store: Store;
  readonly client: DynamoDBClient;
  /** A second store on the same table with its own client, for fault injection without side effects. */
  newStore(): Store;
}

export async function createTestTable(label: string): Promise<TestTable> {
  const tableName = `${label}-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient(clientConfig());
  await ensureTable(client, tableName);
  const newStore = () => localStore(dynamoEndpoint(), tableName);
  return { tableName, client, store: newStore(), newStore };
}
