// The embedded metric format as the handlers write it (functions/runtime/metrics.ts), the outcome
// words of HTTP answers (functions/http/route.ts), and the log-level switch and invocation fields
// (functions/runtime/logger.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { outcomeOf } from '../../functions/http/route.ts';
import { createLogger, logLevelOf } from '../../functions/runtime/logger.ts';
import { metricFields, NAMESPACE } from '../../functions/runtime/metrics.ts';
import { emfOf } from '../support/emf.ts';

describe('embedded metric format', () => {
  it('a log line with metric fields is an EMF document: the directive names top-level members', () => {
    const lines: string[] = [];
    createLogger({ sink: (line) => lines.push(line) }).info('request', {
      status: 201,
      ...metricFields({ route: 'CreatePurchaser' }, { created: 1 }, 1_767_225_600_000),
    });
    const document = JSON.parse(lines[0]!);
    expect(document._aws).toEqual({
      Timestamp: 1_767_225_600_000,
      CloudWatchMetrics: [
        {
          Namespace: 'PurchaserRegistry',
          Dimensions: [['service', 'route']],
          Metrics: [{ Name: 'created', Unit: 'Count' }],
        },
      ],
    });
    expect(document).toMatchObject({ service: 'local', route: 'CreatePurchaser', created: 1, message: 'request' });
    expect(emfOf(lines[0]!)).toEqual({
      namespace: NAMESPACE,
      dimensions: { service: 'local', route: 'CreatePurchaser' },
      values: { created: 1 },
      units: { created: 'Count' },
      timestamp: 1_767_225_600_000,
    });
  });

  it('several counts share one directive; the timestamp defaults to now', () => {
    const before = Date.now();
    const emf = emfOf(JSON.stringify(metricFields({ detail_type: 'customer.created' }, { published: 3, failed: 0 })));
    expect(emf?.values).toEqual({ published: 3, failed: 0 });
    expect(emf?.dimensions).toEqual({ service: 'local', detail_type: 'customer.created' });
    expect(emf?.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('the checker refuses what CloudWatch would not extract', () => {
    const good = metricFields({ route: 'R' }, { created: 1 });
    const broken = [
      { ...good, created: '1' }, // a metric member that is not a number
      { ...good, route: 7 }, // a dimension member that is not a string
      { ...good, _aws: { ...(good._aws as object), Timestamp: '2026-01-01' } },
    ];
    for (const line of broken) expect(() => emfOf(JSON.stringify(line))).toThrow(/not a valid EMF line/);
    expect(emfOf(JSON.stringify({ level: 'info', message: 'plain' }))).toBeUndefined();
  });
});

describe('the outcome of an HTTP answer', () => {
  const answer = (statusCode: number, headers: Record<string, string> = {}) => ({ statusCode, headers });
  it.each([
    [201, 'updated', 'created'],
    [200, 'updated', 'updated'],
    [200, 'read', 'read'],
    [204, 'erased', 'erased'],
    [200, 'issued', 'issued'],
    [400, 'updated', 'validation_failed'],
    [413, 'updated', 'validation_failed'],
    [415, 'updated', 'validation_failed'],
    [422, 'updated', 'validation_failed'],
    [401, 'read', 'unauthenticated'],
    [403, 'read', 'forbidden'],
    [404, 'read', 'not_found'],
    [405, 'read', 'not_found'],
    [409, 'updated', 'conflict'],
    [429, 'updated', 'rate_limited'],
    [503, 'updated', 'unavailable'],
    [500, 'updated', 'failed'],
  ] as const)('%i (a route whose success is %s) is %s', (status, success, outcome) => {
    expect(outcomeOf(answer(status), success)).toBe(outcome);
  });

  it('a replayed answer is idempotent_replay, whatever it replays', () => {
    for (const status of [201, 200, 409, 422]) {
      expect(outcomeOf(answer(status, { 'idempotent-replayed': 'true' }), 'updated')).toBe('idempotent_replay');
    }
  });
});

describe('the log-level switch', () => {
  it("is Lambda's application log level, in Lambda's names; LOG_LEVEL only where Lambda sets none", () => {
    expect(logLevelOf({ AWS_LAMBDA_LOG_LEVEL: 'DEBUG', LOG_LEVEL: 'error' })).toBe('debug');
    expect(logLevelOf({ AWS_LAMBDA_LOG_LEVEL: 'TRACE' })).toBe('debug');
    expect(logLevelOf({ AWS_LAMBDA_LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(logLevelOf({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' })).toBe('error');
    expect(logLevelOf({ LOG_LEVEL: 'silent' })).toBe('silent');
    expect(logLevelOf({})).toBe('info');
  });
});

describe('invocation fields', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("name Lambda's request id and the trace; only a process's first invocation is its cold start", async () => {
    vi.resetModules();
    const { invocationFields } = await import('../../functions/runtime/logger.ts');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    expect(invocationFields({ awsRequestId: 'a' })).toEqual({
      function_request_id: 'a',
      cold_start: true,
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    });
    vi.stubEnv('_X_AMZN_TRACE_ID', '');
    expect(invocationFields({ awsRequestId: 'b' })).toEqual({ function_request_id: 'b', cold_start: false });
  });
});
