// The store the domain functions work on: a DynamoDB document client and the table's name.
// Lambda entries get theirs from the container (functions/runtime/container.ts, one per
// container); tests and local tools build their own.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { boundedCalls } from './bounds.ts';

export interface Store {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * A document client with the settings every caller wants. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL_DYNAMODB` variable when set (the local server points it at DynamoDB Local).
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ ...boundedCalls, ...config });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
