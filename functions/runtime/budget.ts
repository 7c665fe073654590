// Time budgets: how long a request or an event may take before it is answered as failed, whatever
// it is waiting for. The SDK bounds each AWS call (functions/store/bounds.ts); a
// budget bounds the sum, so a handler answers within a stated time even when several calls in a
// row are slow.

/**
 * The longest an HTTP request or one event of a batch may run: 4.5 s, so a stalled or unreachable
 * table is answered 503 (or the event reported failed) within 5 s. The Lambda timeouts (10 s for
 * HTTP functions, contract/routes.ts) sit above it and API Gateway's 30 s limit above those.
 */
export const BUDGET_MS = 4_500;

/**
 * `work`'s result, or `late()`'s once `ms` have passed. The late work is not cancelled: its AWS
 * calls end by their own deadlines, and what it still writes is found by the caller's retry.
 */
export function withinBudget<T>(work: Promise<T>, late: () => T, ms: number = BUDGET_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
