// Idempotency-Key on both POST routes, through the real handlers against DynamoDB Local.
import { createHash } from 'node:crypto';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { idempotencyIn } from '../../functions/http/idempotency.ts';
import { idempotencyKey, purchaserKey } from '../../functions/store/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke, partner } from '../support/events.ts';
import { holdCommand, injectFault, writesEntity } from '../support/faults.ts';
import { customerHandler, purchaserHandler } from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('idempotency');
});

let n = 0;
const unique = () => `${Date.now().toString(36)}-${++n}`;
const customer = (key: string | undefined, body: Record<string, unknown>, principal = partner(['corp_1'])) =>
  httpEvent({
    path: '/customers',
    body: { corporation_id: 'corp_1', ...body },
    headers: key === undefined ? {} : { 'idempotency-key': key },
    principal,
  });
const purchaser = (key: string, body: Record<string, unknown>, principal = partner(['ACME'])) =>
  httpEvent({
    path: '/v4/organisations/ACME/purchasers',
    pathParameters: { trkref: 'ACME' },
    body,
    headers: { 'idempotency-key': key },
    principal,
  });
const version = async (email: string, trkref = 'ACME') =>
  (await t.store.doc.send(new GetCommand({ TableName: t.tableName, Key: purchaserKey(trkref, email) }))).Item?.version;

describe('replays', () => {
  it('the same key and body replay the first answer without writing again', async () => {
    const handler = purchaserHandler(t.store);
    const key = unique();
    const body = { email: `${key}@example.com`, purchases: [{ order_ref: 'O1', sku: 'S1' }] };
    const first = await invoke(handler, purchaser(key, body));
    const second = await invoke(handler, purchaser(key, body));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await version(body.email)).toBe(1);
  });

  it('a replayed customer create answers the same customer, not a duplicate', async () => {
    const handler = customerHandler(t.store);
    const key = unique();
    const body = { name: 'Replay Co', email: `${key}@example.com` };
    const first = await invoke(handler, customer(key, body));
    const second = await invoke(handler, customer(key, body));
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.json.data.id).toBe(first.json.data.id);
    // Without the key the same body is a duplicate:
    expect((await invoke(handler, customer(undefined, body))).statusCode).toBe(409);
  });

  it('a 4xx outcome of the work is replayed too', async () => {
    const handler = customerHandler(t.store);
    const email = `${unique()}@example.com`;
    await invoke(handler, customer(undefined, { name: 'Original', email }));
    const key = unique();
    const first = await invoke(handler, customer(key, { name: 'Dup', email }));
    const second = await invoke(handler, customer(key, { name: 'Dup', email }));
    expect([first.statusCode, second.statusCode]).toEqual([409, 409]);
    expect(second.json).toEqual(first.json);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });
});

describe('conflicts', () => {
  it('the same key with a different body is 422', async () => {
    const handler = customerHandler(t.store);
    const key = unique();
    await invoke(handler, customer(key, { name: 'First Body' }));
    const res = await invoke(handler, customer(key, { name: 'Other Body' }));
    expect(res.statusCode).toBe(422);
    expect(res.json.type).toBe('/problems/idempotency-key-reused');
  });

  it("the same key and body on another organisation's path is 422, though that request is valid there", async () => {
    const handler = purchaserHandler(t.store);
    const key = unique();
    const body = { email: `${key}@example.com`, purchases: [{ order_ref: 'O1', sku: 'S1' }] };
    const principal = partner(['ACME', 'OTHER']);
    const to = (trkref: string, idempotencyKey: string) =>
      httpEvent({
        path: `/v4/organisations/${trkref}/purchasers`,
        pathParameters: { trkref },
        body,
        headers: { 'idempotency-key': idempotencyKey },
        principal,
      });
    expect((await invoke(handler, to('ACME', key))).statusCode).toBe(201);
    const reused = await invoke(handler, to('OTHER', key));
    expect(reused.statusCode).toBe(422);
    expect(reused.json.type).toBe('/problems/idempotency-key-reused');
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    // Only the key refused it: nothing was written for OTHER, and with a fresh key it is a 201.
    expect(await version(body.email, 'OTHER')).toBeUndefined();
    expect((await invoke(handler, to('OTHER', unique()))).statusCode).toBe(201);
  });

  it('the same key and body on another route is 422, though the body is valid for both routes', async () => {
    const key = unique();
    // A customer of ACME, and (unknown members ignored) a purchaser of ACME: the same bytes suit both.
    const body = { corporation_id: 'ACME', name: 'Both Routes Co', email: `${key}@example.com` };
    const principal = partner(['ACME']);
    const asCustomer = (idempotencyKey: string) =>
      httpEvent({ path: '/customers', body, headers: { 'idempotency-key': idempotencyKey }, principal });
    const asPurchaser = (idempotencyKey: string) =>
      httpEvent({
        path: '/v4/organisations/ACME/purchasers',
        pathParameters: { trkref: 'ACME' },
        body,
        headers: { 'idempotency-key': idempotencyKey },
        principal,
      });
    expect((await invoke(customerHandler(t.store), asCustomer(key))).statusCode).toBe(201);
    const reused = await invoke(purchaserHandler(t.store), asPurchaser(key));
    expect(reused.statusCode).toBe(422);
    expect(reused.json.type).toBe('/problems/idempotency-key-reused');
    expect(await version(body.email)).toBeUndefined();
    expect((await invoke(purchaserHandler(t.store), asPurchaser(unique()))).statusCode).toBe(201);
  });

  it.each([
    ['method', { method: 'PUT' }],
    ['path', { path: '/y' }],
  ])('the same key and body with another %s is 422', async (_, change) => {
    const request = {
      apiKeyId: 'key_eeeeeeeeeeeeeeeeeeeeeeee',
      key: unique(),
      method: 'POST',
      path: '/x',
      body: Buffer.from('{"a":1}'),
    };
    const work = async () => ({ statusCode: 201, body: { ran: true } });
    expect((await idempotencyIn(t.store).run(request, work)).statusCode).toBe(201);
    await expect(idempotencyIn(t.store).run({ ...request, ...change }, work)).rejects.toMatchObject({
      status: 422,
      type: '/problems/idempotency-key-reused',
    });
    // The method is compared case-insensitively (`post` is POST).
    expect((await idempotencyIn(t.store).run({ ...request, method: 'post' }, work)).headers).toEqual({
      'idempotent-replayed': 'true',
    });
  });

  it('the same key while the first request is still running is 409, and the first still completes once', async () => {
    const store = t.newStore();
    const { held, release } = holdCommand(store, (command, input) => writesEntity(command, input, 'customer'));
    const handler = customerHandler(store);
    const key = unique();
    const body = { name: 'Slow Co', email: `${key}@example.com` };
    const first = invoke(handler, customer(key, body));
    await held;
    const second = await invoke(customerHandler(t.store), customer(key, body));
    expect(second.statusCode).toBe(409);
    expect(second.json.type).toBe('/problems/idempotency-key-in-use');
    expect(second.headers['retry-after']).toBe('1');
    release();
    expect((await first).statusCode).toBe(201);
    const third = await invoke(customerHandler(t.store), customer(key, body));
    expect(third.json.data.id).toBe((await first).json.data.id);
  });
});

describe('scope and lifetime', () => {
  it('keys belong to the API key that sent them', async () => {
    const handler = purchaserHandler(t.store);
    const key = unique();
    const body = { email: `${key}@example.com` };
    await invoke(handler, purchaser(key, body, { ...partner(['ACME']), keyId: 'key_aaaaaaaaaaaaaaaaaaaaaaaa' }));
    const other = await invoke(
      handler,
      purchaser(key, body, { ...partner(['ACME']), keyId: 'key_bbbbbbbbbbbbbbbbbbbbbbbb' }),
    );
    // It ran (a replay of the first would be its 201), and found the purchaser the first created.
    expect(other.statusCode).toBe(200);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a retryable failure releases the key, so the retry runs', async () => {
    const store = t.newStore();
    let failures = 1;
    injectFault(store, (command, input) =>
      writesEntity(command, input, 'customer') && failures-- > 0
        ? { error: new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }) }
        : undefined,
    );
    const handler = customerHandler(store);
    const key = unique();
    const body = { name: 'Retry Co', email: `${key}@example.com` };
    expect((await invoke(handler, customer(key, body))).statusCode).toBe(503);
    const retry = await invoke(handler, customer(key, body));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('requests refused before any work (validation) are not recorded', async () => {
    const handler = customerHandler(t.store);
    const key = unique();
    expect((await invoke(handler, customer(key, { name: 'x' }))).statusCode).toBe(422);
    expect((await invoke(handler, customer(key, { name: 'Fixed Name' }))).statusCode).toBe(201);
  });

  it('records expire after 24 hours (through the TTL attribute, and ignored once past it)', async () => {
    const request = {
      apiKeyId: 'key_cccccccccccccccccccccccc',
      key: unique(),
      method: 'POST',
      path: '/x',
      body: Buffer.from('{}'),
    };
    let runs = 0;
    const work = async () => ({ statusCode: 201, body: { run: ++runs } });
    const start = Date.parse('2026-11-01T00:00:00Z');
    await idempotencyIn(t.store, () => start).run(request, work);
    expect((await idempotencyIn(t.store, () => start + 23 * 3600_000).run(request, work)).body).toEqual({ run: 1 });
    expect((await idempotencyIn(t.store, () => start + 25 * 3600_000).run(request, work)).body).toEqual({ run: 2 });
    // This test's own record (not whatever earlier tests left in the table):
    const { Item } = await t.store.doc.send(
      new GetCommand({
        TableName: t.tableName,
        Key: idempotencyKey(request.apiKeyId, createHash('sha256').update(request.key).digest('base64url')),
      }),
    );
    expect(Item).toMatchObject({ entity: 'idempotency', status: 'completed' });
    expect(Item!.expires_at).toBe(Math.floor((start + 25 * 3600_000) / 1000) + 24 * 3600);
  });

  it('a claim left by a request that died is taken over by its retry, not by another request', async () => {
    const request = {
      apiKeyId: 'key_dddddddddddddddddddddddd',
      key: unique(),
      method: 'POST',
      path: '/x',
      body: Buffer.from('{"a":1}'),
    };
    const start = Date.parse('2026-11-02T00:00:00Z');
    // The first request claims the key and never finishes (its container was stopped).
    await new Promise<void>((claimed) => {
      void idempotencyIn(t.store, () => start).run(request, () => {
        claimed();
        return new Promise<never>(() => {});
      });
    });
    const later = () => start + 60_000;
    const work = async () => ({ statusCode: 201, body: { run: 'retry' } });
    await expect(
      idempotencyIn(t.store, later).run({ ...request, body: Buffer.from('{"a":2}') }, work),
    ).rejects.toMatchObject({ status: 422 });
    expect((await idempotencyIn(t.store, later).run(request, work)).body).toEqual({ run: 'retry' });
  });

  it.each(['', 'x'.repeat(256), 'café'])('an Idempotency-Key of %j is 400', async (key) => {
    const res = await invoke(customerHandler(t.store), customer(key, { name: 'Bad Key' }));
    expect(res.statusCode).toBe(400);
    expect(res.json.type).toBe('/problems/invalid-idempotency-key');
  });
});
