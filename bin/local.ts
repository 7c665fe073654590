// npm start: the API on this machine. Starts DynamoDB Local (persisting under DATA_DIR), creates
// the table from the stack's definition if missing, and serves every route of the route table on
// http://localhost:PORT through the real handlers and the real authorizer. Ctrl-C stops both.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { routes } from '../contract/routes.ts';
import { authenticate, createApiKey } from '../functions/auth/api-keys.ts';
import { createPublisher, printingSink } from '../functions/events/publisher.ts';
import { defaultLogger } from '../functions/runtime/logger.ts';
import { ensureTable, javaProblem, localSettings, localStore, startDynamoDbLocal } from '../local/dynamodb.ts';
import { loadHandlers, repositoryRoot, startLocalServer } from '../local/server.ts';
import { startStreamPoller } from '../local/stream.ts';

const env = process.env;
const { port, dynamoPort, dataDir, tableName } = localSettings(env);

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const java = javaProblem();
if (java) fail(java);

mkdirSync(dataDir, { recursive: true });
const dynamo = await startDynamoDbLocal({ port: dynamoPort, dataDir }).catch((error: Error) => fail(error.message));
const created = await ensureTable(dynamo.client(), tableName);
const token = await developmentKey();

// The handlers read the same variables as on Lambda; the SDK's standard endpoint variable points
// them at DynamoDB Local, which in shared-database mode accepts any credentials.
Object.assign(env, {
  TABLE_NAME: tableName,
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_REGION: env.AWS_REGION ?? 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  REVIEW_BASE_URL: env.REVIEW_BASE_URL ?? 'https://reviews.example.com',
  REVIEW_URL_SECRET: env.REVIEW_URL_SECRET ?? localSecret(join(dataDir, 'review-url-secret')),
});
delete env.AWS_SESSION_TOKEN;
delete env.AWS_PROFILE;

// The access log API Gateway would write, one JSON line per request.
const accessLog = (entry: object) => process.stdout.write(`${JSON.stringify({ access: entry })}\n`);
const server = await startLocalServer({ handlers: await loadHandlers(repositoryRoot()), port, accessLog }).catch(
  (error: Error) => fail(`Cannot listen on port ${port} (${error.message}): set PORT to a free port.`),
);

// The table's stream, read as Lambda would, through the real publisher: each domain event it would
// put on the bus is printed as one JSON line.
const poller = await startStreamPoller({
  endpoint: dynamo.endpoint,
  tableName,
  handle: createPublisher({ sink: printingSink(), log: defaultLogger() }),
  onError: (error) => process.stderr.write(`stream: ${(error as Error).message}\n`),
});

const lines = [
  `DynamoDB Local on ${dynamo.endpoint}, data in ${dataDir} (table ${tableName} ${created === 'created' ? 'created' : 'found'})`,
  `Registry API on ${server.url}`,
  `Development API key for ${exampleOrgs().join(', ')} (kept in ${join(dataDir, 'dev-api-key')}); more with npm run apikey.`,
  '',
  ...routes.flatMap((route) =>
    route.example
      ? [
          `# ${route.method} ${route.path}`,
          `curl -sS -X ${route.method} ${server.url}${route.example.path} -H 'authorization: Bearer ${token}' ` +
            `-H 'content-type: application/json' -d '${JSON.stringify(route.example.body)}'`,
          '',
        ]
      : [],
  ),
  'Domain events the API would publish are printed below as JSON lines ("detail-type": ...).',
  'Ctrl-C to stop.',
];
process.stdout.write(`${lines.join('\n')}\n`);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await server.close();
  await poller.stop();
  await dynamo.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
void dynamo.exited.then((code) => {
  process.stderr.write(`DynamoDB Local exited unexpectedly (code ${code}); stopping.\n`);
  void stop(1);
});

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
  const store = localStore(dynamo.endpoint, tableName);
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

/** A review-link secret kept in the data folder, so links stay valid across restarts. */
function localSecret(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}
