// `npm start` as a newcomer runs it: a real process with its own DynamoDB Local and data folder.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb.ts';
import { listening, quickJava } from '../support/processes.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'registry-data-'));
/** Whatever a test started is stopped after it, passed or failed (gracefully, so DynamoDB Local goes too). */
const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  children.clear();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, ['bin/local.ts'], {
    cwd: root,
    // A newcomer's shell: none of the variables the test run sets for the handlers.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ...quickJava, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  children.add(child);
  return { child, output: () => output, exit };
}

async function until(started: Started, text: string) {
  const deadline = Date.now() + 45_000;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null) throw new Error(`exited early:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the curl line printed for a route, by parsing it (method, URL, body). */
async function runPrintedCurl(output: string, routeComment: string) {
  const lines = output.split('\n');
  const curl = lines[lines.indexOf(routeComment) + 1]!;
  const match =
    /^curl -sS -X (\w+) (\S+) -H 'authorization: (Bearer \S+)' -H 'content-type: application\/json' -d '(.*)'$/.exec(
      curl,
    );
  expect(match, curl).not.toBeNull();
  const [, method, url, authorization, body] = match!;
  return fetch(url!, { method, headers: { authorization: authorization!, 'content-type': 'application/json' }, body });
}

/**
 * Runs the lines printed under a route's comment (a token fetched and an id looked up first, where
 * one is needed) in bash; its output as JSON, or null when there is none (a 204).
 */
function runPrintedBlock(output: string, routeComment: string): unknown {
  const lines = output.split('\n');
  const from = lines.indexOf(routeComment) + 1;
  expect(from, routeComment).toBeGreaterThan(0);
  const block = lines.slice(from, lines.indexOf('', from)).join('\n');
  const printed = execFileSync('bash', ['-c', block], { encoding: 'utf8' });
  return printed === '' ? null : JSON.parse(printed);
}

describe('npm start', () => {
  it('serves the API on DynamoDB Local, prints working curls, stops on Ctrl-C, and keeps its data', async () => {
    const ports = { PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()) };

    const first = start(ports);
    await until(first, 'Ctrl-C to stop.');
    expect(first.output()).toContain(`Registry API on http://localhost:${ports.PORT}`);
    expect(first.output()).toContain('table registry created');
    expect(first.output()).toContain('Development API key for ACME, corp_123');
    const created = await runPrintedCurl(first.output(), '# POST /v4/organisations/{trkref}/purchasers');
    expect(created.status).toBe(201);
    const { created_at } = (await created.json()) as { created_at: string };
    // The local API Gateway's access log: one JSON line per request, with the id the response carries.
    await until(first, `"requestId":"${created.headers.get('x-request-id')}"`);
    expect(first.output()).toMatch(
      /\{"access":\{"requestId":"[^"]+","method":"POST","routeKey":"POST \/v4\/organisations\/\{trkref\}\/purchasers","status":201,"latencyMs":\d+\}\}/,
    );
    expect((await runPrintedCurl(first.output(), '# POST /customers')).status).toBe(201);
    // A customer by id: its id read from the list filtered by its email, in the same block.
    expect(runPrintedBlock(first.output(), '# GET /customers/{id}')).toMatchObject({
      data: { id: expect.stringMatching(/^cust_/), email: 'contact@acme.com' },
    });
    expect(runPrintedBlock(first.output(), '# PATCH /customers/{id}')).toMatchObject({
      data: { name: 'Acme Corp', shipping_address: { city: 'Oakland', line2: null } },
    });
    expect(runPrintedBlock(first.output(), '# GET /v4/organisations/{trkref}/purchasers/{email}')).toMatchObject({
      email: 'jane@example.com',
      purchases: [expect.objectContaining({ review_url: expect.any(String) }), expect.anything()],
    });
    // The dialects' curls, pasted into a shell as printed (Commerce Layer's fetches its token first).
    expect(runPrintedBlock(first.output(), '# POST /compat/kohortpay/customers')).toMatchObject({
      id: expect.stringMatching(/^cus_/),
      organizationId: 'org_ACME',
    });
    expect(runPrintedBlock(first.output(), '# POST /compat/commercelayer/oauth/token')).toMatchObject({
      token_type: 'bearer',
    });
    expect(runPrintedBlock(first.output(), '# POST /compat/commercelayer/api/customers')).toMatchObject({
      data: { type: 'customers', attributes: { email: 'john@example.com' } },
    });
    // A token, an id, and the id spliced into the JSON:API document, all in one block.
    expect(runPrintedBlock(first.output(), '# PATCH /compat/commercelayer/api/customers/{id}')).toMatchObject({
      data: { type: 'customers', attributes: { email: 'john@example.com', reference: 'ref_789' } },
    });
    // Erased (no answer), and then not found.
    expect(runPrintedBlock(first.output(), '# DELETE /compat/kohortpay/customers/{id}')).toMatchObject({
      emailAddress: null,
      deletedAt: expect.any(String),
    });
    expect(runPrintedBlock(first.output(), '# DELETE /customers/{id}')).toBeNull();
    expect(runPrintedBlock(first.output(), '# GET /customers/{id}')).toMatchObject({ status: 404 });
    // The stream of the local table, through the publisher: one JSON line per domain event.
    await until(first, '"detail-type":"customer.created"');
    await until(first, '"detail-type":"customer.erased"');
    await until(first, '"detail-type":"purchaser.upserted"');

    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    expect(await listening(Number(ports.DYNAMODB_PORT))).toBe(false);
    expect(await listening(Number(ports.PORT))).toBe(false);

    const second = start(ports);
    await until(second, 'Ctrl-C to stop.');
    expect(second.output()).toContain('table registry found');
    const again = await runPrintedCurl(second.output(), '# POST /v4/organisations/{trkref}/purchasers');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { created_at: string }).created_at).toBe(created_at);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  });

  it('says in one line what to install when Java is missing', async () => {
    const started = start({ PATH: dirname(process.execPath) });
    expect(await started.exit).toBe(1);
    const lines = started.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/needs Java.*install Java 17 or newer/);
  });
});
