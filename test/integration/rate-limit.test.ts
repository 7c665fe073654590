// The per-API-key rate limit (functions/auth/rate-limit.ts) through the real handlers, counted in
// DynamoDB Local: a key's (n+1)th call in a window is a 429 with Retry-After, in the route's own
// error shape, before any domain work; other keys and the next window are not affected; tokens
// count against their key; a failing counter lets calls through.
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { createAuthenticator, createKeyChecker, createTokenAuthenticator } from '../../functions/auth/authenticator.ts';
import { createRateLimiter, parseRateLimit } from '../../functions/auth/rate-limit.ts';
import { createTokenSigner } from '../../functions/auth/tokens.ts';
import { commerceLayerListCustomersRoute, commerceLayerTokenRoute } from '../../functions/commercelayer/api.ts';
import { createCustomerRoute } from '../../functions/customers/api.ts';
import { newCustomerId } from '../../functions/customers/customers.ts';
import { kohortPayListCustomersRoute } from '../../functions/kohortpay/api.ts';
import type { Logger } from '../../functions/runtime/logger.ts';
import type { Store } from '../../functions/store/client.ts';
import { customerKey, rateWindowKey } from '../../functions/store/keys.ts';
import { getItem } from '../../functions/store/read.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { authenticatesAgainst, type EventInit, httpEvent, invoke, partner } from '../support/events.ts';
import { type CommandInput, injectFault } from '../support/faults.ts';
import { capturingLog, silentLog } from '../support/handlers.ts';
import { bearer, startTestServer, type TestServer } from '../support/server.ts';

let t: TestTable;
beforeAll(async () => {
  t = await createTestTable('rate-limit');
});

/** 10-second windows; this instant is 3.5 s into the window that starts at 1,700,000,000. */
const WINDOW_START = 1_700_000_000;
const IN_WINDOW = WINDOW_START * 1_000 + 3_500;

/** A clock the test moves by hand. */
function testClock(at: number) {
  const clock = { at, now: () => clock.at };
  return clock;
}

const limiter = (store: Store, limit: string, now: () => number, log: Logger = silentLog) =>
  createRateLimiter({ store, limit: parseRateLimit(limit)!, log, now });

/** POST /customers with API keys and the given limit. */
function createCustomers(store: Store, rateLimit: ReturnType<typeof limiter>) {
  const authenticate = createAuthenticator({ store, ttlSeconds: 60, rateLimit });
  return authenticatesAgainst(
    createCustomerRoute({ store, log: silentLog, authenticate, now: () => new Date(), newCustomerId }),
    store,
  );
}

let n = 0;
const customerEvent = (corporation: string, init: Partial<EventInit> = {}) => {
  const email = `rate-${++n}@example.com`;
  return {
    email,
    event: httpEvent({ path: '/customers', body: { corporation_id: corporation, name: 'Rate Co', email }, ...init }),
  };
};

/** The key id of the API key `invoke` sent. */
const keyIdOf = (event: { headers: Record<string, string | undefined> }) =>
  /^Bearer (key_[0-9a-f]{24})\./.exec(event.headers.authorization ?? '')?.[1] ?? '';

const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
const countsCalls = (command: string, input: CommandInput) =>
  command === 'UpdateItemCommand' && String(input.Key?.pk).startsWith('RATELIMIT#');

describe('a key over its limit', () => {
  it('passes n calls in a window, answers the next 429 with Retry-After before any domain work, and passes again in the next window', async () => {
    const clock = testClock(IN_WINDOW);
    const log = capturingLog();
    const handler = createCustomers(t.store, limiter(t.store, '3/10', clock.now, log));

    for (let i = 0; i < 3; i++) {
      const { event } = customerEvent('corp_rl');
      expect((await invoke(handler, event)).statusCode).toBe(201);
    }
    const over = customerEvent('corp_rl');
    const res = await invoke(handler, over.event);
    expect(res.statusCode).toBe(429);
    // 6.5 s are left in the window: whole seconds, rounded up.
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.json).toEqual({
      type: '/problems/rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: 'This API key may make 3 requests every 10 seconds: retry after 7 seconds.',
      limit: 3,
      window_seconds: 10,
    });
    // Refused before the route did anything: the customer was not created.
    expect(await getItem(t.store, customerKey('corp_rl', { email: over.email }))).toBeUndefined();

    // The window's counter: its calls, and an expiry just after the window.
    const keyId = keyIdOf(over.event);
    expect(await getItem(t.store, rateWindowKey(keyId, WINDOW_START))).toMatchObject({
      requests: 4,
      entity: 'rate-window',
      expires_at: WINDOW_START + 10 + 60,
    });

    // Later in the window: still refused, with less to wait, and the container no longer writes.
    clock.at = (WINDOW_START + 9) * 1_000 + 800;
    const again = await invoke(handler, customerEvent('corp_rl').event);
    expect(again.statusCode).toBe(429);
    expect(again.headers['retry-after']).toBe('1');
    expect(await getItem(t.store, rateWindowKey(keyId, WINDOW_START))).toMatchObject({ requests: 4 });
    // Which key hit its limit is logged once for the window, not once per refusal.
    const reached = log.lines.map((line) => JSON.parse(line)).filter((line) => line.message === 'rate limit reached');
    expect(reached).toEqual([
      expect.objectContaining({
        level: 'info',
        key_id: keyId,
        limit: 3,
        window_seconds: 10,
        window_start: WINDOW_START,
      }),
    ]);

    // The next window starts from zero.
    clock.at = (WINDOW_START + 10) * 1_000;
    expect((await invoke(handler, customerEvent('corp_rl').event)).statusCode).toBe(201);
    expect(await getItem(t.store, rateWindowKey(keyId, WINDOW_START + 10))).toMatchObject({ requests: 1 });
  });

  it('does not hold back another key', async () => {
    const clock = testClock(IN_WINDOW);
    const handler = createCustomers(t.store, limiter(t.store, '1/10', clock.now));
    const first = partner(['corp_rl2'], 'first');
    const second = partner(['corp_rl2'], 'second');
    expect((await invoke(handler, customerEvent('corp_rl2', { principal: first }).event)).statusCode).toBe(201);
    expect((await invoke(handler, customerEvent('corp_rl2', { principal: first }).event)).statusCode).toBe(429);
    expect((await invoke(handler, customerEvent('corp_rl2', { principal: second }).event)).statusCode).toBe(201);
  });

  it('is counted by every container alike: concurrent calls through two containers pass exactly n', async () => {
    const clock = testClock(IN_WINDOW);
    const containers = [limiter(t.newStore(), '5/10', clock.now), limiter(t.newStore(), '5/10', clock.now)];
    const keyId = `key_${'c'.repeat(24)}`;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => containers[i % 2]!(keyId)));
    expect(answers.filter((refusal) => refusal === undefined)).toHaveLength(5);
    expect(answers.filter((refusal) => refusal?.status === 429)).toHaveLength(7);
  });

  it('is not spent by calls with its key id and a wrong secret', async () => {
    const clock = testClock(IN_WINDOW);
    const handler = createCustomers(t.store, limiter(t.store, '2/10', clock.now));
    const { key, secret } = await createApiKey(t.store, { orgs: ['corp_rl3'] });
    const wrong = `Bearer ${key.id}.${'A'.repeat(43)}`;
    for (let i = 0; i < 3; i++) {
      const { event } = customerEvent('corp_rl3', { headers: { authorization: wrong }, principal: null });
      expect((await invoke(handler, event)).statusCode).toBe(401);
    }
    const right = { headers: { authorization: `Bearer ${key.id}.${secret}` }, principal: null };
    expect((await invoke(handler, customerEvent('corp_rl3', right).event)).statusCode).toBe(201);
    expect((await invoke(handler, customerEvent('corp_rl3', right).event)).statusCode).toBe(201);
    expect((await invoke(handler, customerEvent('corp_rl3', right).event)).statusCode).toBe(429);
  });
});

describe('the dialects', () => {
  it("answer 429 in KohortPay's error shape", async () => {
    const clock = testClock(IN_WINDOW);
    const authenticate = createAuthenticator({
      store: t.store,
      ttlSeconds: 60,
      rateLimit: limiter(t.store, '1/10', clock.now),
    });
    const handler = authenticatesAgainst(
      kohortPayListCustomersRoute({ store: t.store, log: silentLog, authenticate }),
      t.store,
    );
    const list = () =>
      httpEvent({ method: 'GET', path: '/compat/kohortpay/customers', principal: partner(['corp_kp']) });
    expect((await invoke(handler, list())).statusCode).toBe(200);
    const res = await invoke(handler, list());
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toEqual({
      error: {
        type: 'rate_limit_error',
        code: 'rate_limited',
        message: 'This API key may make 1 request every 10 seconds: retry after 7 seconds.',
      },
    });
  });

  it("limit Commerce Layer's access tokens by their key, whichever token is sent, and its token endpoint with them", async () => {
    const clock = testClock(IN_WINDOW);
    const rateLimit = limiter(t.store, '2/10', clock.now);
    const signer = createTokenSigner(process.env.TOKEN_SIGNING_SECRET!);
    const { key, secret } = await createApiKey(t.store, { orgs: ['corp_cl'] });
    const principal = { keyId: key.id, orgs: key.orgs, platform: null, mode: key.mode };
    // Two tokens of one key (issued a second apart: different strings): one count between them.
    const tokens = [signer.issue(principal, new Date(Date.now() - 1_000)), signer.issue(principal, new Date())];
    expect(tokens[0]!.token).not.toBe(tokens[1]!.token);
    const handler = commerceLayerListCustomersRoute({
      store: t.store,
      log: silentLog,
      authenticate: createTokenAuthenticator({ store: t.store, ttlSeconds: 60, signer, rateLimit }),
    });
    const list = (token: string) =>
      invoke(
        handler,
        httpEvent({
          method: 'GET',
          path: '/compat/commercelayer/api/customers',
          headers: { authorization: `Bearer ${token}` },
          principal: null,
        }),
      );
    expect((await list(tokens[0]!.token)).statusCode).toBe(200);
    expect((await list(tokens[1]!.token)).statusCode).toBe(200);
    const res = await list(tokens[0]!.token);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['content-type']).toBe('application/vnd.api+json');
    expect(res.json.errors).toEqual([
      {
        title: 'Too many requests',
        detail: 'This API key may make 2 requests every 10 seconds: retry after 7 seconds.',
        code: 'TOO_MANY_REQUESTS',
        status: '429',
        meta: { error: 'rate-limited' },
      },
    ]);

    // A new token is no way around the limit: asking for one is a call by the same key.
    const tokenEndpoint = commerceLayerTokenRoute({
      log: silentLog,
      checkKey: createKeyChecker({ store: t.store, ttlSeconds: 60, rateLimit }),
      signer,
      now: () => new Date(),
    });
    const asked = await invoke(
      tokenEndpoint,
      httpEvent({
        path: '/compat/commercelayer/oauth/token',
        body: { grant_type: 'client_credentials', client_id: key.id, client_secret: secret },
        principal: null,
      }),
    );
    expect(asked.statusCode).toBe(429);
    expect(asked.headers['retry-after']).toBe('7');
    expect(asked.json.errors[0]).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: '429' });
  });
});

describe('a counter that fails', () => {
  it('lets the call through when throttled, with a warning naming the key', async () => {
    const store = t.newStore();
    injectFault(store, (command, input) => (countsCalls(command, input) ? { error: throttled() } : undefined));
    const log = capturingLog();
    const handler = createCustomers(store, limiter(store, '1/10', testClock(IN_WINDOW).now, log));
    const events = [customerEvent('corp_rl4'), customerEvent('corp_rl4')];
    for (const { event } of events) expect((await invoke(handler, event)).statusCode).toBe(201);
    const warnings = log.lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      message: 'rate limit not counted: request let through',
      key_id: keyIdOf(events[0]!.event),
      error: 'ProvisionedThroughputExceededException',
    });
  });

  it('lets the call through when refused for another reason too, logged as an error', async () => {
    const store = t.newStore();
    // What DynamoDB answers a role without the grant: a client error, not worth retrying.
    const denied = Object.assign(new Error('not authorized to perform dynamodb:UpdateItem'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    injectFault(store, (command, input) => (countsCalls(command, input) ? { error: denied } : undefined));
    const log = capturingLog();
    const handler = createCustomers(store, limiter(store, '1/10', testClock(IN_WINDOW).now, log));
    expect((await invoke(handler, customerEvent('corp_rl5').event)).statusCode).toBe(201);
    expect(log.lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ level: 'error', error: 'AccessDeniedException' }),
    );
  });
});

describe('RATE_LIMIT', () => {
  it('is <requests>/<seconds>; unset or empty is no limit; anything else is refused', () => {
    expect(parseRateLimit('600/60')).toEqual({ requests: 600, seconds: 60 });
    expect(parseRateLimit(' 5 / 10 ')).toEqual({ requests: 5, seconds: 10 });
    expect(parseRateLimit(undefined)).toBeUndefined();
    expect(parseRateLimit('')).toBeUndefined();
    for (const wrong of ['0/60', '10/0', '10', '10/', '/60', '1.5/60', '-1/60', 'ten/60', '600 per 60']) {
      expect(() => parseRateLimit(wrong), wrong).toThrow(/RATE_LIMIT is <requests>\/<seconds>/);
    }
  });
});

describe('the local server with RATE_LIMIT set', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A window of about 31 years (the current one ends in 2033): no window ends during the test.
    process.env.RATE_LIMIT = '2/1000000000';
    server = await startTestServer('rate-limit-server');
  });
  afterAll(async () => {
    delete process.env.RATE_LIMIT;
    await server?.close();
  });

  it('counts a key across routes and answers the third call 429', async () => {
    const { token } = await server.key(['corp_local']);
    const first = await server.request('GET', '/compat/kohortpay/customers', { headers: bearer(token) });
    expect(first.status).toBe(200);
    const second = await server.request('POST', '/customers', {
      headers: bearer(token),
      body: { corporation_id: 'corp_local', name: 'Local Co' },
    });
    expect(second.status).toBe(201);
    const third = await server.request('GET', '/compat/kohortpay/customers', { headers: bearer(token) });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await third.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limited' } });
  });
});
