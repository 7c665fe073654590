// Load against `npm start` (the local server and DynamoDB Local, as a newcomer runs them):
// autocannon on the native write endpoints, distinct emails so every request writes, server memory
// sampled. Only those two: the report's load section is written for them, and the dialect rows'
// examples need more than an email swapped in (KohortPay's `emailAddress`, an access token first).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createCustomerRow, createPurchaserRow } from '../contract/routes.ts';
import { freePort } from '../local/dynamodb.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non2xx: number;
  requests: number;
  server_rss_mb_max: number;
  dynamodb_local_rss_mb_max: number;
  /** CPU used over the run, in cores (1 = one core busy throughout). */
  server_cpu_cores: number;
  dynamodb_local_cpu_cores: number;
}

/** Resident memory of a process, in MB (Linux /proc), or 0 where it cannot be read. */
function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time a process has used, in seconds (Linux /proc: user + system, at 100 ticks a second). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function childPid(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

export async function measureLoad(options: {
  seconds: number;
  connections: number;
}): Promise<Record<string, LoadResult>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'registry-bench-'));
  const port = await freePort();
  const server: ChildProcess = spawn(process.execPath, ['bin/local.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      DYNAMODB_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    },
    stdio: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await fetch(url);
        break;
      } catch {
        if (Date.now() > deadline || server.exitCode !== null) throw new Error('npm start did not come up');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const token = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
    const results: Record<string, LoadResult> = {};
    for (const route of [createPurchaserRow, createCustomerRow]) {
      let serverRss = 0;
      let dynamoRss = 0;
      const dynamoPid = childPid(server.pid);
      const sampler = setInterval(() => {
        serverRss = Math.max(serverRss, rssMb(server.pid));
        dynamoRss = Math.max(dynamoRss, rssMb(dynamoPid));
      }, 500);
      let n = 0;
      const cpuBefore = { server: cpuSeconds(server.pid), dynamo: cpuSeconds(dynamoPid), at: Date.now() };
      const result = await autocannon({
        url,
        connections: options.connections,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            path: route.example!.path,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            setupRequest: (request) => {
              request.body = JSON.stringify({ ...(route.example!.body as object), email: `load-${++n}@example.com` });
              return request;
            },
          },
        ],
      });
      clearInterval(sampler);
      const elapsed = (Date.now() - cpuBefore.at) / 1000;
      const cores = (now: number, before: number) => Math.round(((now - before) / elapsed) * 100) / 100;
      results[route.name] = {
        rps: Math.round(result.requests.average),
        p50_ms: result.latency.p50,
        p99_ms: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        requests: result.requests.total,
        server_rss_mb_max: Math.round(serverRss),
        dynamodb_local_rss_mb_max: Math.round(dynamoRss),
        server_cpu_cores: cores(cpuSeconds(server.pid), cpuBefore.server),
        dynamodb_local_cpu_cores: cores(cpuSeconds(dynamoPid), cpuBefore.dynamo),
      };
    }
    return results;
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
