// The API reference on AWS: its three routes in the stack, open and without table access, and
// their functions bundled as `cdk deploy` bundles them, answering in a fresh Node.js outside the
// repository (so the files the page loads can only come from the bundle).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsAssetRow, docsPageRow, openApiDocumentRow, type Route } from '../../contract/routes.ts';
import { RegistryStack } from '../../lib/registry-stack.ts';
import { cdkJsonContext } from '../../lib/stage-config.ts';
import { httpEvent } from '../support/events.ts';
import { configOf, synth } from '../support/stack.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docsRows = [openApiDocumentRow, docsPageRow, docsAssetRow];
const repositoryFile = (specifier: string) => readFileSync(join(root, 'node_modules', specifier));

describe('the stack', () => {
  const { stack, template } = synth();

  it('serves the reference on open routes of their own: no authorizer, and no table or secret access', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    for (const row of docsRows) {
      const found = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: `GET ${row.path}` } }),
      );
      expect(found, row.name).toHaveLength(1);
      expect(found[0]!.Properties.AuthorizationType ?? 'NONE', row.name).toBe('NONE');
      expect(found[0]!.Properties.AuthorizerId, row.name).toBeUndefined();
      // Its role writes its logs and traces, nothing else.
      const roleId = stack.getLogicalId(stack.functions.get(row.name)!.role!.node.defaultChild as never);
      const actions = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
        .flatMap((statement) => [statement.Action].flat());
      expect(actions.length, row.name).toBeGreaterThan(0);
      expect(
        actions.filter((action) => !/^(logs|xray):/.test(action)),
        row.name,
      ).toEqual([]);
    }
  });
});

describe('the bundles', () => {
  const out = mkdtempSync(join(tmpdir(), 'registry-docs-'));
  /** Route name -> its bundle's folder. */
  const folders = new Map<string, string>();
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  beforeAll(() => {
    // The stack with the reference's routes only, so that only their functions (and the two event
    // consumers) are bundled. Asset metadata names each function's bundle folder in the template.
    const app = new App({ outdir: out, context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true } });
    const stack = new RegistryStack(app, 'Docs', { stage: 'docs', ...configOf('dev'), routes: docsRows });
    const assembly = app.synth();
    const resources = assembly.getStackByName(stack.stackName).template.Resources as Record<
      string,
      { Metadata?: Record<string, string> }
    >;
    for (const row of docsRows) {
      const fn = resources[stack.getLogicalId(stack.functions.get(row.name)!.node.defaultChild as never)]!;
      folders.set(row.name, join(out, fn.Metadata!['aws:asset:path']!));
    }
  }, 60_000);

  /** Each event handled in turn by `row`'s bundle, in one fresh Node.js, configured as on Lambda. */
  const answers = async (row: Route, events: unknown[]) => {
    const script = `const { handler } = await import(process.argv[1]);
      const results = [];
      for (const event of JSON.parse(process.argv[2])) {
        results.push(await handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 5000 }));
      }
      process.stdout.write(JSON.stringify(results));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, join(folders.get(row.name)!, 'index.mjs'), JSON.stringify(events)],
      {
        cwd: out,
        env: { PATH: process.env.PATH, TABLE_NAME: 'registry-docs', SERVICE_NAME: 'docs', LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(stdout) as Answer[];
  };
  interface Answer {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded?: boolean;
  }
  const bytesOf = (answer: Answer) => {
    const sent = Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8');
    return answer.headers['content-encoding'] === 'gzip' ? gunzipSync(sent) : sent;
  };
  const get = (
    row: Route,
    path: string,
    init: { asset?: string; query?: string; headers?: Record<string, string> },
  ) => {
    const event = httpEvent({
      method: 'GET',
      path,
      routeKey: `GET ${row.path}`,
      headers: init.headers ?? {},
      ...(init.asset === undefined ? {} : { pathParameters: { asset: init.asset } }),
      principal: null,
    });
    if (init.query) {
      event.rawQueryString = init.query;
      event.queryStringParameters = Object.fromEntries(new URLSearchParams(init.query));
    }
    return event;
  };

  it('the asset function carries the files its row names, under node_modules/, and the others carry none', () => {
    const shipped = join(folders.get(docsAssetRow.name)!, 'node_modules');
    expect(
      readdirSync(shipped, { recursive: true, encoding: 'utf8' })
        .filter((path) => path.includes('.'))
        .sort(),
    ).toEqual([...docsAssetRow.assets!].sort());
    for (const specifier of docsAssetRow.assets!) {
      expect(readFileSync(join(shipped, specifier)).equals(repositoryFile(specifier)), specifier).toBe(true);
    }
    for (const row of [openApiDocumentRow, docsPageRow]) {
      expect(readdirSync(folders.get(row.name)!).sort(), row.name).toEqual(['index.mjs', 'index.mjs.map']);
    }
  });

  it('GET /openapi.json answers the committed document, compressed for a client that accepts gzip', async () => {
    const committed = JSON.parse(readFileSync(join(root, 'docs/openapi.json'), 'utf8'));
    const [plain, gzip] = await answers(openApiDocumentRow, [
      get(openApiDocumentRow, '/openapi.json', {}),
      get(openApiDocumentRow, '/openapi.json', { headers: { 'accept-encoding': 'gzip, deflate, br' } }),
    ]);
    for (const answer of [plain!, gzip!]) {
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(JSON.parse(bytesOf(answer).toString('utf8'))).toEqual(committed);
    }
    expect(plain!.headers['content-encoding']).toBeUndefined();
    expect(gzip!.headers['content-encoding']).toBe('gzip');
    // Compressed, the document is a small part of its size.
    expect(Buffer.from(gzip!.body, 'base64').length).toBeLessThan(bytesOf(gzip!).length / 4);
  });

  it('GET /docs answers the page, and every file it loads is answered from the bundle as the repository has it', async () => {
    const [page] = await answers(docsPageRow, [get(docsPageRow, '/docs', {})]);
    expect(page!.statusCode).toBe(200);
    expect(page!.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page!.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const html = bytesOf(page!).toString('utf8');
    // Relative URLs only: the page works wherever the API is served.
    const references = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThanOrEqual(4);
    for (const reference of references) expect(reference).toMatch(/^docs\/[\w.-]+\?v=[\w.-]+$/);

    const requested = references.map((reference) => new URL(reference, 'https://registry.example/docs'));
    const files = await answers(
      docsAssetRow,
      requested.map((url) =>
        get(docsAssetRow, url.pathname, {
          asset: url.pathname.slice('/docs/'.length),
          query: url.search.slice(1),
          headers: { 'accept-encoding': 'gzip' },
        }),
      ),
    );
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      png: 'image/png',
    };
    for (const [i, url] of requested.entries()) {
      const name = url.pathname.slice('/docs/'.length);
      const file = files[i]!;
      expect(file.statusCode, name).toBe(200);
      expect(file.headers['content-type'], name).toBe(types[name.slice(name.lastIndexOf('.') + 1)]);
      // Under the page's URL, a file is kept for good.
      expect(file.headers['cache-control'], name).toBe('public, max-age=31536000, immutable');
      const specifier = docsAssetRow.assets!.find((asset) => asset.endsWith(`/${name}`));
      if (specifier) expect(bytesOf(file).equals(repositoryFile(specifier)), name).toBe(true);
      else expect(bytesOf(file).toString('utf8'), name).toContain('SwaggerUIBundle(');
    }
    // Swagger UI's script is sent compressed: about a quarter of its 1.7 MB.
    const script = files[requested.findIndex((url) => url.pathname.endsWith('/swagger-ui-bundle.js'))]!;
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(script.body, 'base64').length).toBeLessThan(600_000);
  });

  it('GET /docs/{asset} answers 404 for any other name, and a file without the release in its URL is checked again', async () => {
    const names = [
      'package.json',
      'swagger-ui-bundle.js.map',
      'index.html',
      '../index.mjs',
      'index.mjs',
      'SWAGGER-UI.CSS',
    ];
    const refused = await answers(
      docsAssetRow,
      names.map((name) => get(docsAssetRow, `/docs/${encodeURIComponent(name)}`, { asset: name })),
    );
    for (const [i, answer] of refused.entries()) {
      expect(answer.statusCode, names[i]).toBe(404);
      expect(answer.headers['content-type'], names[i]).toBe('application/problem+json');
      expect(JSON.parse(answer.body), names[i]).toMatchObject({ type: '/problems/not-found', status: 404 });
    }
    const [unversioned, otherRelease] = await answers(docsAssetRow, [
      get(docsAssetRow, '/docs/swagger-ui.css', { asset: 'swagger-ui.css' }),
      get(docsAssetRow, '/docs/swagger-ui.css', { asset: 'swagger-ui.css', query: 'v=1.0.0' }),
    ]);
    for (const answer of [unversioned!, otherRelease!]) {
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(bytesOf(answer).equals(repositoryFile('swagger-ui-dist/swagger-ui.css'))).toBe(true);
    }
  });
});
