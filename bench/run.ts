// npm run bench: measures the functions as they are deployed and writes bench/results.json and
// BENCHMARKS.md. Not part of npm test: these are figures, reported, not asserted.
//
//   npm run bench              the full run (about 6 minutes on 2 cores)
//   npm run bench -- --quick   a smoke run with small samples, to try the harness (figures meaningless)
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthBundles } from './bundles.ts';
import { FUNCTIONS, type FunctionName } from './functions.ts';
import { root, startHarness, type WarmResult } from './harness.ts';
import { measureLoad } from './load.ts';
import { writeReport } from './report.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const plan = values.quick
  ? { coldRuns: 3, warmRequests: 250, loadSeconds: 3, connections: 20 }
  : { coldRuns: 31, warmRequests: 2000, loadSeconds: 30, connections: 20 };
const say = (text: string) => process.stderr.write(`${text}\n`);
const started = Date.now();

const harness = await startHarness();
const { store, env } = harness;
try {
  say('Bundling the stack as CDK deploys it, and the bare twins the same way...');
  const outdir = join(root, 'bench', '.out');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const bundles = synthBundles(outdir);

  say(`Warm CPU: ${plan.warmRequests} requests per function and per twin, in one process each...`);
  const warm = {} as Record<FunctionName, WarmResult>;
  for (const name of FUNCTIONS) {
    warm[name] = await harness.warm(name, bundles.ours[name].file, bundles.twins[name].file, plan.warmRequests);
  }

  // After the warm phase, so DynamoDB Local's JVM has compiled its paths before any cold start is timed.
  say(`Cold starts: ${plan.coldRuns} fresh processes per function and per twin, alternating...`);
  const cold = {} as Record<FunctionName, { ours: number[]; twin: number[]; failures: number }>;
  for (const name of FUNCTIONS) {
    const files: [string, string] = [bundles.ours[name].file, bundles.twins[name].file];
    const { ms, failures } = await harness.coldPairs(name, files, plan.coldRuns);
    cold[name] = { ours: ms[0], twin: ms[1], failures };
  }

  // What --enable-source-maps would cost (the stack does not set it: see BENCHMARKS.md), on the
  // customer function, in pairs with and without it.
  const customer = bundles.ours.CreateCustomer.file;
  const withAndWithout = await harness.coldPairs('CreateCustomer', [customer, customer], plan.coldRuns, [
    { NODE_OPTIONS: '--enable-source-maps' },
    {},
  ]);
  const sourceMaps = { with: withAndWithout.ms[0], without: withAndWithout.ms[1] };

  say('DynamoDB cost per request...');
  // The handler modules configure themselves from the environment when loaded, as on Lambda.
  Object.assign(process.env, {
    TABLE_NAME: env.TABLE_NAME,
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
  await harness.stop();
}
