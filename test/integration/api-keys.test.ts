// API keys against DynamoDB Local: minting, both header schemes, revocation, and what is stored.
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createApiKey, listApiKeys, revokeApiKey } from '../../functions/auth/api-keys.ts';
import { createAuthenticator } from '../../functions/auth/authenticator.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { injectFault, recordCommands } from '../support/faults.ts';
import { capturingLog, customerHandler } from '../support/handlers.ts';

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

  it('stores exactly the SHA-256 of the secret, and nothing the secret can be read back from', async () => {
    const { key, secret } = await createApiKey(t.store, { orgs: ['HASHED'], label: 'Hash check' });
    const { Items } = await t.store.doc.send(new ScanCommand({ TableName: t.tableName }));
    const items = Items!.filter((item) => JSON.stringify(item).includes(key.id));
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(item.secret_hash).toBe(createHash('sha256').update(secret).digest('base64url'));
    // The secret's text and its 256 random bits, in the encodings a careless store would use:
    const text = Buffer.from(secret, 'utf8');
    const bits = Buffer.from(secret, 'base64url');
    expect(bits).toHaveLength(32);
    const forms = [text, bits].flatMap((bytes) =>
      (['base64', 'base64url', 'hex'] as const).map((encoding) => bytes.toString(encoding)),
    );
    const strings = JSON.stringify(item)
      .match(/"(?:[^"\\]|\\.)*"/g)!
      .map((s) => JSON.parse(s) as string);
    for (const value of strings) {
      for (const form of [secret, ...forms]) expect(value, value).not.toContain(form);
      for (const encoding of ['utf8', 'base64', 'base64url', 'hex'] as const) {
        const decoded = Buffer.from(value, encoding);
        expect(decoded.includes(text) || decoded.includes(bits), `${value} as ${encoding}`).toBe(false);
      }
    }
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

describe('authenticator (the boundary of every partner route)', () => {
  const principalOf = (key: { id: string; orgs: readonly string[]; platform: string | null; mode: string }) => ({
    keyId: key.id,
    orgs: key.orgs,
    platform: key.platform,
    mode: key.mode,
  });

  it('names the partner behind a valid key, and says why any other header is refused', async () => {
    const authenticate = createAuthenticator({ store: t.store, ttlSeconds: 0 });
    const { key, secret, token } = await createApiKey(t.store, { orgs: ['ACME', 'corp_1'], platform: 'shopify' });
    expect(await authenticate(`Bearer ${token}`)).toEqual(principalOf(key));
    expect(await authenticate(basic(key.id, secret))).toEqual(principalOf(key));
    expect(await authenticate(undefined)).toBe('missing');
    expect(await authenticate('Bearer nonsense')).toBe('malformed');
    expect(await authenticate(`Bearer ${key.id}.${'A'.repeat(43)}`)).toBe('unknown');
    await revokeApiKey(t.store, key.id);
    expect(await authenticate(`Bearer ${token}`)).toBe('revoked');
  });

  it('reuses a key it read for the cache time only: a revocation shows once that time has passed', async () => {
    let now = 1_000_000;
    const store = t.newStore();
    const reads = recordCommands(store);
    const authenticate = createAuthenticator({ store, ttlSeconds: 60, now: () => now });
    const { key, token, secret } = await createApiKey(t.store, { orgs: ['ACME'] });
    expect(await authenticate(`Bearer ${token}`)).toEqual(principalOf(key));
    reads.clear();
    await revokeApiKey(t.store, key.id);
    now += 59_000;
    expect(await authenticate(`Bearer ${token}`)).toEqual(principalOf(key));
    expect(reads.size).toBe(0);
    // The secret is checked against the remembered hash every time: a wrong one never rides on it.
    expect(await authenticate(`Bearer ${key.id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBe(
      'unknown',
    );
    now += 1_001;
    expect(await authenticate(`Bearer ${token}`)).toBe('revoked');
    expect(reads).toEqual(new Set(['GetItemCommand']));
  });

  it('reads a key once however many requests ask at once, and forgets the oldest beyond its size', async () => {
    const store = t.newStore();
    let gets = 0;
    injectFault(store, (command) => {
      if (command === 'GetItemCommand') gets++;
      return undefined;
    });
    const authenticate = createAuthenticator({ store, ttlSeconds: 60, maxKeys: 2 });
    const keys = await Promise.all([1, 2, 3].map(() => createApiKey(t.store, { orgs: ['ACME'] })));
    const [first, second, third] = keys.map((k) => `Bearer ${k.token}`) as [string, string, string];
    await Promise.all(Array.from({ length: 10 }, () => authenticate(first)));
    expect(gets).toBe(1);
    await authenticate(second);
    await authenticate(third); // the cache holds two keys: the first is forgotten
    await authenticate(second);
    expect(gets).toBe(3);
    await authenticate(first);
    expect(gets).toBe(4);
  });

  it('does not remember a failed read: the next request reads again', async () => {
    const store = t.newStore();
    let failing = true;
    injectFault(store, (command) =>
      failing && command === 'GetItemCommand'
        ? { error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }
        : undefined,
    );
    const authenticate = createAuthenticator({ store, ttlSeconds: 60 });
    const { key, token } = await createApiKey(t.store, { orgs: ['ACME'] });
    await expect(authenticate(`Bearer ${token}`)).rejects.toThrow(/ECONNREFUSED/);
    failing = false;
    expect(await authenticate(`Bearer ${token}`)).toEqual(principalOf(key));
  });

  it('keeps keys at most 60 seconds', () => {
    expect(() => createAuthenticator({ store: t.store, ttlSeconds: 61 })).toThrow(/0 to 60/);
    expect(() => createAuthenticator({ store: t.store, ttlSeconds: -1 })).toThrow(/0 to 60/);
  });

  it('a handler logs the key id of its caller but never the secret or the header', async () => {
    const log = capturingLog();
    const { key, secret, token } = await createApiKey(t.store, { orgs: ['corp_1'] });
    const res = await invoke(
      customerHandler(t.store, log),
      httpEvent({
        path: '/customers',
        body: { corporation_id: 'corp_1', name: 'Logged Co' },
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    expect(res.statusCode).toBe(201);
    const lines = log.lines.join('\n');
    expect(lines).toContain(key.id);
    expect(lines).not.toContain(secret);
  });
});
