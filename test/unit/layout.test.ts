// The layout rules the README states, checked on the source: which folder may import which, and
// which files are Lambda entries.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestRow, publisherRow } from '../../contract/events.ts';
import { routes } from '../../contract/routes.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** The repository files a source file imports (relative imports: static, re-exports, side effects, dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((specifier) => relative(root, resolve(root, dirname(file), specifier)));
}

/** `functions/http/route.ts` -> `functions/http`; `lib/api.ts` -> `lib`. */
const area = (file: string) => {
  const [top, second] = file.split('/');
  return top === 'functions' ? `functions/${second}` : (top ?? '');
};

const RESOURCES = 'functions/<resource>';
const layer = (file: string) => {
  const name = area(file);
  return ['functions/http', 'functions/store', 'functions/schema', 'functions/runtime'].includes(name) ||
    !name.startsWith('functions/')
    ? name
    : RESOURCES;
};

/** Which layer may import which (besides itself): the arrows of the README's layout section. */
const allowed: Record<string, readonly string[]> = {
  contract: [],
  'functions/store': ['contract'],
  'functions/schema': ['contract'],
  'functions/runtime': ['functions/store'],
  'functions/http': ['contract', 'functions/store', 'functions/schema', 'functions/runtime'],
  // docs/: the API reference `npm run openapi` writes (data), which the reference routes serve.
  [RESOURCES]: ['contract', 'functions/http', 'functions/store', 'functions/schema', 'functions/runtime', 'docs'],
  lib: ['contract'],
  local: ['contract', 'functions/http', 'functions/store', 'functions/runtime'],
  // The API reference reads the handlers' schemas; nothing that runs on Lambda reads it.
  openapi: ['contract', 'functions/schema', RESOURCES, 'package.json'],
  bin: [
    'contract',
    'lib',
    'local',
    'openapi',
    // npm run openapi writes the typed client's types with the document.
    'clients',
    ...['http', 'store', 'schema', 'runtime'].map((f) => `functions/${f}`),
    RESOURCES,
  ],
};

describe('layout', () => {
  const files = ['contract', 'functions', 'lib', 'local', 'openapi', 'bin'].flatMap(sources);

  it('imports run one way: each folder imports only the folders below it', () => {
    const breaches = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => layer(target) !== layer(file) && !allowed[layer(file)]?.includes(layer(target)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(breaches).toEqual([]);
  });

  it('the Lambda entries are exactly the files the route table and function rows name, and export only handler', () => {
    const entries = [...routes, ingestRow, publisherRow].map((row) => row.entry).sort();
    const exportingHandler = sources('functions')
      .filter((file) => /^export const handler\b/m.test(readFileSync(join(root, file), 'utf8')))
      .sort();
    expect(exportingHandler).toEqual(entries);
    for (const entry of entries) {
      // Every export statement, whatever its form (`export const`, `export {`, `export *`, `export default`).
      const exports = readFileSync(join(root, entry), 'utf8')
        .split('\n')
        .filter((line) => /^export\b/.test(line));
      expect(exports, entry).toEqual([expect.stringMatching(/^export const handler\b/)]);
    }
  });
});
