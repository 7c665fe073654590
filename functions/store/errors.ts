// How store failures are classified. Kept apart from the rest of the item layer so code that only
// needs to recognise a failure (the HTTP boundary) does not pull the AWS SDK into its bundle.

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** True for failures that say "try again later" (throttling, timeouts, service faults), not "you are wrong". */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { name, $retryable, $metadata } = error as Error & {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (RETRYABLE.has(name) || $retryable) return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED') return true;
  return ($metadata?.httpStatusCode ?? 0) >= 500;
}

/** The store kept refusing part of a request (unprocessed keys after retries): try again later. */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
  readonly $retryable = { throttling: true };
}
