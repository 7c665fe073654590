// Two trees' bundles side by side: this tree's and another commit's, each bundled by its own code
// (that commit's bench/bundles.ts) as CDK deploys it. The other commit is checked out in a
// temporary git worktree sharing this node_modules; dispose() removes it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthBundles } from './bundles.ts';
import { root } from './harness.ts';

export interface TreeBundles {
  /** This tree's bundles, by function name. */
  readonly now: Readonly<Record<string, { readonly file: string; readonly bytes: number }>>;
  /** `rev`'s bundles, by function name (the functions that tree had). */
  readonly then: Readonly<Record<string, { readonly file: string; readonly bytes: number }>>;
  /** `rev` as a short commit id. */
  readonly revision: string;
  dispose(): void;
}

export function bundleTrees(rev: string): TreeBundles {
  const work = mkdtempSync(join(tmpdir(), 'bench-trees-'));
  const tree = join(work, 'tree');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
      .toString()
      .trim();
  git('worktree', 'add', '--detach', tree, rev);
  const dispose = () => {
    git('worktree', 'remove', '--force', tree);
    rmSync(work, { recursive: true, force: true });
  };
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
    );
    const now = synthBundles(join(work, 'now.out')).ours;
    return { now, then, revision: git('rev-parse', '--short', rev), dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
