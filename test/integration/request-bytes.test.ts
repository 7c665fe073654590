// What the body's bytes may be: UTF-8 JSON, declared as JSON (RFC 9110 media types), not encoded.
// Anything else is refused with our problem document; nothing is stored from a refused body.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaserKey } from '../../functions/store/keys.ts';
import { queryPartition } from '../../functions/store/read.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { customerHandler, purchaserHandler } from '../support/handlers.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

let t: TestTable;
let server: TestServer;
beforeAll(async () => {
  t = await createTestTable('bytes');
  server = await startTestServer('bytes-http');
});
afterAll(() => server?.close());

const customer = (body: string | Buffer, headers: Record<string, string> = {}, base64 = Buffer.isBuffer(body)) =>
  invoke(
    customerHandler(t.store),
    httpEvent({
      path: '/customers',
      headers,
      body: Buffer.isBuffer(body) ? body.toString(base64 ? 'base64' : 'utf8') : body,
      isBase64Encoded: base64,
      principal: { keyId: 'k', orgs: ['corp_b'], platform: null, mode: 'live' },
    }),
  );
const valid = JSON.stringify({ corporation_id: 'corp_b', name: 'Bytes Co' });

describe('invalid UTF-8', () => {
  it('is 400, not replaced: three different order references never become one purchase', async () => {
    const email = 'utf8@example.com';
    for (const byte of [0xff, 0xfe, 0xc0]) {
      const json = `{"email":"${email}","purchases":[{"order_ref":"ORD@","sku":"S"}]}`;
      const bytes = Buffer.from(json, 'latin1');
      bytes[bytes.indexOf('@'.charCodeAt(0), bytes.indexOf('ORD'))] = byte;
      const res = await invoke(
        purchaserHandler(t.store),
        httpEvent({
          path: '/v4/organisations/ACME/purchasers',
          pathParameters: { trkref: 'ACME' },
          body: bytes.toString('base64'),
          isBase64Encoded: true,
        }),
      );
      expect(res.statusCode, byte.toString(16)).toBe(400);
      expect(res.json).toMatchObject({ type: '/problems/malformed-json', detail: expect.stringContaining('UTF-8') });
    }
    expect(await queryPartition(t.store, { partition: purchaserKey('ACME', email).pk })).toEqual([]);
  });

  it('is 400 over HTTP too, where the raw bytes arrive', async () => {
    const key = await server.key(['ACME']);
    const bytes = Buffer.concat([
      Buffer.from('{"email":"raw@example.com","purchases":[{"order_ref":"ORD'),
      Buffer.from([0xff]),
      Buffer.from('","sku":"S"}]}'),
    ]);
    const res = await server.request('POST', '/v4/organisations/ACME/purchasers', {
      body: new Uint8Array(bytes),
      headers: bearer(key.token),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: '/problems/malformed-json' });
  });

  it('valid UTF-8, sent base64-encoded, is read as the text it is', async () => {
    const body = JSON.stringify({ corporation_id: 'corp_b', name: 'Zoë Ünal Café' });
    const res = await customer(Buffer.from(body, 'utf8'), {}, true);
    expect(res.statusCode).toBe(201);
    expect(res.json.data.name).toBe('Zoë Ünal Café');
  });

  it('half a surrogate pair in a string (a JSON escape that is no text) is 400; a whole pair is text', async () => {
    for (const name of ['\\ud800 Co', 'Co \\udfff', 'A\\uDBFF\\u0041']) {
      const res = await customer(`{"corporation_id":"corp_b","name":"${name}"}`);
      expect(res.statusCode, name).toBe(400);
      expect(res.json.detail).toMatch(/surrogate/);
    }
    const res = await customer(`{"corporation_id":"corp_b","name":"Smile \\ud83d\\ude00 Co"}`);
    expect(res.statusCode).toBe(201);
    expect(res.json.data.name).toBe('Smile 😀 Co');
    const inKey = await customer(`{"corporation_id":"corp_b","name":"Key Co","\\ud800":"x"}`);
    expect(inKey.statusCode).toBe(400);
  });
});

describe('media type (RFC 9110)', () => {
  it('accepts JSON however the header is written', async () => {
    for (const contentType of [
      'application/json',
      'application/json ; charset=utf-8',
      'Application/JSON;Charset="UTF-8"',
      'application/json;\tcharset=utf-8',
      'application/merge-patch+json',
    ]) {
      const res = await customer(valid, { 'content-type': contentType });
      expect(res.statusCode, contentType).toBe(201);
    }
  });

  it('refuses another charset or another type with 415', async () => {
    for (const contentType of [
      'application/json; charset=iso-8859-1',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonx',
      'application/json charset=utf-8',
    ]) {
      const res = await customer(valid, { 'content-type': contentType });
      expect(res.statusCode, contentType).toBe(415);
      expect(res.json).toMatchObject({ type: '/problems/unsupported-media-type' });
    }
  });
});

describe('content encoding', () => {
  it('a compressed body is 415 naming the one accepted coding, not read as if plain', async () => {
    const res = await customer(gzipSync(valid), { 'content-encoding': 'gzip' }, true);
    expect(res.statusCode).toBe(415);
    expect(res.headers['accept-encoding']).toBe('identity');
    expect(res.json).toMatchObject({ type: '/problems/unsupported-media-type' });
    expect((await customer(valid, { 'content-encoding': 'br' })).statusCode).toBe(415);
  });

  it('identity is the body as sent', async () => {
    expect((await customer(valid, { 'content-encoding': 'identity' })).statusCode).toBe(201);
  });
});
