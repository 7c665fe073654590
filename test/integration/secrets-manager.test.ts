// The HMAC keys from Secrets Manager (functions/runtime/secrets.ts), against a stand-in that speaks
// the service's JSON protocol (test/support/secrets-manager.ts) through the real SDK client: read at
// cold start by a function given only the secrets' ARNs, and kept across a two-phase rotation by a
// warm container, whose clock is injected so that refresh intervals pass without waiting.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { createCursorSigner, cursorScope } from '../../functions/http/cursor.ts';
import { Problem } from '../../functions/http/problem.ts';
import { createReviewLinks } from '../../functions/purchasers/review-links.ts';
import { containerKeys, REFRESH_INTERVAL_MS, readKeyRing } from '../../functions/runtime/secrets.ts';
import { createTestTable, dynamoEndpoint } from '../support/dynamo.ts';
import { httpEvent, invoke } from '../support/events.ts';
import { capturingLog, purchaserHandler, reviewLinks } from '../support/handlers.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from '../support/secrets-manager.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const newKey = () => randomBytes(30).toString('base64url');

let fake: FakeSecretsManager;
beforeAll(async () => {
  fake = await startFakeSecretsManager();
});
afterAll(() => fake.close());

const callsFor = (arn: string) => fake.calls.filter((call) => call.SecretId === arn);
/** Waits for a background read (the SDK retries a failing call, with backoff, before giving up). */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });

describe('a function given only the ARNs of its secrets', () => {
  /** Runs `entry` in a fresh Node.js with only `env`: the event, then the same event on the answer's next_cursor. */
  const twoPages = async (entry: string, event: unknown, env: Record<string, string>) => {
    const script = `const { handler } = await import(process.argv[1]);
      const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 5000 };
      const event = JSON.parse(process.argv[2]);
      const first = await handler(event, context);
      const cursor = JSON.parse(first.body).next_cursor;
      const second = await handler({ ...event, queryStringParameters: { ...event.queryStringParameters, cursor } }, context);
      process.stdout.write('\\n' + JSON.stringify([first, second]));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, `${root}${entry}`, JSON.stringify(event)],
      { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as { statusCode: number; body: string }[];
  };

  const awsEnv = () => ({
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.endpoint,
    LOG_LEVEL: 'silent',
  });

  it('reads its keys at cold start, then signs with them and verifies what it signed', async () => {
    const { tableName, store } = await createTestTable('secrets');
    const created = await invoke(
      purchaserHandler(store),
      httpEvent({
        path: '/v4/organisations/ACME/purchasers',
        pathParameters: { trkref: 'ACME' },
        body: {
          email: 'jane@example.com',
          purchases: [
            { order_ref: 'A1', sku: 'SKU-1' },
            { order_ref: 'A2', sku: 'SKU-2' },
          ],
        },
      }),
    );
    expect(created.statusCode).toBe(201);
    const { token } = await createApiKey(store, { orgs: ['ACME'] });
    const reviewKey = newKey();
    const cursorKey = newKey();
    const reviewArn = fake.create('review-url', reviewKey);
    const cursorArn = fake.create('cursor', cursorKey);

    // ListPurchases reads both of its secrets: its review links and its cursors.
    const [first, second] = await twoPages(
      'functions/purchasers/purchases.ts',
      {
        ...httpEvent({
          method: 'GET',
          path: '/v4/organisations/ACME/purchasers/jane@example.com/purchases',
          pathParameters: { trkref: 'ACME', email: 'jane@example.com' },
          headers: { authorization: `Bearer ${token}` },
          principal: null,
        }),
        queryStringParameters: { limit: '1' },
      },
      {
        ...awsEnv(),
        TABLE_NAME: tableName,
        REVIEW_BASE_URL: 'https://reviews.example.com',
        REVIEW_URL_SECRET_ARN: reviewArn,
        CURSOR_SECRET_ARN: cursorArn,
      },
    );

    // Every label of each secret, once, at cold start; none later (the keys are fresh).
    for (const arn of [reviewArn, cursorArn]) {
      expect(
        callsFor(arn)
          .map((call) => call.VersionStage)
          .sort(),
      ).toEqual(['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS']);
    }
    expect(first?.statusCode).toBe(200);
    expect(second?.statusCode).toBe(200);
    const [page1, page2] = [first, second].map((answer) => JSON.parse(answer!.body));
    expect([...page1.purchases, ...page2.purchases].map((p: { order_ref: string }) => p.order_ref).sort()).toEqual([
      'A1',
      'A2',
    ]);
    // Signed under the keys Secrets Manager holds, not any other.
    const signed = (url: string) => url.split('/').at(-1)!;
    const underReviewKey = createReviewLinks({ baseUrl: 'https://x.test', secret: reviewKey });
    for (const purchase of [...page1.purchases, ...page2.purchases]) {
      expect(underReviewKey.verify('ACME', signed(purchase.review_url))).toBe(true);
      expect(reviewLinks.verify('ACME', signed(purchase.review_url))).toBe(false);
    }
    const scope = cursorScope('ACME', 'ListPurchases', { email: 'jane@example.com' });
    expect(() => createCursorSigner(cursorKey).open(page1.next_cursor, scope)).not.toThrow();
    expect(() => createCursorSigner(newKey()).open(page1.next_cursor, scope)).toThrow(Problem);
  });

  it('does not start when a secret cannot be read', async () => {
    const missing = `${fake.create('other', newKey())}-gone`;
    const run = twoPages('functions/http/cursor.ts', {}, { ...awsEnv(), CURSOR_SECRET_ARN: missing });
    await expect(run).rejects.toThrow(/ResourceNotFoundException/);
    expect(callsFor(missing).length).toBeGreaterThan(0);
  });
});

describe("a warm container's keys", () => {
  const client = () =>
    new SecretsManagerClient({
      endpoint: fake.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  const scope = cursorScope('ACME', 'ListCustomers');
  /** A cursor sealed under `key` alone. */
  const sealedUnder = (key: string, position = 'elsewhere') => createCursorSigner(key).seal(scope, position);
  const opensUnder = (key: string, cursor: string) => createCursorSigner(key).open(cursor, scope);

  /** A container's cursor signer under `arn`'s keys, with a clock the test moves. */
  async function container(arn: string) {
    const clock = { now: 0 };
    const log = capturingLog();
    const keys = await readKeyRing(arn, { client: client(), name: 'CURSOR_SECRET', log, now: () => clock.now });
    return { keys, cursors: createCursorSigner(keys), log, clock };
  }

  it('verify across two rotations: a new key before it signs, the old one until the next rotation', async () => {
    const [k1, k2, k3, stranger] = [newKey(), newKey(), newKey(), newKey()];
    const arn = fake.create('rotating', k1);
    const { cursors, clock, log } = await container(arn);
    const fromK1 = cursors.seal(scope, 'p1');
    expect(opensUnder(k1, fromK1)).toBe('p1');
    /** After the refresh interval, once the background read has brought `expected` in. */
    const nextInterval = async (expected: () => void) => {
      clock.now += REFRESH_INTERVAL_MS;
      await eventually(expected);
    };

    // Phase one: the next key is put up as AWSPENDING. Accepted once read, but not signed with.
    fake.putPending(arn, k2);
    expect(() => cursors.open(sealedUnder(k2), scope)).toThrow(Problem);
    await nextInterval(() => expect(cursors.open(sealedUnder(k2, 'p2'), scope)).toBe('p2'));
    expect(opensUnder(k1, cursors.seal(scope, 'still k1'))).toBe('still k1');
    expect(cursors.open(fromK1, scope)).toBe('p1');

    // Phase two: it is promoted; the key it replaces, now AWSPREVIOUS, still verifies.
    fake.promote(arn);
    await nextInterval(() => expect(opensUnder(k2, cursors.seal(scope, 'k2 signs'))).toBe('k2 signs'));
    const fromK2 = cursors.seal(scope, 'p3');
    expect(cursors.open(fromK1, scope)).toBe('p1');
    expect(cursors.open(sealedUnder(k2, 'p4'), scope)).toBe('p4');
    expect(() => cursors.open(sealedUnder(stranger), scope)).toThrow(Problem);
    expect(log.lines.some((line) => JSON.parse(line).message === 'secret keys changed')).toBe(true);

    // The next rotation: k1 is accepted through its pending phase, and dropped when k3 is promoted.
    fake.putPending(arn, k3);
    await nextInterval(() => expect(cursors.open(sealedUnder(k3, 'p5'), scope)).toBe('p5'));
    expect(cursors.open(fromK1, scope)).toBe('p1');
    fake.promote(arn);
    await nextInterval(() => expect(() => cursors.open(fromK1, scope)).toThrow(Problem));
    expect(cursors.open(fromK2, scope)).toBe('p3');
    expect(opensUnder(k3, cursors.seal(scope, 'k3 signs'))).toBe('k3 signs');
    // No secret value in any log line.
    for (const key of [k1, k2, k3]) expect(log.lines.join('\n')).not.toContain(key);
  });

  it('are read again in the background at most once per interval, answering at once with the keys it has', async () => {
    const arn = fake.create('interval', newKey());
    const { keys, clock } = await container(arn);
    expect(callsFor(arn)).toHaveLength(3);
    for (let i = 0; i < 10; i++) keys();
    clock.now += REFRESH_INTERVAL_MS - 1;
    keys();
    expect(callsFor(arn)).toHaveLength(3);
    clock.now += 1;
    const before = keys();
    for (let i = 0; i < 10; i++) expect(keys()).toBe(before);
    await eventually(() => expect(callsFor(arn)).toHaveLength(6));
    expect(keys()).toEqual(before);
  });

  it('a failed refresh keeps the keys in use and warns; the next interval tries again', async () => {
    const [k1, k2] = [newKey(), newKey()];
    const arn = fake.create('outage', k1);
    const { cursors, clock, log } = await container(arn);
    fake.putPending(arn, k2);
    fake.failing = true;
    try {
      clock.now += REFRESH_INTERVAL_MS;
      cursors.seal(scope, 'starts the refresh');
      await eventually(() =>
        expect(log.lines.map((line) => JSON.parse(line))).toContainEqual(
          expect.objectContaining({ level: 'warn', secret: 'CURSOR_SECRET', error: 'InternalServiceError' }),
        ),
      );
      expect(opensUnder(k1, cursors.seal(scope, 'p1'))).toBe('p1');
      expect(() => cursors.open(sealedUnder(k2), scope)).toThrow(Problem);
    } finally {
      fake.failing = false;
    }
    clock.now += REFRESH_INTERVAL_MS;
    await eventually(() => expect(cursors.open(sealedUnder(k2, 'p2'), scope)).toBe('p2'));
  });

  it('are each labelled version once, leaving out a missing label or an unusable value', async () => {
    const [k1, k2] = [newKey(), newKey()];
    const arn = fake.create('labels', k1);
    expect((await container(arn)).keys()).toEqual([k1]);
    fake.putPending(arn, k2);
    fake.promote(arn);
    // k2 carries AWSCURRENT and AWSPENDING (until the runbook takes the label off): one key.
    expect((await container(arn)).keys()).toEqual([k2, k1]);
    fake.putPending(arn, 'too short to sign with');
    const { keys, log } = await container(arn);
    expect(keys()).toEqual([k2, k1]);
    expect(log.lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'secret version left out: not a usable key' }),
    );
  });

  it('are not read at all without a usable AWSCURRENT', async () => {
    await expect(container(fake.create('short', 'too short'))).rejects.toThrow(
      /CURSOR_SECRET must be at least 32 characters/,
    );
    await expect(container(`${fake.create('nowhere', newKey())}-gone`)).rejects.toThrow(/can't find/);
  });
});

describe('containerKeys', () => {
  it('uses the key itself when the setting holds it, with no ARN needed', () => {
    expect(containerKeys('CURSOR_SECRET', { CURSOR_SECRET: 'k'.repeat(32) })).toBe('k'.repeat(32));
  });

  it('says which setting is missing', () => {
    expect(() => containerKeys('TOKEN_SIGNING_SECRET', {})).toThrow(/TOKEN_SIGNING_SECRET_ARN/);
  });
});
