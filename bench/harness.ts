// What every benchmark run sets up: DynamoDB Local (in memory) with the table, a partner key, an
// access token of that key (signed as the token endpoint signs them), a customer for the read
// routes to read (bench/functions.ts BenchFixture), a purchaser for the purchaser reads, the list
// organisation's customers, an EventBridge stand-in (there is no local EventBridge: PutEvents is
// answered here, accepting every entry), the environment a deployed function sees pointed at them,
// and the runner processes (bench/runner.ts) that load bundles and report over IPC. Before each
// request that changes or erases a record, its record is made here (bench/subjects.ts).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../functions/auth/api-keys.ts';
import { createTokenSigner } from '../functions/auth/tokens.ts';
import { ensureTable, freePort, localStore, startDynamoDbLocal } from '../local/dynamodb.ts';
import {
  BENCH_ORGS,
  type BenchFixture,
  type BenchTarget,
  type FunctionName,
  fixtureEnv,
  LIST_CUSTOMERS,
  LIST_ORG,
  READ_PURCHASER,
  subjectOf,
  warmRequestsPerSide,
} from './functions.ts';
import { inTurn } from './stats.ts';
import { benchCustomer, benchPurchaser, inBatches, makeSubjects } from './subjects.ts';

export const root = fileURLToPath(new URL('../', import.meta.url));

/** The functions' TOKEN_SIGNING_SECRET in the benchmark (at least 32 characters, as tokens.ts requires). */
export const TOKEN_SIGNING_SECRET = 'bench-token-secret-bench-token-secret-0123';

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export interface WarmResult {
  ours: { requests: number; failures: number; cpu_us_per_request: number; wall_ms_p50: number };
  twin: { requests: number; failures: number; cpu_us_per_request: number; wall_ms_p50: number };
  paired_ratio_median: number;
}

export async function startHarness() {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const tableName = 'bench';
  await ensureTable(dynamo.client(), tableName);
  const store = localStore(dynamo.endpoint, tableName);
  const { token, key } = await createApiKey(store, { orgs: BENCH_ORGS, label: 'bench' });
  const principal = { keyId: key.id, orgs: key.orgs, platform: key.platform, mode: key.mode };
  // What the read routes read: a customer of ACME with every field the dialects show.
  const customer = await benchCustomer(store, { org: 'ACME', email: 'bench-read@example.com', keyId: key.id });
  await benchPurchaser(store, 'ACME', READ_PURCHASER);
  const listed = Array.from({ length: LIST_CUSTOMERS }, (_, i) => `listed-${i}@example.com`);
  await inBatches(listed, (email) => benchCustomer(store, { org: LIST_ORG, email, keyId: key.id }));
  const fixture: BenchFixture = {
    apiKey: token,
    // As the token endpoint issues them; valid two hours, longer than any run.
    accessToken: createTokenSigner(TOKEN_SIGNING_SECRET).issue(principal, new Date()).token,
    customerId: customer.id,
  };
  const eventBridge = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const entries = (JSON.parse(body || '{}').Entries ?? []) as unknown[];
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `bench-${i}` })) }));
    });
  });
  await new Promise<void>((resolve) => eventBridge.listen(0, '127.0.0.1', resolve));
  const eventBridgeUrl = `http://127.0.0.1:${(eventBridge.address() as { port: number }).port}`;

  // What a deployed function sees: the stack's environment, pointed at the local engines. The HMAC
  // keys are given themselves, as under npm start, where the stack gives their ARNs: both sides of
  // every comparison then start without a Secrets Manager read (bench/secrets-cost.ts measures it).
  const env = {
    PATH: process.env.PATH,
    TABLE_NAME: tableName,
    LOG_LEVEL: 'info',
    REVIEW_BASE_URL: 'https://reviews.example.com',
    REVIEW_URL_SECRET: 'bench-secret-bench-secret-bench-secret',
    EVENT_BUS_NAME: 'bench',
    REVIEW_URL_HOSTS: 'reviews.example.com',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeUrl,
    TOKEN_SIGNING_SECRET,
    CURSOR_SECRET: 'bench-cursor-secret-bench-cursor-secret-01',
    ...fixtureEnv(fixture),
  };

  const runner = <T>(args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<T>((resolve, reject) => {
      const child = spawn(process.execPath, ['bench/runner.ts', ...args], {
        cwd: root,
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      let answer: T | undefined;
      child.on('message', (message) => {
        answer = message as T;
      });
      child.on('exit', (code) =>
        answer === undefined ? reject(new Error(`runner ${args[0]} ${args[2] ?? ''} exited ${code}`)) : resolve(answer),
      );
    });

  /**
   * Warm CPU of two bundles of `name`, alternating blocks in one process. For a function that
   * changes or erases records, each request's record is made first, and the runner is handed the
   * requests' unique parts in a file.
   */
  const warm = async (name: FunctionName, ours: string, twin: string, requests: number) => {
    const args = ['warm', ours, twin, name, String(requests)];
    if (subjectOf(name, '') === undefined) return runner<WarmResult>(args);
    const run = `${name}-${Date.now().toString(36)}`;
    const uniques = Array.from({ length: 2 * warmRequestsPerSide(requests) }, (_, i) => `${run}-${i}`);
    await makeSubjects(store, name, uniques);
    const file = join(root, 'bench', '.out', `uniques-${name}.json`);
    writeFileSync(file, JSON.stringify(uniques));
    return runner<WarmResult>([...args, file]);
  };

  /** `runs` pairs of fresh-process cold starts of two bundles of `name`, side by side. */
  const coldPairs = async (
    name: BenchTarget,
    files: [string, string],
    runs: number,
    extraEnv: [Record<string, string>, Record<string, string>] = [{}, {}],
  ) => {
    const ms: [number[], number[]] = [[], []];
    const failed: [number, number] = [0, 0];
    for (let i = 0; i < runs; i++) {
      for (const side of inTurn<0 | 1>(i, 0, 1)) {
        const unique = `${side}-${i}-${Date.now()}`;
        await makeSubjects(store, name, [unique]);
        const run = await runner<{ ms: number; ok: boolean }>(['cold', files[side], name, unique], extraEnv[side]);
        ms[side].push(run.ms);
        if (!run.ok) failed[side]++;
      }
    }
    /** `failures` counts both sides; `failed` each side. */
    return { ms, failures: failed[0] + failed[1], failed };
  };

  return {
    dynamo,
    store,
    env,
    fixture,
    warm,
    coldPairs,
    async stop() {
      eventBridge.close();
      await dynamo.stop();
    },
  };
}
