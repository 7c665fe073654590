// The request budget: whatever a request waits for, it is answered within BUDGET_MS.
import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCustomerRow, fallbackRow } from '../../contract/routes.ts';
import { jsonRoute, plainRoute } from '../../functions/http/route.ts';
import { BUDGET_MS, withinBudget } from '../../functions/runtime/budget.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';
import { capturingLog } from '../support/handlers.ts';

afterEach(() => {
  vi.useRealTimers();
});

const never = () => new Promise<never>(() => {});

describe('withinBudget', () => {
  it('gives the work its result when it ends in time, and the late answer when it does not', async () => {
    vi.useFakeTimers();
    expect(await withinBudget(Promise.resolve('done'), () => 'late')).toBe('done');
    const late = withinBudget(never(), () => 'late');
    await vi.advanceTimersByTimeAsync(BUDGET_MS - 1);
    const settled = vi.fn();
    void late.then(settled);
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await late).toBe('late');
  });

  it('is under 5 seconds', () => {
    expect(BUDGET_MS).toBeLessThan(5_000);
  });
});

describe('a route whose work never ends', () => {
  it('answers a 503 problem with Retry-After once the budget is spent, and logs why', async () => {
    vi.useFakeTimers();
    const log = capturingLog();
    const handler = jsonRoute(createCustomerRow, {
      log,
      authenticate: async () => ({ keyId: 'key_1', orgs: ['c'], platform: null, mode: 'live' }),
      body: v.object({ name: v.string() }),
      errorFormat: { contentType: 'application/problem+json', render: (body) => ({ ...body, message: body.detail }) },
      handle: never,
    });
    const answer = handler(httpEvent({ path: '/customers', body: { name: 'Slow' }, principal: null }), lambdaContext());
    await vi.advanceTimersByTimeAsync(BUDGET_MS);
    const res = await answer;
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'retry-after': '1', 'content-type': 'application/problem+json' });
    expect(JSON.parse(res.body as string)).toMatchObject({
      type: '/problems/service-unavailable',
      message: expect.stringContaining('Retry'),
    });
    expect(log.lines.join('\n')).toContain('request budget spent');
  });

  it('also when the wait is in authentication', async () => {
    vi.useFakeTimers();
    const handler = plainRoute(
      { ...fallbackRow, auth: 'partner' },
      { log: capturingLog(), authenticate: never, handle: never },
    );
    const answer = handler(httpEvent({ method: 'GET', path: '/x', principal: null }), lambdaContext());
    await vi.advanceTimersByTimeAsync(BUDGET_MS);
    expect((await answer).statusCode).toBe(503);
  });
});
