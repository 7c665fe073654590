// Idempotent retries for POST routes (IETF httpapi Idempotency-Key draft semantics).
//
// A request carrying `Idempotency-Key` first claims a record keyed by the API key and the client's
// key (one conditional PutItem), then runs, then stores its answer on the record:
//
//   - same key, same request, first one finished  -> the first answer again (status and body),
//                                                     marked `Idempotent-Replayed: true`; nothing is
//                                                     written a second time
//   - same key, different request                 -> 422
//   - same key while the first is still running   -> 409 (retry later)
//
// "Same request" means the same method, path and body bytes. Records live 24 hours (the table's
// TTL attribute deletes them; an expired record that TTL has not removed yet is ignored). Answers
// that say "try again" (5xx) are not kept: the record is released so the retry can run.
//
// A stored answer may hold personal data (the customer it created). An answer that names its
// subject (HttpResult.subject) is filed in the lookup index under that person, and erasing the
// person deletes it (forgetAnswersAbout).
import { createHash, randomBytes } from 'node:crypto';
import { lookupIndex, registryTable } from '../../contract/table.ts';
import type { Store } from '../store/client.ts';
import { absent, and, equals, lessThan, or } from '../store/expression.ts';
import { type ItemKey, idempotencyKey } from '../store/keys.ts';
import { queryPartition } from '../store/read.ts';
import { writeItem } from '../store/write.ts';
import { Problem, type ProblemBody } from './problem.ts';
import type { HttpResult } from './route.ts';

const EXPIRES_AT = registryTable.timeToLiveAttribute;

/** How long an answer is replayed. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long a claim holds if its request never finishes (longer than the function's timeout). */
const IDEMPOTENCY_LOCK_MS = 15_000;

/** Marks an answer given again from the record. */
const REPLAYED_HEADER = { 'idempotent-replayed': 'true' } as const;

export interface IdempotentRequest {
  readonly apiKeyId: string;
  /** The Idempotency-Key header as sent. */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  /** The body bytes as sent. */
  readonly body: Buffer;
}

const invalidIdempotencyKey = () =>
  new Problem(
    400,
    'invalid-idempotency-key',
    'Invalid Idempotency-Key',
    'Idempotency-Key must be 1 to 255 printable ASCII characters.',
  );

const keyReused = () =>
  new Problem(
    422,
    'idempotency-key-reused',
    'Idempotency-Key reused',
    'This Idempotency-Key was already used for a different request; send a new key for a new request.',
  );

const stillRunning = () =>
  new Problem(
    409,
    'idempotency-key-in-use',
    'Request in progress',
    'A request with this Idempotency-Key is still being processed; retry after it completes.',
    {},
    { 'retry-after': '1' },
  );

const isValidIdempotencyKey = (key: string) => /^[\x20-\x7e]{1,255}$/.test(key);

/** Idempotent execution with records in a store (what a route's `idempotency` option takes). */
export interface Idempotency {
  /**
   * Runs `execute` at most once per (API key, Idempotency-Key) and replays its outcome. Problems
   * it throws with a 4xx status are outcomes too (a duplicate customer stays a 409 on replay).
   */
  run(request: IdempotentRequest, execute: () => Promise<HttpResult>): Promise<HttpResult>;
}

/** Idempotency records in `store`; `now` is the clock (milliseconds), for tests of expiry. */
export const idempotencyIn = (store: Store, now: () => number = Date.now): Idempotency => ({
  run: (request, execute) => idempotent(store, request, execute, now()),
});

async function idempotent(
  store: Store,
  request: IdempotentRequest,
  execute: () => Promise<HttpResult>,
  startedAt: number,
): Promise<HttpResult> {
  if (!isValidIdempotencyKey(request.key)) throw invalidIdempotencyKey();
  const key = idempotencyKey(request.apiKeyId, createHash('sha256').update(request.key).digest('base64url'));
  const fingerprint = createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.path}\n`)
    .update(request.body)
    .digest('base64url');

  // Names this request's claim: a retry of the claim's own write (its first attempt landed, its
  // answer was lost) finds the claim it made, not another request's.
  const claimId = randomBytes(12).toString('base64url');
  const claim = await writeItem(store, {
    put: {
      ...key,
      entity: 'idempotency',
      status: 'in_progress',
      claim: claimId,
      fingerprint,
      locked_until: startedAt + IDEMPOTENCY_LOCK_MS,
      [EXPIRES_AT]: Math.floor(startedAt / 1000) + IDEMPOTENCY_TTL_SECONDS,
    },
    condition: or(
      absent(registryTable.partitionKey),
      lessThan(EXPIRES_AT, Math.floor(startedAt / 1000)),
      // A claim whose lock has expired (its request died) may be taken over, but only by the
      // same request: another body with this key is still a reused key (422).
      and(equals('status', 'in_progress'), lessThan('locked_until', startedAt), equals('fingerprint', fingerprint)),
    ),
  });
  if (!claim.written && claim.old?.claim !== claimId) {
    const previous = claim.old;
    if (previous?.fingerprint !== fingerprint) throw keyReused();
    if (previous.status !== 'completed' || typeof previous.outcome !== 'string') throw stillRunning();
    return replay(JSON.parse(previous.outcome) as Outcome);
  }

  let answer: HttpResult;
  try {
    answer = await execute();
  } catch (error) {
    if (error instanceof Problem && error.status < 500) {
      await complete(store, key, fingerprint, { kind: 'problem', problem: error.toBody(), headers: error.headers });
    } else {
      await release(store, key, fingerprint);
    }
    throw error;
  }
  const { subject, ...kept } = answer;
  await complete(store, key, fingerprint, { kind: 'answer', answer: kept }, subject);
  return answer;
}

type Outcome =
  | { kind: 'answer'; answer: HttpResult }
  | { kind: 'problem'; problem: ProblemBody; headers: Record<string, string> };

function replay(outcome: Outcome): HttpResult {
  if (outcome.kind === 'problem') {
    throw Problem.fromBody(outcome.problem, { ...outcome.headers, ...REPLAYED_HEADER });
  }
  return { ...outcome.answer, headers: { ...outcome.answer.headers, ...REPLAYED_HEADER } };
}

/**
 * Records the outcome. Best effort: the work is done whatever happens here, and failing the
 * request now would tell the client otherwise; an unrecorded claim expires after the lock time.
 * A failed condition means another claim replaced ours after our lock expired: theirs stands.
 */
async function complete(store: Store, key: ItemKey, fingerprint: string, outcome: Outcome, subject?: string) {
  const filed = subject ? { [lookupIndex.partitionKey]: subject, [lookupIndex.sortKey]: key.pk } : {};
  await writeItem(store, {
    update: key,
    changes: {
      set: { status: 'completed', outcome: JSON.stringify(outcome), ...filed },
      remove: ['locked_until'],
    },
    condition: equals('fingerprint', fingerprint),
  }).catch(() => undefined);
}

/** Frees the claim for a retry. Best effort: an unreleased claim expires after the lock time anyway. */
async function release(store: Store, key: ItemKey, fingerprint: string) {
  await writeItem(store, {
    delete: key,
    condition: and(equals('status', 'in_progress'), equals('fingerprint', fingerprint)),
  }).catch(() => undefined);
}

/**
 * Deletes every stored answer filed under `subject` (replaysPartition of a person being erased).
 * The index is eventually consistent: an answer stored in the instant before may be found a
 * moment later; erasure runs this after its own writes, so anything stored since names a tombstone.
 */
export async function forgetAnswersAbout(store: Store, subject: string): Promise<number> {
  const records = await queryPartition(store, { index: true, partition: subject });
  await Promise.all(
    records.map((record) => writeItem(store, { delete: { pk: String(record.pk), sk: String(record.sk) } })),
  );
  return records.length;
}
