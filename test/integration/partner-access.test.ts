// Partner access over HTTP against the local server: the real handlers authenticating real keys
// in DynamoDB Local. Log lines are captured and searched for secrets.
import fs from 'node:fs';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeApiKey } from '../../functions/auth/api-keys.ts';
import { purchaserKey } from '../../functions/store/keys.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let keyA: Awaited<ReturnType<TestServer['key']>>;
const secrets: string[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'debug';
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logLines.push(String(chunk));
    return write(chunk as never, ...(rest as []));
  });
  // The handlers' logger writes to standard output's descriptor itself (functions/runtime/logger.ts).
  const writeSync = fs.writeSync;
  vi.spyOn(fs, 'writeSync').mockImplementation(
    (fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      if (fd === 1) logLines.push(String(data));
      return writeSync(fd, data as never, ...(rest as []));
    },
  );
  t = await startTestServer('partner-access');
  keyA = await remember(t.key(['ORG_A']));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await t?.close();
});

async function remember(created: Promise<{ id: string; secret: string; token: string }>) {
  const key = await created;
  secrets.push(key.secret, key.token, Buffer.from(`${key.id}:${key.secret}`).toString('base64'));
  return key;
}

const purchase = (trkref: string, headers: Record<string, string>, body: unknown = { email: 'p@example.com' }) =>
  t.request('POST', `/v4/organisations/${trkref}/purchasers`, { body, headers });
const customer = (body: Record<string, unknown>, headers: Record<string, string>) =>
  t.request('POST', '/customers', { body: { name: 'Some Customer', ...body }, headers });

/** Every item the table holds that is not an API key. */
async function tenantItems() {
  const { Items } = await t.table.store.doc.send(new ScanCommand({ TableName: t.table.tableName }));
  return (Items ?? []).filter((item) => !String(item.pk).startsWith('APIKEY#'));
}

describe('tenant isolation', () => {
  it('a key for ORG_A works for ORG_A', async () => {
    expect((await purchase('ORG_A', bearer(keyA.token))).status).toBe(201);
    expect((await customer({ corporation_id: 'ORG_A', email: 'a@example.com' }, bearer(keyA.token))).status).toBe(201);
  });

  it('a key for ORG_A cannot create or update anything elsewhere, however the org id is written', async () => {
    await remember(t.key(['ORG_B']));
    const before = (await tenantItems()).length;
    // Other organisations (ids are case-sensitive), plain or percent-encoded: 403.
    for (const trkref of ['ORG_B', 'org_a', 'Org_A', 'ORG_a', 'ORG%5FB', '%4FRG_B', 'ORG_A-', 'ORG_AB']) {
      const res = await purchase(trkref, bearer(keyA.token));
      expect(res.status, trkref).toBe(403);
      expect((await res.json()) as object).toMatchObject({ type: '/problems/forbidden-organisation' });
    }
    // Delimiters and lists smuggled into the id: not an org id at all, 404.
    for (const trkref of [
      'ORG_A%23ORG_B',
      'ORG_A%23EMAIL%23x',
      'ORG_A,ORG_B',
      'ORG_A%2CORG_B',
      'ORG_A%00',
      'ORG_A%20',
      '..%2FORG_B',
      'ORG_A%2FORG_B',
    ]) {
      expect((await purchase(trkref, bearer(keyA.token))).status, trkref).toBe(404);
    }
    for (const corporation_id of ['ORG_B', 'org_a', 'ORG_A ']) {
      expect((await customer({ corporation_id }, bearer(keyA.token))).status, corporation_id).toBe(
        corporation_id === 'ORG_A ' ? 422 : 403,
      );
    }
    for (const corporation_id of ['ORG_A#ORG_B', 'ORG_A,ORG_B', 'ORG_A\u0000', ['ORG_A', 'ORG_B'], { S: 'ORG_A' }]) {
      expect((await customer({ corporation_id }, bearer(keyA.token))).status, JSON.stringify(corporation_id)).toBe(422);
    }
    // Email and order data cannot reach another tenant's keys either.
    expect((await purchase('ORG_A', bearer(keyA.token), { email: 'x@y.com#ORG#ORG_B' })).status).toBe(422);
    expect(await tenantItems()).toHaveLength(before);
    expect(
      (await tenantItems()).every(
        (item) => String(item.pk).startsWith('ORG#ORG_A#') || String(item.pk).startsWith('IDEMPOTENCY#'),
      ),
    ).toBe(true);
  });

  it('another organisation in the path is 403 before the body is read, whatever the body', async () => {
    // Malformed JSON, an invalid body, the wrong content type, too large: for ORG_A they are 400,
    // 422, 415 and 413; for ORG_B the caller learns only that it may not act there.
    const bodies: [unknown, Record<string, string>][] = [
      ['{"email": ', {}],
      [{ email: 'not an email', purchases: 'x' }, {}],
      ['email=p@example.com', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['x'.repeat(300 * 1024), {}],
    ];
    const expected = [400, 422, 415, 413];
    for (const [i, [body, headers]] of bodies.entries()) {
      expect((await purchase('ORG_A', { ...bearer(keyA.token), ...headers }, body)).status, `ORG_A ${i}`).toBe(
        expected[i],
      );
      expect((await purchase('ORG_B', { ...bearer(keyA.token), ...headers }, body)).status, `ORG_B ${i}`).toBe(403);
    }
  });
});

describe('authentication', () => {
  it('accepts the same key as Bearer and as Basic', async () => {
    const key = await remember(t.key(['ORG_S']));
    const basic = { authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}` };
    expect((await purchase('ORG_S', bearer(key.token))).status).toBe(201);
    expect((await purchase('ORG_S', basic)).status).toBe(200);
  });

  it('malformed, unknown and revoked keys get a 401 problem with WWW-Authenticate, and write nothing', async () => {
    const key = await remember(t.key(['ORG_R']));
    expect((await purchase('ORG_R', bearer(key.token), { email: 'before@example.com' })).status).toBe(201);
    await revokeApiKey(t.table.store, key.id);
    const before = (await tenantItems()).length;
    const headers = [
      bearer(key.token), // revoked a moment ago: no cache locally, refused at once
      bearer(`${key.id}.${'A'.repeat(43)}`),
      bearer('not-a-key'),
      { authorization: `Token ${key.token}` },
      { authorization: 'Basic %%%' },
      { authorization: `Basic ${Buffer.from(key.token).toString('base64')}` },
    ];
    for (const header of headers) {
      for (const res of [await purchase('ORG_R', header), await customer({ corporation_id: 'ORG_R' }, header)]) {
        expect(res.status, header.authorization).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="registry", Basic realm="registry"/);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect((await res.json()) as object).toMatchObject({ status: 401, type: '/problems/unauthenticated' });
      }
    }
    expect(await tenantItems()).toHaveLength(before);
  });

  it('a request without Authorization gets the same 401 problem, with WWW-Authenticate and a request id', async () => {
    for (const res of [
      await purchase('ORG_A', {}),
      await customer({ corporation_id: 'ORG_A' }, {}),
      await purchase('ORG_A', { authorization: '' }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="registry", Basic realm="registry"/);
      expect(res.headers.get('x-request-id')).toMatch(/\S/);
      expect(await res.json()).toMatchObject({
        status: 401,
        type: '/problems/unauthenticated',
        detail: /Send your API key/,
      });
    }
  });

  it('records the key platform as the source platform of the customers it creates', async () => {
    const key = await remember(t.key(['ORG_P'], { platform: 'shopify' }));
    const res = await customer({ corporation_id: 'ORG_P' }, bearer(key.token));
    expect(((await res.json()) as { data: { source_platform: string } }).data.source_platform).toBe('shopify');
    const plain = await customer({ corporation_id: 'ORG_A' }, bearer(keyA.token));
    expect(((await plain.json()) as { data: { source_platform: null } }).data.source_platform).toBeNull();
  });
});

describe('idempotent retries', () => {
  it('replays write once', async () => {
    const body = { email: 'retry@example.com', purchases: [{ order_ref: 'R1', sku: 'S' }] };
    const headers = { ...bearer(keyA.token), 'idempotency-key': 'order-R1-attempt' };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await purchase('ORG_A', headers, body));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(answers.map((r) => r.headers.get('idempotent-replayed'))).toEqual([null, 'true', 'true']);
    const { Item } = await t.table.store.doc.send(
      new GetCommand({ TableName: t.table.tableName, Key: purchaserKey('ORG_A', body.email) }),
    );
    expect(Item!.version).toBe(1);
  });

  it('a burst of the same request with one key runs it once: the others replay it or are told it is in progress', async () => {
    const headers = { ...bearer(keyA.token), 'idempotency-key': 'burst-1' };
    const body = { corporation_id: 'ORG_A', name: 'Burst Co', email: 'burst@example.com' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => customer(body, headers)));
    const executed = answers.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(executed).toHaveLength(1);
    for (const res of answers) {
      expect([201, 409]).toContain(res.status);
      if (res.status === 409)
        expect(((await res.json()) as { type: string }).type).toBe('/problems/idempotency-key-in-use');
    }
    const customers = (await tenantItems()).filter(
      (item) => item.entity === 'customer' && item.email === 'burst@example.com',
    );
    expect(customers).toHaveLength(1);
  });
});

describe('logs', () => {
  it('hold key ids but never a secret or a token', async () => {
    const key = await remember(t.key(['ORG_L']));
    const from = logLines.length;
    const basic = { authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}` };
    expect((await purchase('ORG_L', bearer(key.token))).status).toBe(201);
    expect((await purchase('ORG_L', basic)).status).toBe(200);
    expect((await purchase('ORG_M', bearer(key.token))).status).toBe(403);
    expect((await purchase('ORG_L', bearer(`${key.id}.${key.secret.slice(1)}A`))).status).toBe(401);
    const logs = logLines.slice(from).join('');
    expect(logs).toContain(key.id);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
