// npm run apikey as ops use it, against DynamoDB Local (DYNAMODB_PORT, TABLE_NAME).
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, listApiKeys } from '../../functions/auth/api-keys.ts';
import { runTool } from '../support/cli.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('apikey-cli');
});

const apikey = (...args: string[]) => runTool('apikey', t, args);

describe('npm run apikey', () => {
  it('create --json prints one JSON object and nothing else; the key works', async () => {
    const { code, stdout } = apikey(
      'create',
      '--org',
      'ACME',
      '--org',
      'corp_123',
      '--label',
      'Shop X',
      '--platform',
      'shopify',
      '--json',
    );
    expect(code).toBe(0);
    const created = JSON.parse(stdout);
    expect(Object.keys(created).sort()).toEqual(['id', 'mode', 'orgs', 'secret', 'token']);
    expect(created.orgs).toEqual(['ACME', 'corp_123']);
    expect(created.mode).toBe('live');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const auth = await authenticate(t.store, `Bearer ${created.token}`);
    expect(auth).toMatchObject({ ok: true, key: { label: 'Shop X', platform: 'shopify', mode: 'live' } });
  });

  it('create --mode test makes a test key that authenticates, is stored as test and listed as test', async () => {
    const { code, stdout } = apikey('create', '--org', 'ACME', '--mode', 'test', '--json');
    expect(code).toBe(0);
    const created = JSON.parse(stdout);
    expect(created.mode).toBe('test');
    expect(await authenticate(t.store, `Bearer ${created.token}`)).toMatchObject({
      ok: true,
      key: { id: created.id, mode: 'test' },
    });
    expect((await listApiKeys(t.store)).find((k) => k.id === created.id)?.mode).toBe('test');
    const listed = JSON.parse(apikey('list', '--json').stdout) as { id: string; mode: string }[];
    expect(listed.find((k) => k.id === created.id)?.mode).toBe('test');
    expect(apikey('list').stdout).toContain(`${created.id}  active  orgs ACME  mode test`);
  });

  it('create --mode live is the same as no --mode', async () => {
    const created = JSON.parse(apikey('create', '--org', 'ACME', '--mode', 'live', '--json').stdout);
    expect(created.mode).toBe('live');
    expect((await listApiKeys(t.store)).find((k) => k.id === created.id)?.mode).toBe('live');
  });

  it('create prints the id, the secret once and both header forms', async () => {
    const { code, stdout } = apikey('create', '--org', 'ACME');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Created key_[0-9a-f]{24} {2}active {2}orgs ACME {2}mode live {2}created /);
    expect(stdout).toMatch(/^Authorization: Bearer key_[0-9a-f]{24}\.[\w-]{43}$/m);
    expect(stdout).toMatch(/^Authorization: Basic [A-Za-z0-9+/=]+$/m);
  });

  it('list shows keys without secrets; revoke revokes', async () => {
    const created = JSON.parse(apikey('create', '--org', 'ZED', '--json').stdout);
    expect(apikey('list').stdout).toContain(`${created.id}  active  orgs ZED  mode live`);
    expect(apikey('list').stdout).not.toContain(created.secret);
    const revoked = apikey('revoke', created.id, '--json');
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout).mode).toBe('live');
    expect(JSON.parse(revoked.stdout).revoked_at).toEqual(expect.any(String));
    expect(await authenticate(t.store, `Bearer ${created.token}`)).toEqual({ ok: false, reason: 'revoked' });
    const listed = JSON.parse(apikey('list', '--json').stdout) as { id: string; revoked_at: string | null }[];
    expect(listed.find((k) => k.id === created.id)!.revoked_at).not.toBeNull();
  });

  it.each([
    [[]],
    [['create']],
    [['create', '--org', 'bad org']],
    [['create', '--org', 'A', 'extra']],
    [['create', '--org', 'A', '--colour', 'red']],
    [['create', '--org', 'A', '--mode', 'sandbox']],
    [['create', '--org', 'A', '--mode', 'TEST']],
    [['create', '--org', 'A', '--mode', '']],
    [['create', '--org', 'A', '--mode']],
    [['list', '--mode', 'test']],
    [['revoke', `key_${'a'.repeat(24)}`, '--mode', 'test']],
    [['revoke']],
    [['revoke', 'a', 'b']],
    [['list', 'x']],
    [['delete', 'key_x']],
  ])('bad arguments %j: a usage line and exit code 2', (args) => {
    const { code, stderr, stdout } = apikey(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^usage: npm run apikey -- create/m);
    expect(stdout).toBe('');
  });

  it('a refused --mode creates no key', async () => {
    const before = (await listApiKeys(t.store)).length;
    expect(apikey('create', '--org', 'NOMODE', '--mode', 'sandbox').stderr).toMatch(/--mode is live or test/);
    expect(await listApiKeys(t.store)).toHaveLength(before);
  });

  it('revoking an unknown key is an error (exit 1)', () => {
    const { code, stderr } = apikey('revoke', `key_${'a'.repeat(24)}`);
    expect(code).toBe(1);
    expect(stderr).toMatch(/No API key/);
  });
});
