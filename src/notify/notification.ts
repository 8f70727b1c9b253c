/**
 * What mailshift tells people while it syncs unattended, as plain data. The webhook of style
 * `json` POSTs exactly this object (schema `mailshift.notification/1`, README "Notifications");
 * Slack, Teams and email get `title` and `text` laid out for them. Times are ISO 8601 in UTC.
 *
 * A notification names accounts, counts and the servers' reasons; it never carries a password, a
 * token or a webhook URL (the notifier scrubs every string before sending, scrub.ts).
 */

/** The schema name and version every JSON notification carries; a receiver checks it. */
export const NOTIFICATION_SCHEMA = 'mailshift.notification/1';

/**
 * - `pass-done`: a pass (first, scheduled, woken by new mail, or final) finished;
 * - `account-stopped`: an account could not go on in a pass (login refused, token expired, quota
 *   full, connection kept failing); it is tried again on later passes;
 * - `cutover-done`: the final pass after the cutover time finished; the sync has stopped;
 * - `sync-stopped`: the sync itself stopped before the cutover (state unwritable, disk full).
 */
export type NoticeKind = 'pass-done' | 'account-stopped' | 'cutover-done' | 'sync-stopped';

/** How urgent: `error` wants someone to act. */
export type NoticeSeverity = 'info' | 'warning' | 'error';

/** Facts of one pass. */
export interface PassFacts {
  number: number;
  final: boolean;
  /** Why it ran: first, schedule, resume (after a restart), wake (new mail), cutover. */
  trigger: string;
  startedAt: string;
  seconds: number;
  copied: number;
  bytes: number;
  present: number;
  skipped: number;
  failed: number;
  accounts: number;
  accountsStopped: number;
  /** Every account finished with nothing failed. */
  complete: boolean;
  /** When the next pass is due (absent after the final pass). */
  nextPassAt?: string;
}

/** Facts of one account that stopped. */
export interface AccountFacts {
  account: string;
  /** The error's code: AUTH_FAILED, DEST_OVERQUOTA, CONN_LOST, ... */
  code?: string;
  error: string;
  /** What to do about it. */
  hint?: string;
  /** Consecutive passes it has failed in, and since when. */
  failures: number;
  since: string;
  /** When it will be tried again. */
  retryAt?: string;
}

/** One notification (JSON webhook body, schema `mailshift.notification/1`). */
export interface Notification {
  schema: typeof NOTIFICATION_SCHEMA;
  kind: NoticeKind;
  severity: NoticeSeverity;
  /** The plan's name. */
  plan: string;
  time: string;
  /** One line: a chat message's first line, an email's subject. */
  title: string;
  /** A few lines for people, plain text. */
  text: string;
  pass?: PassFacts;
  account?: AccountFacts;
}

/**
 * A notification to send, with how its repeats are held back: one with a `dedupeKey` already sent
 * less than `repeatAfter` ago is not sent again (the same account failing the same way every pass).
 */
export interface Notice {
  notification: Notification;
  dedupeKey?: string;
}
