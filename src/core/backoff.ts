/**
 * Waiting between retries: exponential backoff with "equal jitter" (half the capped delay fixed,
 * half random; AWS Architecture Blog, "Exponential Backoff And Jitter", 2015). The fixed half keeps
 * a retry from coming back at once; the random half spreads the connections of many workers.
 */

/** The retry policy of a plan (`limits.retry`). */
export interface RetryPolicy {
  /** Consecutive failures without progress a unit may have before it stops. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry).
 * @param random a number in [0, 1) (Math.random by default; fixed in tests)
 */
export function backoff(attempt: number, retry: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Resolves after `ms`, or at once when the signal aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
