// npm run bench:against -- <git rev> [function ...]: this tree's bundles against the same
// functions' bundles at <rev>, in one run, to tell whether a change moved cold start or warm CPU.
// Each function's bundle at <rev> takes the place of its bare twin: the same paired warm blocks
// and paired cold starts as `npm run bench` (fewer cold pairs), on the same harness. Prints a
// table; writes nothing in the tree. <rev> must have bench/bundles.ts (any commit since the bench
// suite landed); its checkout is a temporary git worktree sharing this node_modules.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthBundles } from './bundles.ts';
import { FUNCTIONS, type FunctionName } from './functions.ts';
import { root, startHarness } from './harness.ts';
import { median } from './stats.ts';

const [rev, ...only] = process.argv.slice(2);
if (!rev) {
  process.stderr.write('usage: npm run bench:against -- <git rev> [function ...]\n');
  process.exit(2);
}
const names = FUNCTIONS.filter((name) => only.length === 0 || only.includes(name));
const plan = { coldRuns: 21, warmRequests: 2000 };
const say = (text: string) => process.stderr.write(`${text}\n`);

const work = mkdtempSync(join(tmpdir(), 'bench-against-'));
const tree = join(work, 'tree');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
say(`Checking out ${rev} and bundling both trees as CDK deploys them...`);
git('worktree', 'add', '--detach', tree, rev);
const harness = await startHarness();
try {
  if (!existsSync(join(tree, 'bench', 'bundles.ts'))) throw new Error(`${rev} has no bench/bundles.ts`);
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  // The other tree's own code decides how its functions are bundled.
  const script = `import { synthBundles } from './bench/bundles.ts';
    process.stdout.write(JSON.stringify(synthBundles(${JSON.stringify(join(work, 'then.out'))}).ours));`;
  const then = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tree, encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1) ?? '{}',
  ) as Record<FunctionName, { file: string; bytes: number }>;
  const now = synthBundles(join(work, 'now.out')).ours;

  const rows: string[] = [];
  for (const name of names) {
    say(`${name}: warm CPU (${plan.warmRequests} requests a side), cold starts (${plan.coldRuns} pairs)...`);
    const warm = await harness.warm(name, now[name].file, then[name].file, plan.warmRequests);
    const cold = await harness.coldPairs(name, [now[name].file, then[name].file], plan.coldRuns);
    const pairs = cold.ms[0].map((ms, i) => ms / (cold.ms[1][i] ?? ms));
    rows.push(
      `| ${name} | ${median(cold.ms[0]).toFixed(1)} | ${median(cold.ms[1]).toFixed(1)} | ${median(pairs).toFixed(2)} | ` +
        `${Math.round(warm.ours.cpu_us_per_request)} | ${Math.round(warm.twin.cpu_us_per_request)} | ` +
        `${warm.paired_ratio_median.toFixed(2)} | ${now[name].bytes} | ${then[name].bytes} |`,
    );
  }
  const revision = git('rev-parse', '--short', rev).toString().trim();
  process.stdout.write(
    [
      `This tree against ${revision} (npm run bench:against -- ${rev}), one run, medians; ratios are now / then.`,
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
  git('worktree', 'remove', '--force', tree);
  rmSync(work, { recursive: true, force: true });
}
