/**
 * When the next pass runs and which accounts it takes: pure functions of the saved schedule, the
 * plan's interval and cutover, and the time, so a restarted process decides exactly as the one that
 * died would have.
 *
 * Passes are anchored at their starts (a pass every 15 min starts at :00, :15, ... whatever each
 * lasted); one that overran its interval is followed at once, never overlapped. At the cutover the
 * final pass runs, with every account, and after it none.
 */

/** The interval, the cutover and the limits of the schedule, in milliseconds since the epoch. */
export interface ScheduleConfig {
  everyMs: number;
  cutoverAt?: number;
  /** Shortest time from the end of a pass to a pass started early by new mail. */
  minGapMs: number;
  /** Longest wait before an account that keeps failing is tried again. */
  maxBackoffMs: number;
}

/** What is known of the passes so far. */
export interface ScheduleFacts {
  lastStartedAt?: number;
  lastFinishedAt?: number;
  /** A pass was running when the process stopped (crash, kill, reboot). */
  interrupted: boolean;
  finalDoneAt?: number;
}

/** The next pass: when, and whether it is the final one. */
export interface NextPass {
  at: number;
  final: boolean;
  trigger: 'first' | 'schedule' | 'resume' | 'cutover';
}

/**
 * The next pass, or undefined when the final pass has run.
 * A pass cut short by a stop runs again at once; the first pass runs at once; past the cutover the
 * final pass runs at once (also when the process was down at the cutover time).
 */
export function nextPass(cfg: ScheduleConfig, facts: ScheduleFacts, now: number): NextPass | undefined {
  if (facts.finalDoneAt !== undefined) return undefined;
  const cutover = cfg.cutoverAt;
  if (cutover !== undefined && now >= cutover) return { at: now, final: true, trigger: 'cutover' };
  if (facts.interrupted) return { at: now, final: false, trigger: 'resume' };
  if (facts.lastStartedAt === undefined) return { at: now, final: false, trigger: 'first' };
  let at = facts.lastStartedAt + cfg.everyMs;
  if (facts.lastFinishedAt !== undefined && at < facts.lastFinishedAt) at = facts.lastFinishedAt;
  if (cutover !== undefined && at >= cutover) return { at: cutover, final: true, trigger: 'cutover' };
  return { at, final: false, trigger: 'schedule' };
}

/**
 * When a pass woken by new mail may start: not before `minGap` after the last pass ended, and
 * never later than the scheduled one.
 */
export function wakeAt(cfg: ScheduleConfig, facts: ScheduleFacts, scheduled: number, now: number): number {
  const earliest = (facts.lastFinishedAt ?? 0) + cfg.minGapMs;
  return Math.min(scheduled, Math.max(now, earliest));
}

/** An account's consecutive failures and when it is tried again. */
export interface Backoff {
  failures: number;
  retryAt: number;
}

/**
 * The wait after another failure of an account: the first failure is tried again on the next pass;
 * each further one doubles the number of passes skipped (1, 3, 7...), capped at `maxBackoff`. A
 * login refused at 3 a.m. is thus retried all night without hammering the server every 15 minutes.
 * The time is counted from the failed pass's start and lands half an interval into the slot of the
 * last pass skipped, so a pass that took no time at all still skips the next one.
 * @param passStartedAt when the pass the account failed in started
 */
export function backoffAfterFailure(prev: number, cfg: ScheduleConfig, passStartedAt: number): Backoff {
  const failures = prev + 1;
  const skipped = 2 ** Math.min(failures - 1, 30) - 1;
  const wait = skipped === 0 ? 0 : Math.min(cfg.maxBackoffMs, skipped * cfg.everyMs + cfg.everyMs / 2);
  return { failures, retryAt: passStartedAt + wait };
}

/**
 * The accounts a pass takes: every account for the final pass; else those not waiting after
 * failures at the pass's time.
 */
export function dueAccounts(
  accounts: readonly string[],
  backoffs: ReadonlyMap<string, Backoff>,
  at: number,
  final: boolean,
): string[] {
  if (final) return [...accounts];
  return accounts.filter((a) => (backoffs.get(a)?.retryAt ?? 0) <= at);
}

/** The earliest time one of the waiting accounts is due again, or undefined. */
export function earliestRetry(backoffs: ReadonlyMap<string, Backoff>): number | undefined {
  let min: number | undefined;
  for (const b of backoffs.values()) if (min === undefined || b.retryAt < min) min = b.retryAt;
  return min;
}
