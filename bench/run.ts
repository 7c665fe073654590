// npm run bench: measures the functions as they are deployed and writes bench/results.json and
// BENCHMARKS.md. Not part of npm test: these are figures, reported, not asserted.
//
//   npm run bench              the full run (about 6 minutes on 2 cores)
//   npm run bench -- --quick   a smoke run with small samples, to try the harness (figures meaningless)
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiKey } from '../functions/auth/api-keys.ts';
import { createDocumentClient } from '../functions/store/client.ts';
import { ensureTable, freePort, localClientConfig, startDynamoDbLocal } from '../local/dynamodb.ts';
import { synthBundles } from './bundles.ts';
import { FUNCTIONS, type FunctionName } from './functions.ts';
import { measureLoad } from './load.ts';
import { writeReport } from './report.ts';
import { inTurn } from './stats.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const plan = values.quick
  ? { coldRuns: 3, warmRequests: 250, loadSeconds: 3, connections: 20 }
  : { coldRuns: 31, warmRequests: 2000, loadSeconds: 30, connections: 20 };
const say = (text: string) => process.stderr.write(`${text}\n`);
const started = Date.now();

// DynamoDB Local (in memory), the table, a partner key; and an EventBridge stand-in for the
// publisher: there is no local EventBridge, so PutEvents is answered here, accepting every entry.
const dynamo = await startDynamoDbLocal({ port: await freePort() });
const tableName = 'bench';
await ensureTable(dynamo.client(), tableName);
const store = { doc: createDocumentClient(localClientConfig(dynamo.endpoint)), tableName };
const { token } = await createApiKey(store, { orgs: ['ACME', 'corp_123'], label: 'bench' });
const eventBridge = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const entries = (JSON.parse(body || '{}').Entries ?? []) as unknown[];
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `bench-${i}` })) }));
  });
});
await new Promise<void>((resolve) => eventBridge.listen(0, '127.0.0.1', resolve));
const eventBridgeUrl = `http://127.0.0.1:${(eventBridge.address() as { port: number }).port}`;

try {
  say('Bundling the stack as CDK deploys it, and the bare twins the same way...');
  const outdir = join(root, 'bench', '.out');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const bundles = synthBundles(outdir);

  // What a deployed function sees: the stack's environment, pointed at the local engines.
  const env = {
    PATH: process.env.PATH,
    TABLE_NAME: tableName,
    LOG_LEVEL: 'info',
    REVIEW_BASE_URL: 'https://reviews.example.com',
    REVIEW_URL_SECRET: 'bench-secret-bench-secret-bench-secret',
    EVENT_BUS_NAME: 'bench',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeUrl,
    BENCH_TOKEN: token,
  };
  const runner = <T>(args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<T>((resolve, reject) => {
      const child = spawn(process.execPath, ['bench/runner.ts', ...args], {
        cwd: root,
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      let answer: T | undefined;
      child.on('message', (message) => (answer = message as T));
      child.on('exit', (code) =>
        answer === undefined ? reject(new Error(`runner ${args[0]} ${args[2] ?? ''} exited ${code}`)) : resolve(answer),
      );
    });

  say(`Warm CPU: ${plan.warmRequests} requests per function and per twin, in one process each...`);
  const warm = {} as Record<FunctionName, Awaited<ReturnType<typeof runWarm>>>;
  const runWarm = (name: FunctionName) =>
    runner<{
      ours: { requests: number; failures: number; cpu_us_per_request: number; wall_ms_p50: number };
      twin: { requests: number; failures: number; cpu_us_per_request: number; wall_ms_p50: number };
      paired_ratio_median: number;
    }>(['warm', bundles.ours[name].file, bundles.twins[name].file, name, String(plan.warmRequests)]);
  for (const name of FUNCTIONS) warm[name] = await runWarm(name);

  // After the warm phase, so DynamoDB Local's JVM has compiled its paths before any cold start is timed.
  say(`Cold starts: ${plan.coldRuns} fresh processes per function and per twin, alternating...`);
  // `plan.coldRuns` pairs of fresh-process cold starts, the two sides of a pair side by side.
  const coldPairs = async (start: (side: 0 | 1, i: number) => Promise<{ ms: number; ok: boolean }>) => {
    const ms: [number[], number[]] = [[], []];
    let failures = 0;
    for (let i = 0; i < plan.coldRuns; i++) {
      for (const side of inTurn<0 | 1>(i, 0, 1)) {
        const run = await start(side, i);
        ms[side].push(run.ms);
        if (!run.ok) failures++;
      }
    }
    return { ms, failures };
  };
  const cold = {} as Record<FunctionName, { ours: number[]; twin: number[]; failures: number }>;
  for (const name of FUNCTIONS) {
    const { ms, failures } = await coldPairs((side, i) =>
      runner([
        'cold',
        (side === 0 ? bundles.ours : bundles.twins)[name].file,
        name,
        `${side ? 'twin' : 'ours'}-${i}-${Date.now()}`,
      ]),
    );
    cold[name] = { ours: ms[0], twin: ms[1], failures };
  }

  // What --enable-source-maps would cost (the stack does not set it: see BENCHMARKS.md), on the
  // customer function, in pairs with and without it.
  const withAndWithout = await coldPairs((side, i) =>
    runner(
      ['cold', bundles.ours.CreateCustomer.file, 'CreateCustomer', `maps-${side}-${i}-${Date.now()}`],
      side === 0 ? { NODE_OPTIONS: '--enable-source-maps' } : {},
    ),
  );
  const sourceMaps = { with: withAndWithout.ms[0], without: withAndWithout.ms[1] };

  say('DynamoDB cost per request...');
  // The handler modules configure themselves from the environment when loaded, as on Lambda.
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    REVIEW_BASE_URL: env.REVIEW_BASE_URL,
    REVIEW_URL_SECRET: env.REVIEW_URL_SECRET,
  });
  const { measureDynamoDbCosts } = await import('./dynamodb-cost.ts');
  const dynamodb = await measureDynamoDbCosts(store);

  say(`Load: autocannon on npm start, ${plan.loadSeconds} s and ${plan.connections} connections per endpoint...`);
  const load = await measureLoad({ seconds: plan.loadSeconds, connections: plan.connections });

  writeReport({
    root,
    quick: values.quick,
    plan,
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version },
    bundles,
    cold,
    sourceMaps,
    warm,
    dynamodb,
    load,
    seconds: Math.round((Date.now() - started) / 1000),
  });
  say(`Wrote BENCHMARKS.md and bench/results.json in ${Math.round((Date.now() - started) / 1000)} s.`);
} finally {
  eventBridge.close();
  await dynamo.stop();
}
