// The per-API-key rate limit (RATE_LIMIT, `<requests>/<seconds>`): at most `requests` calls by one
// key in each fixed window of `seconds` (windows start at multiples of `seconds` since the epoch),
// counted in the table, so every container and function shares one count. The (requests + 1)th
// call of a window is a 429 whose Retry-After is the time left in the window. The authenticator
// (authenticator.ts) asks once a request's key is known, before any domain work.
//
// Cost: one UpdateItem (`ADD requests :1`, one write unit) per counted call, on an item of its own
// per key and window (keys.ts `rateWindowKey`), which TTL deletes after the window. A container
// that has been told a key is over its limit remembers it until the window ends and refuses that
// key's further calls without writing: in a fixed window those writes would change nothing (the
// count is already past the limit, and the next window starts from zero whatever it says), and
// not making them keeps a flooding key from costing a write per refused call and from pushing
// its item's partition past DynamoDB's 1,000 writes a second.
//
// The counter failing (throttled, slow, unreachable, refused) lets the request through and logs
// it: the limit protects the API's fair share between partners, and must not itself become the
// reason the API answers nothing. A table that is really down fails the request's own work anyway.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { registryTable } from '../../contract/table.ts';
import { type Problem, rateLimited } from '../http/problem.ts';
import { container } from '../runtime/container.ts';
import { describeError, type Logger } from '../runtime/logger.ts';
import type { Store } from '../store/client.ts';
import { isTransientStoreError } from '../store/errors.ts';
import { buildExpression } from '../store/expression.ts';
import { rateWindowKey } from '../store/keys.ts';

export interface RateLimit {
  /** Calls one key may make in each window. */
  readonly requests: number;
  /** The window's length. */
  readonly seconds: number;
}

/**
 * Counts a call by the key and answers the 429 to send if the key is over its limit (undefined to
 * go on). Never rejects: a failing counter lets the call through.
 */
export type RateLimiter = (keyId: string) => Promise<Problem | undefined>;

export interface RateLimiterOptions {
  readonly store: Store;
  readonly limit: RateLimit;
  readonly log: Logger;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** How many over-limit keys one container remembers (the oldest is forgotten first). */
  readonly maxKeys?: number;
}

/**
 * How long a window's counter outlives the window: a container whose clock runs behind may still
 * count into it, and DynamoDB deletes expired items hours to days later anyway.
 */
const EXPIRY_MARGIN_SECONDS = 60;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { store, limit, log, now = Date.now, maxKeys = 1_000 } = options;
  const { requests, seconds } = limit;
  /** Key id -> start of the window it is known to be over the limit in. */
  const over = new Map<string, number>();

  return async (keyId) => {
    const at = now();
    const nowSeconds = Math.floor(at / 1_000);
    const windowStart = nowSeconds - (nowSeconds % seconds);
    const windowEnd = windowStart + seconds;
    const refusal = () => rateLimited(requests, seconds, Math.max(1, Math.ceil((windowEnd * 1_000 - at) / 1_000)));

    const knownOver = over.get(keyId);
    if (knownOver === windowStart) return refusal();
    if (knownOver !== undefined) over.delete(keyId);

    let count: number;
    try {
      // The command itself rather than store/write.ts: that module's conditional and transactional
      // machinery would grow the bundle of every read-only function by a few kilobytes.
      const output = await store.doc.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: rateWindowKey(keyId, windowStart),
          ...buildExpression({
            changes: {
              set: { entity: 'rate-window', [registryTable.timeToLiveAttribute]: windowEnd + EXPIRY_MARGIN_SECONDS },
              add: { requests: 1 },
            },
          }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      count = Number(output.Attributes?.requests);
    } catch (error) {
      // Fail open (see the top of this file). A fault we cannot explain is an error to look at; a
      // busy or unreachable table is a warning, like any other transient store failure.
      const fields = { key_id: keyId, ...describeError(error) };
      if (isTransientStoreError(error)) log.warn('rate limit not counted: request let through', fields);
      else log.error('rate limit not counted: request let through', fields);
      return undefined;
    }
    if (!(count > requests)) return undefined;
    // Once per key, window and container (later refusals are remembered, not counted): which
    // partner hit its limit, for the log line of a 429 has no caller (authentication stopped short).
    log.info('rate limit reached', {
      key_id: keyId,
      limit: requests,
      window_seconds: seconds,
      window_start: windowStart,
    });
    over.set(keyId, windowStart);
    if (over.size > maxKeys) over.delete(over.keys().next().value as string);
    return refusal();
  };
}

const RATE_LIMIT_FORMAT = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/**
 * The limit a `<requests>/<seconds>` setting names (`600/60`); undefined when unset or empty (no
 * limit). Anything else throws: a misspelt limit must not silently become no limit.
 */
export function parseRateLimit(setting: string | undefined): RateLimit | undefined {
  if (setting === undefined || setting.trim() === '') return undefined;
  const match = RATE_LIMIT_FORMAT.exec(setting);
  const requests = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (!(Number.isSafeInteger(requests) && requests >= 1 && Number.isSafeInteger(seconds) && seconds >= 1)) {
    throw new RangeError(
      `RATE_LIMIT is <requests>/<seconds>, both whole numbers of at least 1 (such as 600/60), not "${setting}"`,
    );
  }
  return { requests, seconds };
}

let shared: RateLimiter | undefined;
let read = false;

/** The container's limiter, from RATE_LIMIT (read once); undefined when unset: no limit and no table call. */
export function containerRateLimiter(): RateLimiter | undefined {
  if (!read) {
    const limit = parseRateLimit(process.env.RATE_LIMIT);
    if (limit) shared = createRateLimiter({ ...container(), limit });
    read = true;
  }
  return shared;
}
