// The API reference (docs/openapi.json): current, valid OpenAPI 3.1, one operation per route, and
// every example in it fitting its own schema. (That every answer the routes give fits it is checked
// on every answer the integration tests receive: test/support/openapi.ts.)
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { routes } from '../../contract/routes.ts';
import committed from '../../docs/openapi.json' with { type: 'json' };
import { openApiJson } from '../../openapi/file.ts';
import { operations } from '../../openapi/operations.ts';
import { pointer, schemaAt } from '../support/openapi.ts';

type Operation = {
  operationId: string;
  parameters?: { name?: string; in?: string; example?: unknown; $ref?: string }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { example?: unknown }> }>;
};
const paths = committed.paths as unknown as Record<string, Record<string, Operation>>;
const operationsIn = () =>
  Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

describe('the API reference', () => {
  it('is what `npm run openapi` writes from the code (run it after changing a route, schema or answer)', () => {
    const file = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(file === openApiJson(), 'docs/openapi.json is stale: run `npm run openapi`').toBe(true);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(committed));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(committed.openapi).toMatch(/^3\.1\./);
  });

  it('has one operation per route of the route table, named after its row, and no other', () => {
    const served = routes.filter((route) => route.path !== '$default');
    const listed = operationsIn().map(
      ({ path, method, operation }) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
    );
    expect(listed.sort()).toEqual(served.map((route) => `${route.method} ${route.path} ${route.name}`).sort());
    expect(Object.keys(operations).sort()).toEqual(served.map((route) => route.name).sort());
  });

  it('shows the source pages’ request examples for the routes that have them', () => {
    const create = paths['/customers']?.post?.requestBody?.content['application/json']?.example;
    expect(create).toMatchObject({ corporation_id: 'corp_123', name: 'Acme Corporation', email: 'contact@acme.com' });
    const purchaser = paths['/v4/organisations/{trkref}/purchasers']?.post?.requestBody?.content['application/json'];
    expect(purchaser?.example).toMatchObject({ email: 'jane@example.com', first_name: 'Jane' });
  });

  it('has examples that fit their own schemas: request bodies, answers and parameters', () => {
    const misfits: string[] = [];
    let checked = 0;
    const check = (pointer: string, example: unknown) => {
      const validate = schemaAt(pointer);
      checked++;
      if (!validate(example)) misfits.push(`${pointer}: ${JSON.stringify(validate.errors)}`);
    };
    const at = (...segments: string[]) => `#/${pointer(...segments)}`;
    for (const { path, method, operation } of operationsIn()) {
      for (const [mediaType, content] of Object.entries(operation.requestBody?.content ?? {})) {
        if (content.example !== undefined) {
          check(at('paths', path, method, 'requestBody', 'content', mediaType, 'schema'), content.example);
        }
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [mediaType, content] of Object.entries(response.content ?? {})) {
          if (content.example !== undefined) {
            check(at('paths', path, method, 'responses', status, 'content', mediaType, 'schema'), content.example);
          }
        }
      }
      (operation.parameters ?? []).forEach((parameter, index) => {
        if (parameter.example !== undefined) {
          check(at('paths', path, method, 'parameters', String(index), 'schema'), parameter.example);
        }
      });
    }
    expect(misfits).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
