// Deadlines for AWS SDK calls, shared by every client the functions create (the table's here, the
// event bus's in functions/events/publish.ts). No SDK import, so a bundle pays only for its own client.

/**
 * How long one AWS call may take, retries included: at most `maxAttempts` attempts of at most
 * `requestTimeout` each (connecting included), plus the SDK's backoff between them (under 0.3 s
 * for three attempts). 3 × 1 s + backoff stays under the 4.5 s a request may spend
 * (functions/runtime/budget.ts), so a stalled or unreachable table is a 503
 * within 5 s, never a hang. DynamoDB answers single-item calls in milliseconds: a second is
 * generous for a healthy table and short enough to give up on a sick one.
 *
 * `throwOnRequestTimeout` is what makes `requestTimeout` abort the call: without it the SDK only
 * logs a warning and keeps waiting.
 */
export const boundedCalls = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_000, throwOnRequestTimeout: true },
} as const;
