// A table of its own for each test file, in the run's DynamoDB Local.
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { registryTable } from '../../contract/table.ts';
import { boundedCalls } from '../../functions/store/bounds.ts';
import { createDocumentClient, type Store } from '../../functions/store/client.ts';
import { ensureTable, localClientConfig } from '../../local/dynamodb.ts';

export const dynamoEndpoint = () => inject('dynamoEndpoint');

const clientConfig = () => localClientConfig(dynamoEndpoint());

/**
 * A store on the run's DynamoDB Local with the deployed client's settings, but 10 s per attempt
 * instead of 1 s. That engine is one process serving every test file at once, on a machine that
 * may be busy with other files' processes: a call it is slow to answer is load, not the fault
 * these files test, and retrying it after 1 s only adds to the load. The 1 s deadline is tested
 * where it matters, against engines of their own (engine-faults.test.ts); handlers still answer
 * within their own 4.5 s budget (functions/runtime/budget.ts).
 */
const testStore = (tableName: string): Store => ({
  doc: createDocumentClient({
    ...clientConfig(),
    requestHandler: { ...boundedCalls.requestHandler, connectionTimeout: 10_000, requestTimeout: 10_000 },
  }),
  tableName,
});

export interface TestTable {
  readonly tableName: string;
  readonly store: Store;
  readonly client: DynamoDBClient;
  /** A second store on the same table with its own client, for fault injection without side effects. */
  newStore(): Store;
}

/**
 * The registry table as the stack defines it, but without its stream unless `stream` is set.
 *
 * DynamoDB Local keeps every stream record of the run, even a deleted table's, and each write gets
 * slower as they pile up: with a stream on every test table, 1,000 customer creates that take 9 s
 * on a fresh engine took 39 s after three more such tables, and files late in a run timed out.
 * Only the tests of the stream's consumer read it; nothing else in the table depends on it.
 */
export async function createTestTable(label: string, options: { stream?: boolean } = {}): Promise<TestTable> {
  const tableName = `${label}-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient(clientConfig());
  await ensureTable(client, tableName);
  await (options.stream ? primeStream(client, tableName) : withoutStream(client, tableName));
  const newStore = () => testStore(tableName);
  return { tableName, client, store: newStore(), newStore };
}

const withoutStream = (client: DynamoDBClient, tableName: string) =>
  client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));

/**
 * Puts a first record in the table's stream (an item written and deleted) before any reader starts
 * at its end. DynamoDB Local refuses a LATEST iterator of a shard that was still empty when it was
 * taken (TrimmedDataAccessException, for good) once any other table is written before this one:
 * which happens as soon as test files run side by side.
 */
async function primeStream(client: DynamoDBClient, tableName: string) {
  const Key = { [registryTable.partitionKey]: { S: 'TEST#stream' }, [registryTable.sortKey]: { S: 'TEST#stream' } };
  await client.send(new PutItemCommand({ TableName: tableName, Item: Key }));
  await client.send(new DeleteItemCommand({ TableName: tableName, Key }));
}
