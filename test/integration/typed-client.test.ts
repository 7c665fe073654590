// The typed client (clients/registry): its generated types are what `npm run openapi` writes from
// the committed API reference, and its example runs over real HTTP against the local server (whose
// every answer is also held to the reference, test/support/server.ts), answering typed results.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { clientTypes, clientTypesFile } from '../../clients/generator/types.ts';
import { customerRoundTrip, exampleCustomer } from '../../clients/registry/example.ts';
import {
  type Customer,
  createRegistryClient,
  type Problem,
  RegistryError,
  type RegistryOptions,
  unwrap,
} from '../../clients/registry/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const reference = new URL('../../docs/openapi.json', import.meta.url);

describe('the typed client’s generated types', () => {
  it('are what `npm run openapi` generates from the committed API reference', async () => {
    const generated = await clientTypes(readFileSync(reference, 'utf8'));
    const committed = readFileSync(clientTypesFile, 'utf8');
    expect(committed === generated, 'clients/registry/schema.ts is stale: run `npm run openapi`').toBe(true);
  });
});

describe('the typed client against the local server', () => {
  let t: TestServer;
  let options: RegistryOptions;

  beforeAll(async () => {
    t = await startTestServer('typed-client');
    const { token } = await t.key([exampleCustomer.corporation_id]);
    options = { baseUrl: t.server.url, apiKey: token };
  });
  afterAll(() => t?.close());

  it('creates the example customer, reads it back and finds it by email', async () => {
    const { created, read, listed, message } = await customerRoundTrip(options);

    expectTypeOf(created).toEqualTypeOf<Customer>();
    expectTypeOf(listed).toEqualTypeOf<Customer[]>();
    expectTypeOf(message).toEqualTypeOf<'Successfully created customer.'>();
    expect(message).toBe('Successfully created customer.');
    expect(created).toMatchObject({ ...exampleCustomer, source_platform_id: null, source_platform: null });
    expect(created.id).toMatch(/^cust_/);
    expect(read).toEqual(created);
    expect(listed).toEqual([created]);
  });

  it('sends the API reference’s own example body', () => {
    const document = JSON.parse(readFileSync(reference, 'utf8'));
    expect(exampleCustomer).toEqual(document.paths['/customers'].post.requestBody.content['application/json'].example);
  });

  it('throws an answer outside 2xx as a RegistryError carrying the route’s typed error body', async () => {
    const registry = createRegistryClient(options);
    const missing = registry.GET('/customers/{id}', {
      params: { path: { id: 'cust_00000000000000000000000000000000' } },
    });
    const error: unknown = await unwrap(missing).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(RegistryError);
    const { status, body } = error as RegistryError<Problem>;
    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404 });
    expect((error as Error).message).toContain(`404 Not Found: ${body.detail}`);

    const { error: typed } = await registry.GET('/customers/{id}', { params: { path: { id: 'cust_0' } } });
    expectTypeOf(typed).toEqualTypeOf<Problem | undefined>();
  });

  it('refuses a key that is not one, as the document says (401)', async () => {
    const registry = createRegistryClient({ ...options, apiKey: 'not-a-key' });
    const { data, error, response } = await registry.GET('/customers', {
      params: { query: { corporation_id: exampleCustomer.corporation_id } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ status: 401 });
  });
});
