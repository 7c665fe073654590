// `npm start` among other processes: the signals IDEs, supervisors and terminals send, a server
// killed outright, and DynamoDB Local dying under load. Each test injects its fault for real, on
// real processes, with its own ports and data folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Exit, freePort } from '../../local/dynamodb.ts';
import { descendants, enginesOn, killQuietly, listening, quickJava, stillRunning } from '../support/processes.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const READY = 'Ctrl-C to stop.';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<Exit>;
  /** Whether it leads a process group of its own (npm, as a terminal starts it). */
  group: boolean;
}

const runs: Run[] = [];
const dataDirs: string[] = [];
/** Whatever a test started is gone after it, passed or failed: its processes and its data folder. */
afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.pid === undefined) continue;
    for (const entry of descendants(run.child.pid)) killQuietly(entry.pid);
    // Its group too: a server the test failed to stop may have outlived npm and its shell.
    killQuietly(run.group ? -run.child.pid : run.child.pid);
  }
  for (const dataDir of dataDirs.splice(0)) {
    const engines = enginesOn(dataDir);
    for (const engine of engines) killQuietly(engine.pid);
    await stillRunning(engines.map((engine) => engine.pid));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function setting() {
  const dataDir = mkdtempSync(join(tmpdir(), 'registry-process-'));
  dataDirs.push(dataDir);
  return { dataDir, port: await freePort(), dynamoPort: await freePort() };
}

/**
 * Starts `npm start`, or the server it runs (`node bin/local.ts`) when the test needs the server's
 * own exit status. npm gets a process group of its own, as a terminal would give it.
 */
function launch(how: 'npm' | 'node', where: { dataDir: string; port: number; dynamoPort: number }): Run {
  const [command, args] = how === 'npm' ? ['npm', ['start']] : [process.execPath, ['bin/local.ts']];
  const child = spawn(command, args as string[], {
    cwd: root,
    // A newcomer's shell: none of the variables the test run sets for the handlers.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: where.dataDir,
      PORT: String(where.port),
      DYNAMODB_PORT: String(where.dynamoPort),
      ...quickJava,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: how === 'npm',
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exit = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const run = { child, stdout: () => stdout, stderr: () => stderr, exit, group: how === 'npm' };
  runs.push(run);
  return run;
}

async function until(condition: () => boolean, what: string, run?: Run) {
  const deadline = Date.now() + 45_000;
  while (!condition()) {
    if (run && run.child.exitCode !== null) throw new Error(`exited early:\n${run.stdout()}${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${run?.stdout()}${run?.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What `promise` resolves to, or `fallback` if that takes more than `ms`. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const ok = (status: number) => status >= 200 && status < 300;
const ready = (run: Run) => until(() => run.stdout().includes(READY), READY, run);

describe('npm start as a process', () => {
  it.each([
    ['SIGTERM to npm, as IDEs and supervisors send it', (npm: number) => process.kill(npm, 'SIGTERM')],
    ['SIGHUP to npm', (npm: number) => process.kill(npm, 'SIGHUP')],
    ["a closed terminal (SIGHUP to npm's process group)", (npm: number) => process.kill(-npm, 'SIGHUP')],
    ["Ctrl-C in a terminal (SIGINT to npm's process group)", (npm: number) => process.kill(-npm, 'SIGINT')],
  ])(
    '%s ends npm, the server and DynamoDB Local, and frees both ports',
    async (_, signal) => {
      const where = await setting();
      const run = launch('npm', where);
      await ready(run);
      const npm = run.child.pid!;
      const tree = descendants(npm);
      expect(tree.filter((entry) => /^\S*node bin\/local\.ts$/.test(entry.args))).toHaveLength(1);
      expect(tree.filter((entry) => entry.args.includes('DynamoDBLocal.jar'))).toHaveLength(1);

      signal(npm);

      expect(await stillRunning([npm, ...tree.map((entry) => entry.pid)])).toEqual([]);
      expect(await listening(where.port)).toBe(false);
      expect(await listening(where.dynamoPort)).toBe(false);
      // Stopped as asked, not because DynamoDB Local went first.
      expect(run.stderr()).not.toContain('DynamoDB Local stopped');
    },
    60_000,
  );

  it('stops, with one line, the DynamoDB Local a killed server left holding its port, then starts', async () => {
    const where = await setting();
    const first = launch('node', where);
    await ready(first);
    const [engine, ...others] = enginesOn(where.dataDir);
    expect(others).toEqual([]);

    first.child.kill('SIGKILL');
    await first.exit;
    // The fault: DynamoDB Local outlived its server and still holds the port and the data.
    expect(await stillRunning([engine!.pid], 0)).toHaveLength(1);
    expect(await listening(where.dynamoPort)).toBe(true);

    const second = launch('node', where);
    await ready(second);
    expect(second.stderr().trim().split('\n')).toEqual([
      `Stopped DynamoDB Local (process ${engine!.pid}, port ${where.dynamoPort}) left running on ${where.dataDir} by an earlier npm start.`,
    ]);
    expect(second.stdout()).toContain('table registry found');
    expect(await stillRunning([engine!.pid], 0)).toEqual([]);

    second.child.kill('SIGINT');
    expect((await second.exit).code).toBe(0);
    expect(enginesOn(where.dataDir)).toEqual([]);
  }, 60_000);

  it('refuses, in one line, a second start on a data folder a running server uses, and leaves that one running', async () => {
    const where = await setting();
    const first = launch('node', where);
    await ready(first);
    const [engine] = enginesOn(where.dataDir);

    const second = launch('node', { ...where, port: await freePort(), dynamoPort: await freePort() });
    expect(await within(second.exit, 30_000, 'still running')).toEqual({ code: 1, signal: null });
    expect(second.stderr().trim().split('\n')).toEqual([
      `Another npm start (process ${first.child.pid}) is using the data folder ${where.dataDir}: stop it first, or set DATA_DIR to another folder.`,
    ]);
    expect(enginesOn(where.dataDir).map((entry) => entry.pid)).toEqual([engine!.pid]);
    expect(await listening(where.port)).toBe(true);

    first.child.kill('SIGTERM');
    expect((await first.exit).code).toBe(0);
  }, 60_000);

  it('when DynamoDB Local dies during a burst: requests in flight get 503 problems, the server says why in one line and exits 1, and every 2xx was stored', async () => {
    const where = await setting();
    const run = launch('node', where);
    await ready(run);
    const [engine] = enginesOn(where.dataDir);
    const token = readFileSync(join(where.dataDir, 'dev-api-key'), 'utf8').trim();
    const post = (port: number, email: string) =>
      fetch(`http://localhost:${port}/v4/organisations/ACME/purchasers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, purchases: [{ order_ref: `O-${email}`, sku: 'SKU1' }] }),
      });

    interface Answer {
      email: string;
      status: number;
      type: string | null;
      retryAfter: string | null;
      body: { created_at?: string; purchases?: { review_url: string }[] };
    }
    const answers: Answer[] = [];
    // Each worker sends one request after another until the server is gone (refused or closed).
    const worker = async (w: number) => {
      for (let n = 0; n < 1_000; n += 1) {
        const email = `w${w}-${n}@example.com`;
        try {
          const response = await post(where.port, email);
          const { status, headers } = response;
          const text = await response.text();
          const body = (headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text }) as Answer['body'];
          answers.push({
            email,
            status,
            type: headers.get('content-type'),
            retryAfter: headers.get('retry-after'),
            body,
          });
        } catch {
          return;
        }
      }
    };
    const burst = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    await until(() => answers.length >= 40, '40 answers', run);

    process.kill(engine!.pid, 'SIGKILL');
    const beforeKill = answers.length;

    expect(await within(run.exit, 30_000, 'still running')).toEqual({ code: 1, signal: null });
    await burst;
    expect(
      run
        .stderr()
        .split('\n')
        .filter((line) => line.includes('DynamoDB Local')),
    ).toEqual(['DynamoDB Local stopped unexpectedly (killed by SIGKILL); the API stops with it.']);
    const unexpected = answers.filter(
      (answer) =>
        !ok(answer.status) &&
        !(answer.status === 503 && answer.type?.startsWith('application/problem+json') && answer.retryAfter),
    );
    expect(unexpected).toEqual([]);
    // Under load some requests may be 503 before the kill too: these were answered after it.
    expect(answers.slice(beforeKill).filter((answer) => answer.status === 503).length).toBeGreaterThan(0);

    // Every purchaser acknowledged with a 2xx is there after a restart on the same data.
    const again = launch('node', { ...where, port: await freePort() });
    await ready(again);
    const port = Number(/Registry API on http:\/\/localhost:(\d+)/.exec(again.stdout())![1]);
    const acknowledged = answers.filter((answer) => ok(answer.status));
    for (let i = 0; i < acknowledged.length; i += 16) {
      await Promise.all(
        acknowledged.slice(i, i + 16).map(async (answer) => {
          // A 503 says to try again; a freshly started DynamoDB Local on a busy machine may need it.
          let response = await post(port, answer.email);
          for (let retry = 0; retry < 5 && response.status === 503; retry += 1) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            response = await post(port, answer.email);
          }
          const body = (await response.json()) as Answer['body'];
          expect({ email: answer.email, status: response.status, created_at: body.created_at }).toEqual({
            email: answer.email,
            status: 200,
            created_at: answer.body.created_at,
          });
          expect(body.purchases?.[0]?.review_url).toBe(answer.body.purchases?.[0]?.review_url);
        }),
      );
    }
    again.child.kill('SIGINT');
    expect((await again.exit).code).toBe(0);
  }, 90_000);
});
