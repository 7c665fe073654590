// npm run bench:against -- <git rev> [function ...]: this tree's bundles against the same
// functions' bundles at <rev>, in one run, to tell whether a change moved cold start or warm CPU.
// Each function's bundle at <rev> takes the place of its bare twin: the same paired warm blocks
// and paired cold starts as `npm run bench` (fewer cold pairs), on the same harness. Prints a
// table; writes nothing in the tree. <rev> must have bench/bundles.ts (any commit since the bench
// suite landed); its checkout is a temporary git worktree sharing this node_modules.
import { FUNCTIONS } from './functions.ts';
import { startHarness } from './harness.ts';
import { median } from './stats.ts';
import { bundleTrees } from './trees.ts';

const [rev, ...only] = process.argv.slice(2);
if (!rev) {
  process.stderr.write('usage: npm run bench:against -- <git rev> [function ...]\n');
  process.exit(2);
}
const names = FUNCTIONS.filter((name) => only.length === 0 || only.includes(name));
const plan = { coldRuns: 21, warmRequests: 2000 };
const say = (text: string) => process.stderr.write(`${text}\n`);

say(`Checking out ${rev} and bundling both trees as CDK deploys them...`);
const trees = bundleTrees(rev);
const harness = await startHarness();
try {
  const { now, then } = trees;
  const rows: string[] = [];
  for (const name of names) {
    const [ours, theirs] = [now[name], then[name]];
    if (!ours || !theirs) {
      say(`${name}: not in ${trees.revision}, skipped.`);
      continue;
    }
    say(`${name}: warm CPU (${plan.warmRequests} requests a side), cold starts (${plan.coldRuns} pairs)...`);
    const warm = await harness.warm(name, ours.file, theirs.file, plan.warmRequests);
    const cold = await harness.coldPairs(name, [ours.file, theirs.file], plan.coldRuns);
    const pairs = cold.ms[0].map((ms, i) => ms / (cold.ms[1][i] ?? ms));
    rows.push(
      `| ${name} | ${median(cold.ms[0]).toFixed(1)} | ${median(cold.ms[1]).toFixed(1)} | ${median(pairs).toFixed(2)} | ` +
        `${Math.round(warm.ours.cpu_us_per_request)} | ${Math.round(warm.twin.cpu_us_per_request)} | ` +
        `${warm.paired_ratio_median.toFixed(2)} | ${ours.bytes} | ${theirs.bytes} |`,
    );
  }
  process.stdout.write(
    [
      `This tree against ${trees.revision} (npm run bench:against -- ${rev}), one run, medians; ratios are now / then.`,
      '',
      '| function | cold now (ms) | cold then (ms) | cold ratio (median of pairs) | warm now (µs CPU) | ' +
        'warm then (µs CPU) | warm ratio (median of block pairs) | bundle now (bytes) | bundle then (bytes) |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await harness.stop();
  trees.dispose();
}
