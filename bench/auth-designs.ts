// npm run bench:auth: the two ways partner routes have authenticated, side by side, in one run.
//
//   before  an API Gateway Lambda authorizer (commit be715e9, the last with it) in front of a
//           handler that trusted its context: a cold API runs two cold functions in a row
//           (authorizer, then handler), and a warm one skips the authorizer while API Gateway
//           caches its answer (up to 300 s per Authorization header);
//   now     the handler authenticates itself (functions/auth/authenticator.ts): one cold function,
//           one GetItem for the key on a container's first request, then a cached key (60 s).
//
// Each bundle is built as CDK deploys it, and timed as `npm run bench` times cold starts (a fresh
// process: import the bundle, handle one request) and warm CPU (alternating blocks). Writes
// bench/auth-designs.json, which BENCHMARKS.md shows (bench/report.ts); prints the table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startHarness } from './harness.ts';
import { AUTH_SECTION, type AuthDesigns, type AuthRoute, authDesignsSection, authDesignsTable } from './report.ts';
import { median } from './stats.ts';
import { bundleTrees } from './trees.ts';

/** The last commit whose partner routes sat behind the Lambda authorizer. */
const BEFORE = 'be715e9';
const ROUTES = ['CreatePurchaser', 'CreateCustomer'] as const satisfies readonly AuthRoute[];
const plan = { coldRuns: 21, warmRequests: 2000 };
const say = (text: string) => process.stderr.write(`${text}\n`);

say(`Checking out ${BEFORE} and bundling both designs as CDK deploys them...`);
const trees = bundleTrees(BEFORE);
const harness = await startHarness();
try {
  const { now, then: before } = trees;
  const authorizer = before.Authorizer?.file;
  if (!authorizer) throw new Error(`${BEFORE} has no Authorizer bundle`);

  const routes = {} as AuthDesigns['routes'];
  for (const name of ROUTES) {
    say(`${name}: cold starts (${plan.coldRuns} rounds of three), warm CPU (${plan.warmRequests} requests a side)...`);
    const handlers = await harness.coldPairs(name, [now[name]!.file, before[name]!.file], plan.coldRuns);
    const authorizers = await harness.coldPairs('Authorizer', [authorizer, authorizer], plan.coldRuns);
    // One authorizer cold start per round (the first of each pair), added to the old handler's.
    const firstBefore = handlers.ms[1].map((ms, i) => ms + (authorizers.ms[0][i] ?? 0));
    const warm = await harness.warm(name, now[name]!.file, before[name]!.file, plan.warmRequests);
    routes[name] = {
      authorizer_cold_ms: r1(median(authorizers.ms[0])),
      handler_before_cold_ms: r1(median(handlers.ms[1])),
      first_request_before_ms: r1(median(firstBefore)),
      first_request_now_ms: r1(median(handlers.ms[0])),
      first_request_ratio: r2(median(handlers.ms[0].map((ms, i) => ms / firstBefore[i]!))),
      warm_before_cpu_us: Math.round(warm.twin.cpu_us_per_request),
      warm_now_cpu_us: Math.round(warm.ours.cpu_us_per_request),
      warm_ratio: r2(warm.paired_ratio_median),
    };
  }
  const result: AuthDesigns = {
    command: 'npm run bench:auth',
    before: BEFORE,
    cold_runs: plan.coldRuns,
    warm_requests: plan.warmRequests,
    routes,
  };
  writeFileSync(join(root, 'bench', 'auth-designs.json'), `${JSON.stringify(result, null, 2)}\n`);
  // BENCHMARKS.md shows these figures in section 6: put the new ones there, the rest as it was.
  const report = join(root, 'BENCHMARKS.md');
  if (existsSync(report)) {
    const text = readFileSync(report, 'utf8');
    const at = text.indexOf(AUTH_SECTION);
    writeFileSync(report, `${(at < 0 ? text : text.slice(0, at)).trimEnd()}\n${authDesignsSection(root)}`);
  }
  process.stdout.write(`${authDesignsTable(result)}\n`);
} finally {
  await harness.stop();
  trees.dispose();
}

function r1(value: number) {
  return Math.round(value * 10) / 10;
}
function r2(value: number) {
  return Math.round(value * 100) / 100;
}
