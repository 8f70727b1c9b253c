/**
 * The retry policy of a unit of work (an account's listing, a folder, a side of a discovery):
 * retry what a new connection may fix (a lost or stalled connection, a throttling server) after
 * the wait the server asked for or a backoff (backoff.ts), and give up on anything else at once.
 * Attempts count consecutive failures without progress, so a long folder survives many cuts as
 * long as batches keep arriving between them (the plan's `limits.retry`).
 */
import { backoff, sleep, type RetryPolicy } from './backoff.js';
import { MailshiftError, transientOf, type Transient } from './errors.js';

/** One retry about to happen: told before the wait, so a caller can log it or use fewer connections. */
export interface RetryNotice {
  /** 0 for the first retry since the last progress. */
  attempt: number;
  /** Milliseconds about to be waited. */
  delay: number;
  transient: Transient;
  err: unknown;
}

/** How {@link retrying} retries one unit. */
export interface RetryOptions {
  /** Named in the error when the retries run out. */
  account: string;
  policy: RetryPolicy;
  /** Stops the waiting and the retrying (the error is then thrown as when the attempts run out). */
  signal?: AbortSignal;
  /** A count that grows with progress: a failure after progress starts the attempts afresh. */
  progress?: () => number;
  /** Runs before the wait: closes what failed, so that the next attempt connects afresh. */
  reset?: () => Promise<void>;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Runs `fn`, retrying transient failures as the policy allows.
 * @throws a non-transient error as it came; a transient one that outlasted its attempts (or the
 *   signal) as the account-scope error of {@link retriesSpent}.
 */
export async function retrying<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const progress = opts.progress ?? (() => 0);
  let seen = progress();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (progress() !== seen) {
        seen = progress();
        attempt = 0;
      }
      const transient = transientOf(err);
      if (!transient) throw err;
      if (attempt >= opts.policy.attempts || opts.signal?.aborted) throw retriesSpent(opts.account, err);
      const delay = transient.waitMs ?? backoff(attempt, opts.policy);
      opts.onRetry?.({ attempt, delay, transient, err });
      await opts.reset?.();
      await sleep(delay, opts.signal);
    }
  }
}

/**
 * The account-scope error for a transient failure that outlasted its retries. A connection that
 * could not even be made (`CONN_FAILED`) already names the server and what to check: it stays.
 */
export function retriesSpent(account: string, err: unknown): unknown {
  const transient = transientOf(err);
  if (!transient || (err instanceof MailshiftError && err.code === 'CONN_FAILED')) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (transient.kind === 'throttled') {
    return new MailshiftError(`the servers of ${account} kept asking to slow down: ${text}`, {
      code: 'THROTTLED',
      scope: 'account',
      hint: 'run again later, with fewer limits.connectionsPerAccount or a limits.maxMessagesPerSecond cap',
      cause: err,
    });
  }
  return new MailshiftError(`connection to the servers of ${account} kept failing: ${text}`, {
    code: 'CONN_LOST',
    scope: 'account',
    hint: 'check the network and the servers; run again to continue where it stopped',
    cause: err,
  });
}
