// The local server with the real handler modules, configured through environment
// variables as on Lambda, on a table of its own; requests over real HTTP.
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { type LocalServer, loadHandlers, repositoryRoot, startLocalServer } from '../../local/server.ts';
import { createTestTable, dynamoEndpoint, type TestTable } from './dynamo.ts';
import { referenceCheck } from './openapi.ts';

export interface TestServer {
  readonly server: LocalServer;
  readonly table: TestTable;
  /** A key for `orgs`; returns its Bearer token. */
  key(
    orgs: string[],
    options?: { platform?: string; mode?: 'live' | 'test' },
  ): Promise<{ id: string; secret: string; token: string }>;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(label: string): Promise<TestServer> {
  const table = await createTestTable(label);
  Object.assign(process.env, { TABLE_NAME: table.tableName, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint() });
  // Every answer is held to the API reference; a breach fails the file when the server closes.
  const reference = referenceCheck();
  const server = await startLocalServer({
    handlers: await loadHandlers(repositoryRoot()),
    port: 0,
    observe: reference.observe,
  });
  return {
    server,
    table,
    async key(orgs, options = {}) {
      const created = await createApiKey(table.store, { orgs, platform: options.platform ?? null, mode: options.mode });
      return { id: created.key.id, secret: created.secret, token: created.token };
    },
    request(method, path, { body, headers = {} } = {}) {
      return fetch(`${server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
      });
    },
    async close() {
      await server.close();
      reference.verify();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
