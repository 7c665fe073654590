// `npm run synth` as ops run it: the CDK CLI, offline, without AWS credentials, bundling every
// function for real with the local esbuild.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { ingestRow, publisherRow } from '../../contract/events.ts';
import { createCustomerRow, matchRoute, routes } from '../../contract/routes.ts';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { exampleRequests, valueAt } from '../../local/examples.ts';
import { createTestTable, dynamoEndpoint } from '../support/dynamo.ts';
import { httpEvent } from '../support/events.ts';
import { startFakeSecretsManager } from '../support/secrets-manager.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'registry-synth-'));
/** Route name -> its bundle, filled by the synth test. */
const bundles = new Map<string, string>();
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run synth', () => {
  it('synthesises offline and bundles each function as a self-contained ES module with a source map', () => {
    execFileSync('npm', ['run', 'synth', '--', '--output', out], {
      cwd: root,
      // No credentials, no region, no profile: nothing may need an AWS account.
      env: { PATH: process.env.PATH, HOME: out, CDK_DISABLE_VERSION_CHECK: '1' },
      stdio: 'pipe',
    });
    const template = JSON.parse(readFileSync(join(out, 'PurchaserRegistry-dev.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Metadata?: Record<string, string> }>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(routes.length + 2);
    for (const fn of functions) {
      const asset = join(out, fn.Metadata!['aws:asset:path']!);
      bundles.set(fn.Metadata!['aws:cdk:path']!.split('/')[1]!.replace(/Function$/, ''), join(asset, 'index.mjs'));
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      expect(existsSync(join(asset, 'index.mjs.map'))).toBe(true);
      expect(code).toContain('sourceMappingURL=index.mjs.map');
      // Everything but Node's own modules is inside the bundle (the AWS SDK included).
      const imports = [...code.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]!);
      expect(imports.filter((name) => !name.startsWith('node:'))).toEqual([]);
    }
  }, 120_000);
});

describe('the bundles', () => {
  it('load in a fresh Node.js and answer against DynamoDB Local, configured only by environment', async () => {
    expect(bundles.size).toBe(routes.length + 2);
    const { tableName, store } = await createTestTable('bundles');
    const { token } = await createApiKey(store, { orgs: ['ACME', 'corp_123'] });
    // As deployed: each function has the ARNs of its secrets and reads them from Secrets Manager.
    const secretsManager = await startFakeSecretsManager();
    onTestFinished(() => secretsManager.close());
    const env = {
      PATH: process.env.PATH,
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      REVIEW_BASE_URL: 'https://reviews.example.com',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      REVIEW_URL_SECRET_ARN: secretsManager.create('review-url', 'bundle-test-secret-bundle-test-secret'),
      TOKEN_SIGNING_SECRET_ARN: secretsManager.create('token-signing', 'bundle-token-secret-bundle-token-secret'),
      CURSOR_SECRET_ARN: secretsManager.create('cursor', 'bundle-cursor-secret-bundle-cursor-secret'),
      EVENT_BUS_NAME: 'bundle-test-bus',
      REVIEW_URL_HOSTS: 'reviews.example.com',
      LOG_LEVEL: 'silent',
    };
    // Not execFileSync: the stand-in for Secrets Manager answers from this process.
    const run = async (name: string, event: unknown) => {
      const script = `const { handler } = await import(process.argv[1]);
        const result = await handler(JSON.parse(process.argv[2]), { awsRequestId: 'r', getRemainingTimeInMillis: () => 5000 });
        process.stdout.write(JSON.stringify(result));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script, bundles.get(name)!, JSON.stringify(event)],
        { env, encoding: 'utf8' },
      );
      return JSON.parse(stdout);
    };
    // Every example, in order (a token row before the rows whose examples use its token).
    const answered = new Map<string, { body: string }>();
    for (const example of exampleRequests(routes, token)) {
      const accessToken = example.tokenFrom && JSON.parse(answered.get(example.tokenFrom)!.body).access_token;
      const headers = Object.fromEntries(
        Object.entries(example.headers).map(([name, value]) => [name, value.replace('$TOKEN', accessToken)]),
      );
      const id = example.idFrom
        ? String(valueAt(JSON.parse(answered.get(example.idFrom.row)!.body), example.idFrom.pointer))
        : '';
      // As API Gateway hands it over: the path's parameters by the route, the query string apart.
      const [path = '', query] = example.path.replace('$ID', id).split('?');
      const match = matchRoute(example.method, path);
      const event = httpEvent({
        method: example.method,
        path,
        body: example.body?.replace('$ID', id),
        headers,
        pathParameters: match.kind === 'route' ? match.pathParameters : {},
      });
      if (query) event.queryStringParameters = Object.fromEntries(new URLSearchParams(query));
      const result = await run(example.route.name, event);
      expect(result.statusCode, example.route.name).toBe(example.route.example!.status ?? 201);
      answered.set(example.route.name, result);
    }
    const cases = [
      // The reference's routes answer the same file whatever the path: docs.test.ts runs their bundles.
      ...routes
        .filter((route) => !route.example && (route.auth !== 'none' || route.path === '$default'))
        .map((route) => ({
          name: route.name,
          event: httpEvent({ method: 'GET', path: '/nowhere' }),
          // Without a path it knows (the fallback) or a credential (the rest): each its own answer.
          expected: (result: { statusCode: number }) =>
            expect(result.statusCode, route.name).toBe(route.auth === 'none' ? 404 : 401),
        })),
      {
        // No key at all: the function's own 401 problem, not the gateway's.
        name: createCustomerRow.name,
        event: httpEvent({ path: '/customers', body: createCustomerRow.example!.body }),
        expected: (result: { statusCode: number; headers: Record<string, string>; body: string }) => {
          expect(result.statusCode).toBe(401);
          expect(result.headers['www-authenticate']).toMatch(/^Bearer/);
          expect(JSON.parse(result.body)).toMatchObject({ type: '/problems/unauthenticated' });
        },
      },
      {
        name: ingestRow.name,
        event: sqsBatch([
          eventBridgeEvent('order.placed', JSON.parse(readFileSync(`${root}examples/order-placed.json`, 'utf8'))),
        ]),
        expected: (result: unknown) => expect(result).toEqual({ batchItemFailures: [] }),
      },
      {
        // No records: proves the bundle loads and runs; publishing needs a real bus.
        name: publisherRow.name,
        event: { Records: [] },
        expected: (result: unknown) => expect(result).toEqual({ batchItemFailures: [] }),
      },
    ];
    for (const { name, event, expected } of cases) expected(await run(name, event));
  }, 60_000);

  it('log the stack of an unhandled error in source terms, from the source map beside them', async () => {
    // A table that does not exist: DynamoDB's answer (to the key lookup) is no fault of the
    // client's, so a 500 whose log line carries the stack.
    const script = `const { handler } = await import(process.argv[1]);
      const result = await handler(JSON.parse(process.argv[2]), { awsRequestId: 'r', getRemainingTimeInMillis: () => 5000 });
      process.stdout.write(JSON.stringify(result));`;
    const route = routes.find((row) => row.name === 'CreateCustomer')!;
    const output = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script,
        bundles.get(route.name)!,
        JSON.stringify(
          httpEvent({
            path: route.example!.path,
            body: route.example!.body,
            headers: { authorization: `Bearer key_${'0'.repeat(24)}.${'A'.repeat(43)}` },
          }),
        ),
      ],
      {
        env: {
          PATH: process.env.PATH,
          TABLE_NAME: 'no-such-table',
          AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
          AWS_REGION: 'local',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          LOG_LEVEL: 'error',
        },
        encoding: 'utf8',
      },
    );
    const lines = output.trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ statusCode: 500 });
    const logged = JSON.parse(lines.find((line) => line.includes('unhandled error'))!) as { stack: string };
    expect(logged.stack).toMatch(/^ResourceNotFoundException/);
    // Frames name the sources (the key lookup among them), not positions in index.mjs.
    expect(logged.stack).toMatch(/functions\/auth\/api-keys\.ts:\d+:\d+/);
    expect(logged.stack).not.toMatch(/index\.mjs:\d+:\d+/);
  }, 30_000);
});
