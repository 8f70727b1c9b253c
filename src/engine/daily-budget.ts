/**
 * An account's daily upload budget on the destination (`limits.maxBytesPerDay`; the Google preset
 * sets Gmail's documented 500 MB: "Upload via IMAP 500 MB per day",
 * https://support.google.com/a/answer/1071518). What was appended in the last 24 hours is read from
 * the state, so a run started again the same day counts what earlier runs sent. Once a batch would
 * go over, the account stops cleanly (its batches so far are committed) and says when to run again;
 * the next run after that continues where it stopped. Gmail's own signal that the limit is reached,
 * `* BYE Session expired, please login again` (imapsync's FAQ.Gmail), stops the account the same way.
 */
import { MailshiftError, StoreError } from '../core/errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the budget reads: bytes appended for the account since a time, and the clock. */
export interface DailyBudgetSource {
  appendedSince(since: number): number;
  now?: () => number;
}

/** One account's bytes per rolling day. */
export class DailyBudget {
  private spent: number;
  private readonly now: () => number;

  constructor(
    private readonly account: string,
    private readonly limit: number,
    source: DailyBudgetSource,
  ) {
    this.now = source.now ?? Date.now;
    this.spent = source.appendedSince(this.now() - DAY_MS);
  }

  /**
   * Counts a batch about to be appended.
   * @throws MailshiftError DAILY_LIMIT (account scope) when it would pass the budget; the first batch
   *   of a day always goes, so a message larger than the budget is not held back forever.
   */
  take(bytes: number): void {
    if (this.spent > 0 && this.spent + bytes > this.limit) throw this.stop();
    this.spent += bytes;
  }

  /** The error that stops the account for the day. */
  stop(cause?: unknown): MailshiftError {
    const again = new Date(this.now() + DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z');
    return new MailshiftError(
      `${this.account}: the destination's daily upload limit is reached (${mb(this.spent)} of ${mb(this.limit)} appended in the last 24 hours); the rest waits`,
      {
        code: 'DAILY_LIMIT',
        scope: 'account',
        hint: `run again after ${again} (the limit counts the last 24 hours; mailshift sync retries by itself); nothing is copied twice`,
        cause,
      },
    );
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}

/**
 * Whether a failure is Gmail's signal that the daily upload limit is reached: the connection closed
 * with `BYE Session expired, please login again` after sustained uploads (imapsync's FAQ.Gmail;
 * fixtures/providers/gmail-facts.json, limit-reached).
 */
export function isUploadLimitBye(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof StoreError && e.responseCode === 'BYE' && /Session expired/i.test(e.serverText ?? ''))
      return true;
  }
  return false;
}
