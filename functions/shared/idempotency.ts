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
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { registryTable } from '../../lib/table.ts';
import { IDEMPOTENCY_SK, idempotencyKey } from './keys.ts';
import { Problem, type ProblemBody } from './problem.ts';
import type { Store } from './store.ts';

const PK = registryTable.partitionKey;
const SK = registryTable.sortKey;

/** How long an answer is replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long a claim holds if its request never finishes (longer than the function's timeout). */
export const IDEMPOTENCY_LOCK_MS = 15_000;

/** A handler's answer before serialisation (the shape of HttpResult in http.ts). */
export interface Answer {
  readonly statusCode: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** Marks an answer given again from the record. */
export const REPLAYED_HEADER = { 'idempotent-replayed': 'true' } as const;

export interface IdempotentRequest {
  readonly apiKeyId: string;
  /** The Idempotency-Key header as sent. */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  /** The body bytes as sent. */
  readonly body: Buffer;
}

export const invalidIdempotencyKey = () =>
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

export const isValidIdempotencyKey = (key: string) => /^[\x20-\x7e]{1,255}$/.test(key);

/** Idempotent execution with records in `store` (what a route's `idempotency` option takes). */
export interface Idempotency {
  run(request: IdempotentRequest, execute: () => Promise<Answer>): Promise<Answer>;
}

export const idempotencyIn = (store: Store): Idempotency => ({
  run: (request, execute) => idempotent(store, request, execute),
});

/**
 * Runs `execute` at most once per (API key, Idempotency-Key) and replays its outcome. Problems it
 * throws with a 4xx status are outcomes too (a duplicate customer stays a 409 on replay).
 */
export async function idempotent(
  store: Store,
  request: IdempotentRequest,
  execute: () => Promise<Answer>,
  now: () => number = Date.now,
): Promise<Answer> {
  if (!isValidIdempotencyKey(request.key)) throw invalidIdempotencyKey();
  const key = {
    [PK]: idempotencyKey(request.apiKeyId, createHash('sha256').update(request.key).digest('base64url')),
    [SK]: IDEMPOTENCY_SK,
  };
  const fingerprint = createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.path}\n`)
    .update(request.body)
    .digest('base64url');

  const startedAt = now();
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...key,
          entity: 'idempotency',
          status: 'in_progress',
          fingerprint,
          locked_until: startedAt + IDEMPOTENCY_LOCK_MS,
          [registryTable.timeToLiveAttribute]: Math.floor(startedAt / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        // A claim whose lock has expired (its request died) may be taken over, but only by the
        // same request: another body with this key is still a reused key (422).
        ConditionExpression:
          '(attribute_not_exists(#pk) OR #expires < :now_s) OR (#status = :in_progress AND locked_until < :now_ms AND fingerprint = :fingerprint)',
        ExpressionAttributeNames: { '#pk': PK, '#expires': registryTable.timeToLiveAttribute, '#status': 'status' },
        ExpressionAttributeValues: {
          ':now_s': Math.floor(startedAt / 1000),
          ':now_ms': startedAt,
          ':in_progress': 'in_progress',
          ':fingerprint': fingerprint,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const previous = error.Item;
    if (previous?.fingerprint?.S !== fingerprint) throw keyReused();
    if (previous.status?.S !== 'completed' || !previous.outcome?.S) throw stillRunning();
    return replay(JSON.parse(previous.outcome.S) as Outcome);
  }

  let answer: Answer;
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
  await complete(store, key, fingerprint, { kind: 'answer', answer });
  return answer;
}

type Outcome =
  | { kind: 'answer'; answer: Answer }
  | { kind: 'problem'; problem: ProblemBody; headers: Record<string, string> };

function replay(outcome: Outcome): Answer {
  if (outcome.kind === 'problem') throw Problem.fromBody(outcome.problem, { ...outcome.headers, ...REPLAYED_HEADER });
  return { ...outcome.answer, headers: { ...outcome.answer.headers, ...REPLAYED_HEADER } };
}

/**
 * Records the outcome. Best effort: the work is done whatever happens here, and failing the
 * request now would tell the client otherwise; an unrecorded claim expires after the lock time.
 */
async function complete(store: Store, key: Record<string, string>, fingerprint: string, outcome: Outcome) {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: key,
        UpdateExpression: 'SET #status = :completed, outcome = :outcome REMOVE locked_until',
        ConditionExpression: 'fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':completed': 'completed', ':outcome': JSON.stringify(outcome), ':fingerprint': fingerprint },
      }),
    );
  } catch {
    // A failed condition means another claim replaced ours after our lock expired: theirs stands.
  }
}

async function release(store: Store, key: Record<string, string>, fingerprint: string) {
  try {
    await store.doc.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: key,
        ConditionExpression: '#status = :in_progress AND fingerprint = :fingerprint',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':in_progress': 'in_progress', ':fingerprint': fingerprint },
      }),
    );
  } catch {
    // Best effort: an unreleased claim expires after IDEMPOTENCY_LOCK_MS anyway.
  }
}
