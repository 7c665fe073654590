// What reading the HMAC keys from Secrets Manager at cold start costs (functions/runtime/secrets.ts):
//
//   bytes  every function's bundle, built with the stack's esbuild settings, with and without the
//          Secrets Manager client (stubbed out): what the client adds, and to which functions
//   cold   functions that read secrets, started in fresh Node.js processes against the benchmark's
//          DynamoDB Local (bench/harness.ts: import and first request, pairs in turn): with the
//          keys themselves in the environment (no call, as npm start and `npm run bench` run
//          them), and with only their ARNs, read from a local stand-in for Secrets Manager
//          (test/support/secrets-manager.ts). Loopback: the difference is the client's own cost
//          (creation, signing, three GetSecretValue calls per secret in parallel); deployed, a
//          function adds one round trip to Secrets Manager in its region. And what carrying the
//          client in its bundle costs a function that reads nothing (keys in env both sides).
//
//   npx node bench/secrets-cost.ts [--runs 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { ingestRow, publisherRow } from '../contract/events.ts';
import {
  commerceLayerGetCustomerRow,
  type FunctionRow,
  getCustomerRow,
  listCustomersRow,
  listPurchasesRow,
  routes,
} from '../contract/routes.ts';
import { startFakeSecretsManager } from '../test/support/secrets-manager.ts';
import { stackBuildOptions } from './esbuild.ts';
import type { FunctionName } from './functions.ts';
import { root, startHarness } from './harness.ts';
import { median } from './stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const out = mkdtempSync(join(tmpdir(), 'secrets-cost-'));

const say = (line: string) => process.stdout.write(`${line}\n`);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(1);
const signed = (value: number) => `${value < 0 ? '' : '+'}${ms(value)}`;
/** The secrets a row reads, by their settings' names without `_ARN`. */
const secretsOf = (row: FunctionRow) =>
  (row.environment ?? []).filter((name) => name.endsWith('_SECRET_ARN')).map((name) => name.replace(/_ARN$/, ''));

/** The client replaced by empty classes: the bundle as it would be without it. */
const withoutClient: Plugin = {
  name: 'without-secrets-manager',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@aws-sdk\/client-secrets-manager$/ }, () => ({ path: 'stub', namespace: 'stub' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export class SecretsManagerClient {} export class GetSecretValueCommand {}',
    }));
  },
};

/** `row`'s bundle as the stack builds it (lib/registry-function.ts `bundling`): its file and size. */
async function bundle(row: FunctionRow, plugins: Plugin[] = []) {
  const outfile = join(out, `${row.name}${plugins.length ? '-without' : ''}.mjs`);
  const result = await build({
    entryPoints: [join(root, row.entry)],
    outfile,
    ...stackBuildOptions,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  // The bundle, not its source map beside it.
  const [, output] = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'))!;
  return { outfile, bytes: output.bytes };
}

try {
  const rows: FunctionRow[] = [...routes, ingestRow, publisherRow];
  const sizes = await Promise.all(
    rows.map(async (row) => ({ row, with: await bundle(row), without: await bundle(row, [withoutClient]) })),
  );
  say('## Bundle bytes (minified index.mjs)\n');
  say('| function | reads | bundle | without the client | the client adds |');
  say('|---|---|---:|---:|---:|');
  for (const size of sizes) {
    const added = size.with.bytes - size.without.bytes;
    say(
      `| ${size.row.name} | ${secretsOf(size.row).join(', ') || '-'} | ${kb(size.with.bytes)} KB | ` +
        `${kb(size.without.bytes)} KB | ${kb(added)} KB |`,
    );
  }

  say(`\n## Cold start: import and first request in a fresh Node.js ${process.version}, medians of ${runs} pairs\n`);
  const harness = await startHarness();
  const secretsManager = await startFakeSecretsManager();
  try {
    say('| function | GetSecretValue calls | keys in env | ARNs, read at cold start | paired difference |');
    say('|---|---:|---:|---:|---:|');
    for (const row of [listCustomersRow, listPurchasesRow, commerceLayerGetCustomerRow]) {
      const file = sizes.find((size) => size.row === row)!.with.outfile;
      const names = secretsOf(row);
      // The keys the harness gives the other side, from Secrets Manager; the keys themselves are
      // blanked, as they win over an ARN.
      const env = harness.env as Record<string, string | undefined>;
      const byArn = {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
        ...Object.fromEntries(names.map((name) => [name, ''])),
        ...Object.fromEntries(names.map((name) => [`${name}_ARN`, secretsManager.create(name, env[name] ?? '')])),
      };
      const name = row.name as FunctionName;
      // Unmeasured pairs first: DynamoDB Local's JVM answers its first requests slowly.
      await harness.coldPairs(name, [file, file], 3, [{}, byArn]);
      const cold = await harness.coldPairs(name, [file, file], runs, [{}, byArn]);
      if (cold.failures > 0) throw new Error(`${name}: ${cold.failures} cold starts failed`);
      const [plain, read] = cold.ms;
      const paired = median(read.map((value, i) => value - plain[i]!));
      say(
        `| ${name} | ${3 * names.length} | ${ms(median(plain))} ms | ${ms(median(read))} ms | ${signed(paired)} ms |`,
      );
    }

    // What carrying the client costs a function that reads no secret (its import evaluates the
    // client's modules all the same).
    say('\n| function, keys in env | without the client | with it | paired difference |');
    say('|---|---:|---:|---:|');
    for (const row of [getCustomerRow, listCustomersRow]) {
      const { with: withClient, without } = sizes.find((size) => size.row === row)!;
      const name = row.name as FunctionName;
      await harness.coldPairs(name, [without.outfile, withClient.outfile], 3);
      const cold = await harness.coldPairs(name, [without.outfile, withClient.outfile], runs);
      if (cold.failures > 0) throw new Error(`${name}: ${cold.failures} cold starts failed`);
      const [bare, carrying] = cold.ms;
      const paired = median(carrying.map((value, i) => value - bare[i]!));
      say(`| ${name} | ${ms(median(bare))} ms | ${ms(median(carrying))} ms | ${signed(paired)} ms |`);
    }
  } finally {
    await secretsManager.close();
    await harness.stop();
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
