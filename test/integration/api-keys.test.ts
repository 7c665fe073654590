// API keys against DynamoDB Local: minting, both header schemes, revocation, and what is stored.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createApiKey, listApiKeys, revokeApiKey } from '../../functions/auth/api-keys.ts';
import { createAuthorizer } from '../../functions/auth/authorizer.ts';
import { principalFrom } from '../../functions/http/principal.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent } from '../support/events.ts';
import { capturingLog } from '../support/handlers.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('api-keys');
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('minting', () => {
  it('returns the secret once and stores only its hash', async () => {
    const created = await createApiKey(t.store, {
      orgs: ['ACME', 'corp_123', 'ACME'],
      label: 'Shop X',
      platform: 'shopify',
    });
    expect(created.key).toMatchObject({
      orgs: ['ACME', 'corp_123'],
      label: 'Shop X',
      platform: 'shopify',
      revoked_at: null,
    });
    expect(created.key.id).toMatch(/^key_[0-9a-f]{24}$/);
    expect(created.token).toBe(`${created.key.id}.${created.secret}`);
    const { Items } = await t.store.doc.send(new ScanCommand({ TableName: t.tableName }));
    const stored = JSON.stringify(Items);
    expect(stored).toContain(created.key.id);
    expect(stored).not.toContain(created.secret);
  });

  it('refuses keys without organisations, with too many, or with ids outside the alphabet', async () => {
    await expect(createApiKey(t.store, { orgs: [] })).rejects.toThrow(RangeError);
    await expect(createApiKey(t.store, { orgs: ['A#B'] })).rejects.toThrow(RangeError);
    await expect(createApiKey(t.store, { orgs: Array.from({ length: 101 }, (_, i) => `o${i}`) })).rejects.toThrow(
      RangeError,
    );
  });

  it('lists keys as created, never with the secret or its hash', async () => {
    const created = await createApiKey(t.store, { orgs: ['LISTED'], label: 'Shop X', platform: 'shopify' });
    const listed = await listApiKeys(t.store);
    expect(listed.find((k) => k.id === created.key.id)).toEqual(created.key);
    expect(JSON.stringify(listed)).not.toMatch(/secret|hash/);
  });
});

describe('authentication', () => {
  it('accepts the key as Bearer and as Basic, with any case of scheme', async () => {
    const { key, secret, token } = await createApiKey(t.store, { orgs: ['ACME'] });
    for (const header of [
      `Bearer ${token}`,
      `bearer ${token}`,
      basic(key.id, secret),
      `BASIC ${Buffer.from(`${key.id}:${secret}`).toString('base64')}`,
    ]) {
      expect(await authenticate(t.store, header), header).toEqual({ ok: true, key });
    }
  });

  it('tells malformed, unknown and revoked keys apart, and a wrong secret from a right one', async () => {
    const { key, secret, token } = await createApiKey(t.store, { orgs: ['ACME'] });
    const otherSecret = (await createApiKey(t.store, { orgs: ['ACME'] })).secret;
    const cases: [string | undefined, string][] = [
      [undefined, 'missing'],
      ['', 'missing'],
      ['Bearer', 'malformed'],
      ['Token abc', 'malformed'],
      [`Bearer ${key.id}`, 'malformed'],
      [`Bearer ${token}.extra`, 'malformed'],
      [`Bearer ${token} more`, 'malformed'],
      ['Basic !!!', 'malformed'],
      [`Basic ${Buffer.from(token).toString('base64')}`, 'malformed'],
      [`Bearer ${key.id}.${otherSecret}`, 'unknown'],
      [basic(key.id, otherSecret), 'unknown'],
      [`Bearer key_${'0'.repeat(24)}.${secret}`, 'unknown'],
    ];
    for (const [header, reason] of cases) {
      expect(await authenticate(t.store, header), String(header)).toEqual({ ok: false, reason });
    }
    await revokeApiKey(t.store, key.id, new Date('2026-11-01T00:00:00Z'));
    expect(await authenticate(t.store, `Bearer ${token}`)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('tolerates white space around the scheme and the credentials', async () => {
    const { key, token } = await createApiKey(t.store, { orgs: ['ACME'] });
    expect(await authenticate(t.store, `  Bearer  ${token}  `)).toEqual({ ok: true, key });
  });
});

describe('revocation', () => {
  it('is permanent and keeps the first time; unknown ids are reported', async () => {
    const { key } = await createApiKey(t.store, { orgs: ['ACME'] });
    const first = await revokeApiKey(t.store, key.id, new Date('2026-11-01T00:00:00Z'));
    const again = await revokeApiKey(t.store, key.id, new Date('2026-11-02T00:00:00Z'));
    expect(first!.revoked_at).toBe('2026-11-01T00:00:00.000Z');
    expect(again!.revoked_at).toBe('2026-11-01T00:00:00.000Z');
    expect(await revokeApiKey(t.store, `key_${'f'.repeat(24)}`)).toBeUndefined();
    expect(await revokeApiKey(t.store, 'not-a-key')).toBeUndefined();
  });
});

describe('authorizer', () => {
  it('describes valid keys to the handlers and invalid ones as such, logging the key id but never the secret', async () => {
    const log = capturingLog();
    const authorize = createAuthorizer({ store: t.store, log });
    const { key, secret, token } = await createApiKey(t.store, { orgs: ['ACME', 'corp_1'], platform: 'shopify' });
    const asEvent = (authorization?: string) =>
      ({
        ...httpEvent({ path: '/customers' }),
        type: 'REQUEST',
        headers: authorization ? { authorization } : {},
      }) as never;

    const ok = await authorize(asEvent(`Bearer ${token}`));
    expect(ok.isAuthorized).toBe(true);
    expect(principalFrom(ok.context)).toEqual({ keyId: key.id, orgs: ['ACME', 'corp_1'], platform: 'shopify' });

    const bad = await authorize(asEvent('Bearer nonsense'));
    expect(bad.context).toEqual({ authenticated: 'false', reason: 'malformed' });

    const lines = log.lines.join('\n');
    expect(lines).toContain(key.id);
    expect(lines).not.toContain(secret);
    expect(lines).not.toContain('nonsense');
  });

  it('fails closed: no authorizer context reads as a missing key', () => {
    expect(principalFrom(httpEvent({ path: '/customers', principal: null }).requestContext.authorizer?.lambda)).toBe(
      'missing',
    );
  });
});
