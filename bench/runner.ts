// Runs inside the processes the benchmark starts (bench/run.ts), and reports over IPC.
//
//   cold <bundle> <function> <unique>      import the bundle and handle one request: one figure
//   warm <ours> <twin> <function> <count> [<uniques file>]
//                                          both bundles in this process: CPU time and wall time
//                                          per request, alternating blocks of 100 requests; each
//                                          request's unique part from the file when given (the
//                                          harness made the records those requests change)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { answeredWell, type BenchTarget, eventFor, fixtureFromEnv, WARM_BLOCK, WARM_UP_REQUESTS } from './functions.ts';
import { inTurn, median } from './stats.ts';

const [mode, ...args] = process.argv.slice(2);
const fixture = fixtureFromEnv();
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
let sequence = 0;
let given: string[] | undefined;
const unique = () => given?.[sequence++] ?? `${process.pid}-${Date.now().toString(36)}-${++sequence}`;
type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function cold([bundle, name, id]: string[]) {
  const event = eventFor(name as BenchTarget, id!, fixture);
  const start = performance.now();
  const { handler } = (await import(bundle!)) as { handler: Handler };
  const result = await handler(event, context);
  const ms = performance.now() - start;
  return { ms, ok: answeredWell(name as BenchTarget, result) };
}

async function warm([oursFile, twinFile, name, countText, uniquesFile]: string[]) {
  if (uniquesFile) given = JSON.parse(readFileSync(uniquesFile, 'utf8')) as string[];
  const fn = name as BenchTarget;
  const count = Number(countText);
  const sides = {
    ours: ((await import(oursFile!)) as { handler: Handler }).handler,
    twin: ((await import(twinFile!)) as { handler: Handler }).handler,
  };
  type Side = keyof typeof sides;
  const totals = {
    ours: { cpuUs: 0, n: 0, walls: [] as number[], blocks: [] as number[], failures: 0 },
    twin: { cpuUs: 0, n: 0, walls: [] as number[], blocks: [] as number[], failures: 0 },
  };
  const run = async (side: Side, n: number, record: boolean) => {
    const handler = sides[side];
    const events = Array.from({ length: n }, () => eventFor(fn, unique(), fixture));
    const cpu = process.cpuUsage();
    for (const event of events) {
      const started = performance.now();
      const ok = answeredWell(fn, await handler(event, context));
      if (record) {
        totals[side].walls.push(performance.now() - started);
        if (!ok) totals[side].failures++;
      }
    }
    const used = process.cpuUsage(cpu);
    if (record) {
      totals[side].cpuUs += used.user + used.system;
      totals[side].n += n;
      totals[side].blocks.push((used.user + used.system) / n);
    }
  };
  // Warm both up (connections, JIT), then alternate short blocks, the first side of each pair
  // alternating too, so drift on a shared machine and the garbage one side leaves for the next
  // hit both alike.
  await run('ours', WARM_UP_REQUESTS, false);
  await run('twin', WARM_UP_REQUESTS, false);
  for (let pair = 0; pair * WARM_BLOCK < count; pair++) {
    for (const side of inTurn<Side>(pair, 'ours', 'twin')) await run(side, WARM_BLOCK, true);
  }
  const summary = (side: Side) => ({
    requests: totals[side].n,
    failures: totals[side].failures,
    cpu_us_per_request: totals[side].cpuUs / totals[side].n,
    wall_ms_p50: median(totals[side].walls),
  });
  return {
    ours: summary('ours'),
    twin: summary('twin'),
    // The ratio of each pair of adjacent blocks, then their median: a noisy neighbour or a
    // collection that lands in one block moves one pair, not the figure.
    paired_ratio_median: median(totals.ours.blocks.map((ours, i) => ours / totals.twin.blocks[i]!)),
  };
}

const result = mode === 'cold' ? await cold(args) : await warm(args);
process.send!(result);
process.disconnect();
