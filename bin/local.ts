// npm start: the API on this machine. Starts DynamoDB Local (persisting under DATA_DIR), creates
// the table from the stack's definition if missing, and serves every route of the route table on
// http://localhost:PORT through the real handlers. Ctrl-C, SIGTERM and SIGHUP stop both; so does
// the end of the npm process that started it, and DynamoDB Local ending on its own.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { routes } from '../contract/routes.ts';
import { authenticate, createApiKey } from '../functions/auth/api-keys.ts';
import { upgradeStoredCustomers } from '../functions/customers/customers.ts';
import { createPublisher, printingSink } from '../functions/events/publisher.ts';
import { defaultLogger } from '../functions/runtime/logger.ts';
import {
  type DynamoDbLocal,
  describeExit,
  ensureTable,
  isRunning,
  javaProblem,
  localSettings,
  localStore,
  processInfo,
  startDynamoDbLocal,
  stopLeftoverDynamoDbLocal,
} from '../local/dynamodb.ts';
import { curlLines, exampleRequests } from '../local/examples.ts';
import { type LocalServer, loadHandlers, repositoryRoot, startLocalServer } from '../local/server.ts';
import { type StreamPoller, startStreamPoller } from '../local/stream.ts';

/**
 * How long requests in flight may take to be answered once stopping: a request answers within its
 * 4.5 s budget (503 when the table does not answer in time), so this lets every one finish.
 */
const DRAIN_MS = 6_000;
/** Whatever hangs while stopping, the process ends by then (and DynamoDB Local with it). */
const STOP_DEADLINE_MS = 20_000;

const env = process.env;
const { port, dynamoPort, dataDir, tableName } = localSettings(env);

// A terminal that hung up, or a reader that went away, must not end the process half-way through
// stopping (an EIO or EPIPE would otherwise be thrown at the next line written).
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let dynamo: DynamoDbLocal | undefined;
let server: LocalServer | undefined;
let poller: StreamPoller | undefined;
let stopping = false;
let inFlight = 0;
let drained: (() => void) | undefined;

// Installed before anything starts, so a stop during start-up still takes DynamoDB Local with it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
watchLauncher(() => void stop(0));

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const java = javaProblem();
if (java) fail(java);

mkdirSync(dataDir, { recursive: true });
const leftover = await stopLeftoverDynamoDbLocal(dataDir).catch((error: Error) => fail(error.message));
if (leftover) process.stderr.write(`${leftover}\n`);
dynamo = await startDynamoDbLocal({ port: dynamoPort, dataDir, detached: true }).catch((error: Error) =>
  fail(error.message),
);
const engine = dynamo;
// The API cannot answer without its table: rather than failing every request from now on, it stops
// (requests in flight get their 503 first) and says why.
void engine.exited.then((exit) => {
  if (!stopping) {
    process.stderr.write(`DynamoDB Local stopped unexpectedly (${describeExit(exit)}); the API stops with it.\n`);
  }
  void stop(1);
});
const created = await ensureTable(engine.client(), tableName);
const upgraded = await upgradeStoredCustomers(localStore(engine.endpoint, tableName));
if (upgraded > 0) process.stdout.write(`Upgraded ${upgraded} customers in the data folder to the current layout.\n`);
const token = await developmentKey();

// The handlers read the same variables as on Lambda; the SDK's standard endpoint variable points
// them at DynamoDB Local, which in shared-database mode accepts any credentials.
Object.assign(env, {
  TABLE_NAME: tableName,
  AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
  AWS_REGION: env.AWS_REGION ?? 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  REVIEW_BASE_URL: env.REVIEW_BASE_URL ?? 'https://reviews.example.com',
  REVIEW_URL_SECRET: env.REVIEW_URL_SECRET ?? localSecret(join(dataDir, 'review-url-secret')),
  TOKEN_SIGNING_SECRET: env.TOKEN_SIGNING_SECRET ?? localSecret(join(dataDir, 'token-signing-secret')),
  CURSOR_SECRET: env.CURSOR_SECRET ?? localSecret(join(dataDir, 'cursor-secret')),
});
delete env.AWS_SESSION_TOKEN;
delete env.AWS_PROFILE;

// The access log API Gateway would write, one JSON line per request.
const accessLog = (entry: object) => process.stdout.write(`${JSON.stringify({ access: entry })}\n`);
const api = await startLocalServer({ handlers: await loadHandlers(repositoryRoot()), port, accessLog }).catch(
  (error: Error) => fail(`Cannot listen on port ${port} (${error.message}): set PORT to a free port.`),
);
server = api;
// Counted so that stopping can wait for the requests in flight to be answered.
api.server.on('request', (_request, response) => {
  inFlight += 1;
  response.once('close', () => {
    inFlight -= 1;
    if (inFlight === 0) drained?.();
  });
});

// The table's stream, read as Lambda would, through the real publisher: each domain event it would
// put on the bus is printed as one JSON line.
poller = await startStreamPoller({
  endpoint: engine.endpoint,
  tableName,
  handle: createPublisher({ sink: printingSink(), log: defaultLogger() }),
  // Once stopping (DynamoDB Local gone, perhaps), failed polls say nothing the stop has not said.
  onError: (error) => {
    if (!stopping) process.stderr.write(`stream: ${(error as Error).message}\n`);
  },
});

const lines = [
  `DynamoDB Local on ${engine.endpoint}, data in ${dataDir} (table ${tableName} ${created === 'created' ? 'created' : 'found'})`,
  `Registry API on ${api.url}; its reference at ${api.url}/docs (OpenAPI document: ${api.url}/openapi.json)`,
  `Development API key for ${exampleOrgs().join(', ')} (kept in ${join(dataDir, 'dev-api-key')}); more with npm run apikey.`,
  '',
  ...curlLines(exampleRequests(routes, token), api.url),
  'Domain events the API would publish are printed below as JSON lines ("detail-type": ...).',
  'Ctrl-C to stop.',
];
if (!stopping) process.stdout.write(`${lines.join('\n')}\n`);

/**
 * Stops in dependency order and exits with `code`: the server first (no new connections; requests
 * in flight are answered, for at most DRAIN_MS), then the stream poller, then DynamoDB Local.
 */
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  setTimeout(() => process.exit(code), STOP_DEADLINE_MS).unref();
  if (server) await drain(server.server);
  await poller?.stop();
  await dynamo?.stop();
  process.exit(code);
}

async function drain(http: Server) {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, DRAIN_MS).unref();
    });
  }
  http.closeAllConnections();
  await closed;
}

/**
 * Calls `onGone` once the process that launched this one ends. npm passes SIGINT and SIGTERM only
 * to the shell it runs the script in, which dies of them without passing them on, and passes SIGHUP
 * to nobody: either way this process would be left running with DynamoDB Local. Its parent changing
 * (the shell ended) or npm ending (the shell's parent) is therefore a stop like a signal.
 */
function watchLauncher(onGone: () => void) {
  const parent = process.ppid;
  const npm = env.npm_lifecycle_event ? processInfo(parent)?.ppid : undefined;
  const timer = setInterval(() => {
    if (process.ppid !== parent || (npm !== undefined && npm > 1 && !isRunning(npm))) {
      clearInterval(timer);
      onGone();
    }
  }, 250);
  timer.unref();
}

/** The organisations the printed examples act for. */
function exampleOrgs(): string[] {
  return [...new Set(routes.flatMap((route) => (route.example ? [route.example.org] : [])))];
}

/**
 * A key for the examples' organisations, so the printed curls work on a fresh data folder. Kept in
 * the data folder (like the data it opens) and minted again if it no longer works there.
 */
async function developmentKey(): Promise<string> {
  const file = join(dataDir, 'dev-api-key');
  const store = localStore(engine.endpoint, tableName);
  let saved: string | undefined;
  try {
    saved = readFileSync(file, 'utf8').trim();
  } catch {
    saved = undefined;
  }
  if (saved && (await authenticate(store, `Bearer ${saved}`)).ok) return saved;
  const { token } = await createApiKey(store, { orgs: exampleOrgs(), label: 'local development' });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** A secret kept in the data folder, so review links and access tokens stay valid across restarts. */
function localSecret(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}
