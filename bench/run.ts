// npm run bench: measures the functions as they are deployed and writes bench/results.json and
// BENCHMARKS.md. Not part of npm test: these are figures, reported, not asserted.
//
//   npm run bench              the full run (273 s on 2 cores with ten functions; 24 now, not timed yet)
//   npm run bench -- --quick   a smoke run with small samples, to try the harness (figures meaningless)
//   npm run bench -- --quick --only KohortPayGetCustomer,CommerceLayerToken
//                              cold starts and warm CPU of those functions and their twins only,
//                              as a table on stdout with every failed call counted (exit code 1 if
//                              any); writes nothing (no BENCHMARKS.md, no results.json), skips the
//                              source-map, DynamoDB cost and load sections. Without --quick, the
//                              full samples of those functions.
import { mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthBundles } from './bundles.ts';
import { FUNCTIONS, type FunctionName } from './functions.ts';
import { root, startHarness, type WarmResult } from './harness.ts';
import { measureLoad } from './load.ts';
import { writeReport } from './report.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !(FUNCTIONS as readonly string[]).includes(name)) ?? [];
if (unknown.length > 0 || only?.length === 0) {
  process.stderr.write(`--only takes a comma-separated list of ${FUNCTIONS.join(', ')}; not ${unknown.join(', ')}\n`);
  process.exit(2);
}
const names = only ? FUNCTIONS.filter((name) => only.includes(name)) : FUNCTIONS;
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
  for (const name of names) {
    warm[name] = await harness.warm(name, bundles.ours[name].file, bundles.twins[name].file, plan.warmRequests);
  }

  // After the warm phase, so DynamoDB Local's JVM has compiled its paths before any cold start is timed.
  say(`Cold starts: ${plan.coldRuns} fresh processes per function and per twin, alternating...`);
  const cold = {} as Record<FunctionName, { ours: number[]; twin: number[]; failures: number }>;
  const coldFailed = {} as Record<FunctionName, [number, number]>;
  for (const name of names) {
    const files: [string, string] = [bundles.ours[name].file, bundles.twins[name].file];
    const { ms, failures, failed } = await harness.coldPairs(name, files, plan.coldRuns);
    cold[name] = { ours: ms[0], twin: ms[1], failures };
    coldFailed[name] = failed;
  }

  if (only) {
    const rows = names.map((name) => {
      const [oursCold, twinCold] = coldFailed[name];
      const { ours, twin, paired_ratio_median } = warm[name];
      return (
        `| ${name} | ${median(cold[name].ours).toFixed(1)} | ${median(cold[name].twin).toFixed(1)} | ` +
        `${Math.round(ours.cpu_us_per_request)} | ${Math.round(twin.cpu_us_per_request)} | ${paired_ratio_median.toFixed(2)} | ` +
        `${oursCold}/${cold[name].ours.length} | ${twinCold}/${cold[name].twin.length} | ` +
        `${ours.failures}/${ours.requests} | ${twin.failures}/${twin.requests} | ` +
        `${bundles.ours[name].bytes} | ${bundles.twins[name].bytes} |`
      );
    });
    process.stdout.write(
      [
        `npm run bench --${values.quick ? ' --quick' : ''} --only ${names.join(',')}: ${plan.coldRuns} cold pairs, ` +
          `${plan.warmRequests} warm requests a side${values.quick ? ' (quick: figures meaningless)' : ''}; nothing written.`,
        '',
        '| function | cold ours (ms) | cold twin (ms) | warm ours (µs CPU) | warm twin (µs CPU) | warm ratio | ' +
          'cold failed, ours | cold failed, twin | warm failed, ours | warm failed, twin | bundle (bytes) | twin bundle (bytes) |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
    const failures = names.some(
      (name) => cold[name].failures > 0 || warm[name].ours.failures > 0 || warm[name].twin.failures > 0,
    );
    if (failures) process.exitCode = 1;
    say(`Done in ${Math.round((Date.now() - started) / 1000)} s${failures ? ', with failed calls' : ''}.`);
  } else {
    await finish(bundles, cold, warm);
  }
} finally {
  await harness.stop();
}

/** The rest of the full run (source maps, DynamoDB cost, load) and the report. */
async function finish(
  bundles: ReturnType<typeof synthBundles>,
  cold: Record<FunctionName, { ours: number[]; twin: number[]; failures: number }>,
  warm: Record<FunctionName, WarmResult>,
) {
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
}
