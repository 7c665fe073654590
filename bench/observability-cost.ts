// What logs, metrics and traces cost a cold start, measured the way `npm run bench` measures a
// function: tiny handlers bundled with the stack's own esbuild settings (lib/registry-function.ts
// `bundling`), each imported and invoked once in fresh Node.js processes, medians reported.
//
//   node bench/observability-cost.ts <dir> [--runs 31]
//
// <dir> is a folder whose node_modules holds the libraries compared against, installed outside
// this repository so that none of them reaches package.json or a Lambda bundle:
//
//   npm install --prefix /tmp/pt @aws-lambda-powertools/logger @aws-lambda-powertools/metrics \
//     @aws-lambda-powertools/tracer aws-xray-sdk-core
//
// Logging: a handler that writes one request line, with our logger (functions/runtime/logger.ts
// and metrics.ts: the line and its embedded metric), with Powertools Logger (and Metrics), with a
// bare `process.stdout.write`, and one that logs nothing (the floor). Tracing: a handler that
// creates the DynamoDB client the functions use, plain or captured for X-Ray (Powertools Tracer,
// or the X-Ray SDK directly), so the DynamoDB calls would show in a trace. Not part of
// `npm run bench`: it reports, asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { stackBuildOptions } from './esbuild.ts';
import { median } from './stats.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

interface Variant {
  readonly name: string;
  /** What the figure is measured against (its row's "over" column). */
  readonly against?: string;
  /** The entry module's source: exports `handler`. */
  readonly source: string;
}

const repo = (file: string) => JSON.stringify(join(root, file));

const variants: readonly Variant[] = [
  {
    name: 'log: none',
    source: `export const handler = async () => ({ statusCode: 201 });`,
  },
  {
    name: 'log: process.stdout.write',
    against: 'log: none',
    source: `export const handler = async (event, context) => {
      process.stdout.write(JSON.stringify({ level: 'info', time: new Date().toISOString(), message: 'request',
        function_request_id: context.awsRequestId, status: 201 }) + '\\n');
      return { statusCode: 201 };
    };`,
  },
  {
    name: 'log: ours (line + EMF)',
    against: 'log: none',
    source: `import { defaultLogger, invocationFields } from ${repo('functions/runtime/logger.ts')};
    import { metricFields } from ${repo('functions/runtime/metrics.ts')};
    const log = defaultLogger().child({ route: 'Bench' });
    export const handler = async (event, context) => {
      log.info('request', { ...invocationFields(context), status: 201, outcome: 'created',
        ...metricFields({ route: 'Bench' }, { created: 1 }) });
      return { statusCode: 201 };
    };`,
  },
  {
    name: 'log: Powertools Logger',
    against: 'log: ours (line + EMF)',
    source: `import { Logger } from '@aws-lambda-powertools/logger';
    const logger = new Logger({ serviceName: 'bench' });
    export const handler = async (event, context) => {
      logger.addContext(context);
      logger.info('request', { status: 201, outcome: 'created' });
      return { statusCode: 201 };
    };`,
  },
  {
    name: 'log: Powertools Logger + Metrics',
    against: 'log: ours (line + EMF)',
    source: `import { Logger } from '@aws-lambda-powertools/logger';
    import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
    const logger = new Logger({ serviceName: 'bench' });
    const metrics = new Metrics({ namespace: 'PurchaserRegistry', serviceName: 'bench' });
    export const handler = async (event, context) => {
      logger.addContext(context);
      logger.info('request', { status: 201, outcome: 'created' });
      metrics.addDimension('route', 'Bench');
      metrics.addMetric('created', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return { statusCode: 201 };
    };`,
  },
  {
    name: 'trace: DynamoDB client, untraced',
    source: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    const client = new DynamoDBClient({});
    export const handler = async () => ({ statusCode: 200, body: typeof client.send });`,
  },
  {
    name: 'trace: + Powertools Tracer',
    against: 'trace: DynamoDB client, untraced',
    source: `import { Tracer } from '@aws-lambda-powertools/tracer';
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    const tracer = new Tracer({ serviceName: 'bench' });
    const client = tracer.captureAWSv3Client(new DynamoDBClient({}));
    export const handler = async () => ({ statusCode: 200, body: typeof client.send });`,
  },
  {
    name: 'trace: + X-Ray SDK',
    against: 'trace: DynamoDB client, untraced',
    source: `import AWSXRay from 'aws-xray-sdk-core';
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    const client = AWSXRay.captureAWSv3Client(new DynamoDBClient({}));
    export const handler = async () => ({ statusCode: 200, body: typeof client.send });`,
  },
];

/** Bundles `variant` as the stack bundles a function; answers the bundle's path. */
async function bundle(variant: Variant, index: number, outdir: string, libraries: string): Promise<string> {
  const outfile = join(outdir, String(index), 'index.mjs');
  await build({
    stdin: { contents: variant.source, resolveDir: root, sourcefile: 'handler.ts', loader: 'ts' },
    // The libraries compared against are found in <dir>, the repository's own (the SDK) here.
    nodePaths: [join(libraries, 'node_modules')],
    outfile,
    ...stackBuildOptions,
    logLevel: 'error',
  });
  return outfile;
}

/** What a deployed function's process sees of Lambda, for the libraries that look. */
const lambdaEnv = (taskRoot: string) => ({
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
  AWS_LAMBDA_LOG_LEVEL: 'INFO',
  LAMBDA_TASK_ROOT: taskRoot,
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
});

interface Run {
  /** import() of the bundle: module evaluation, the handler's module scope included. */
  readonly importMs: number;
  /** The first invocation. */
  readonly firstMs: number;
}

const child = `
const started = performance.now();
const { handler } = await import(process.argv[1]);
const imported = performance.now();
await handler({}, { awsRequestId: 'bench-request', functionName: 'bench', getRemainingTimeInMillis: () => 10000 });
process.send({ importMs: imported - started, firstMs: performance.now() - imported }, () => process.exit(0));`;

/** One fresh process: imports `file` and invokes its handler once (its output discarded). */
function coldStart(file: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const process_ = spawn(process.execPath, ['--input-type=module', '-e', child, `file://${file}`], {
      env,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let run: Run | undefined;
    process_.on('message', (message) => {
      run = message as Run;
    });
    process_.on('exit', (code) => (run ? resolvePromise(run) : reject(new Error(`${file} exited ${code}`))));
  });
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string', default: '31' } },
  });
  const libraries = positionals[0];
  if (!libraries) throw new Error('usage: node bench/observability-cost.ts <dir with node_modules> [--runs 31]');
  const runs = Number(values.runs);
  const outdir = mkdtempSync(join(tmpdir(), 'observability-cost-'));
  const files = await Promise.all(variants.map((variant, i) => bundle(variant, i, outdir, resolve(libraries))));
  const env = lambdaEnv(outdir);

  const results = variants.map(() => [] as Run[]);
  for (let run = 0; run < runs; run++) {
    // Each round in another order, so no variant always follows the same one.
    for (let k = 0; k < variants.length; k++) {
      const i = (run + k) % variants.length;
      results[i]!.push(await coldStart(files[i]!, env));
    }
  }

  const totals = results.map((rs) => median(rs.map((r) => r.importMs + r.firstMs)));
  const byName = new Map(variants.map((variant, i) => [variant.name, i]));
  const rows = variants.map((variant, i) => {
    const rs = results[i]!;
    const base = variant.against === undefined ? undefined : byName.get(variant.against)!;
    const bytes = statSync(files[i]!).size;
    return [
      variant.name,
      String(bytes),
      median(rs.map((r) => r.importMs)).toFixed(1),
      median(rs.map((r) => r.firstMs)).toFixed(1),
      totals[i]!.toFixed(1),
      base === undefined
        ? ''
        : `${variant.against}: ${totals[i]! - totals[base]! >= 0 ? '+' : ''}${(totals[i]! - totals[base]!).toFixed(1)} ms, ` +
          `${bytes - statSync(files[base]!).size >= 0 ? '+' : ''}${bytes - statSync(files[base]!).size} bytes`,
    ];
  });
  const header = ['handler', 'bundle (bytes)', 'import (ms)', 'first call (ms)', 'cold start (ms)', 'over'];
  console.log(`Node.js ${process.version}, ${runs} fresh processes each (medians)\n`);
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

await main();
