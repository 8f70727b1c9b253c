/**
 * The schedule of `mailshift sync` in the state database, so that a restart of the process (or of
 * the machine) continues where it stood: when the next pass is due, every pass and how each account
 * ended in it, the accounts backing off after failures, the notifications already sent.
 *
 * It is a second connection to the database the {@link CheckpointStore} owns (WAL lets a reader and
 * a writer, or two writers taking turns, share it): the checkpoint store creates and migrates the
 * schema, so open that first. Every method is one transaction. The dashboard opens it read-only.
 */
import Database from 'better-sqlite3';
import { MailshiftError } from '../core/errors.js';
import { SCHEMA_VERSION } from './schema.js';

/** The schema version that added the schedule tables. */
const SCHEDULE_SCHEMA = 3;

/** The one schedule row. */
export interface ScheduleRow {
  everyMs: number;
  cutoverAt: number | undefined;
  /** When the next pass is due, and whether it is the final one; undefined before the first plan. */
  nextAt: number | undefined;
  nextFinal: boolean;
  /** When the final pass after the cutover finished. */
  finalDoneAt: number | undefined;
  updatedAt: number;
}

/** How a pass ended; `running` for one in progress or cut short by a crash. */
export type PassStatus = 'running' | 'complete' | 'incomplete' | 'interrupted' | 'failed';

/** Why a pass started. */
export type PassTrigger = 'first' | 'schedule' | 'resume' | 'wake' | 'cutover';

/** One pass. */
export interface PassRow {
  number: number;
  trigger: PassTrigger;
  final: boolean;
  startedAt: number;
  finishedAt: number | undefined;
  status: PassStatus;
  copied: number;
  bytes: number;
  failed: number;
  accountsFailed: number;
  error: string | undefined;
}

/** How one account ended in one pass. */
export interface PassAccountRow {
  pass: number;
  account: string;
  /** `done`, `incomplete` (some messages or folders failed) or `stopped` (the account failed). */
  status: 'done' | 'incomplete' | 'stopped';
  copied: number;
  bytes: number;
  failed: number;
  /** The error's code (`AUTH_FAILED`, `DEST_OVERQUOTA`...) when the account stopped. */
  code: string | undefined;
  error: string | undefined;
}

/** An account that failed in consecutive passes and waits before the next try. */
export interface BackoffRow {
  account: string;
  failures: number;
  retryAt: number;
  code: string | undefined;
  error: string | undefined;
  /** When the first of these consecutive failures happened. */
  since: number;
}

/** What a finished pass records. */
export interface PassOutcome {
  finishedAt: number;
  status: Exclude<PassStatus, 'running'>;
  copied: number;
  bytes: number;
  failed: number;
  accountsFailed: number;
  error?: string;
}

type Raw = Record<string, unknown>;
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

function passRow(r: Raw): PassRow {
  return {
    number: Number(r.number),
    trigger: String(r.trigger) as PassTrigger,
    final: r.final === 1,
    startedAt: Number(r.started_at),
    finishedAt: num(r.finished_at),
    status: String(r.status) as PassStatus,
    copied: Number(r.copied ?? 0),
    bytes: Number(r.bytes ?? 0),
    failed: Number(r.failed ?? 0),
    accountsFailed: Number(r.accounts_failed ?? 0),
    error: str(r.error),
  };
}

function passAccountRow(r: Raw): PassAccountRow {
  return {
    pass: Number(r.pass),
    account: String(r.account),
    status: String(r.status) as PassAccountRow['status'],
    copied: Number(r.copied),
    bytes: Number(r.bytes),
    failed: Number(r.failed),
    code: str(r.code),
    error: str(r.error),
  };
}

/** The schedule tables of one state database. */
export class ScheduleStore {
  private constructor(private readonly db: Database.Database) {}

  /**
   * Opens the schedule of a state database that the checkpoint store has already created.
   * @param opts.readonly for readers (the dashboard): no write is possible on this connection
   * @throws MailshiftError STATE_UNWRITABLE when the file cannot be opened, STATE_VERSION when its
   *   schema is older than the schedule (open the checkpoint store first) or newer than this mailshift
   */
  static open(path: string, opts: { readonly?: boolean } = {}): ScheduleStore {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: true });
    } catch (err) {
      throw new MailshiftError(`state database ${path} cannot be opened: ${(err as Error).message}`, {
        code: 'STATE_UNWRITABLE',
        scope: 'run',
        hint: 'check the state directory (--state-dir), and that a run has created it',
        cause: err,
      });
    }
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < SCHEDULE_SCHEMA || version > SCHEMA_VERSION) {
      db.close();
      throw new MailshiftError(
        `state database ${path} has schema version ${version}; the schedule needs ${SCHEDULE_SCHEMA} to ${SCHEMA_VERSION}`,
        {
          code: 'STATE_VERSION',
          scope: 'run',
          hint:
            version > SCHEMA_VERSION
              ? 'use the newer mailshift that wrote it, or another --state-dir'
              : '"mailshift run" on this plan brings the state up to date (it needs a writable state directory)',
        },
      );
    }
    return new ScheduleStore(db);
  }

  close(): void {
    this.db.close();
  }

  /** The schedule row, or undefined before the first `sync`. */
  schedule(): ScheduleRow | undefined {
    const r = this.db.prepare('SELECT * FROM schedule WHERE id = 1').get() as Raw | undefined;
    if (!r) return undefined;
    return {
      everyMs: Number(r.every_ms),
      cutoverAt: num(r.cutover_at),
      nextAt: num(r.next_at),
      nextFinal: r.next_final === 1,
      finalDoneAt: num(r.final_done_at),
      updatedAt: Number(r.updated_at),
    };
  }

  /**
   * Records the interval and the cutover in force. A moved cutover clears "final pass done", so a
   * cutover postponed after it passed syncs again until the new time.
   */
  saveConfig(everyMs: number, cutoverAt: number | undefined, now: number): void {
    this.db
      .prepare(
        `INSERT INTO schedule(id, every_ms, cutover_at, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET every_ms = excluded.every_ms, cutover_at = excluded.cutover_at,
           final_done_at = CASE WHEN cutover_at IS excluded.cutover_at THEN final_done_at ELSE NULL END,
           updated_at = excluded.updated_at`,
      )
      .run(everyMs, cutoverAt ?? null, now);
  }

  /** Records when the next pass is due (shown by the dashboard). */
  setNext(at: number | undefined, final: boolean, now: number): void {
    this.db
      .prepare('UPDATE schedule SET next_at = ?, next_final = ?, updated_at = ? WHERE id = 1')
      .run(at ?? null, final ? 1 : 0, now);
  }

  /** Records that the final pass after the cutover has run. */
  markFinalDone(at: number): void {
    this.db
      .prepare('UPDATE schedule SET final_done_at = ?, next_at = NULL, updated_at = ? WHERE id = 1')
      .run(at, at);
  }

  /**
   * Records the start of a pass before it touches anything.
   * @returns its number: one more than the last
   */
  startPass(p: { trigger: PassTrigger; final: boolean; startedAt: number }): number {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(number) AS n FROM passes').get() as { n: number | null };
      const number = (last.n ?? 0) + 1;
      this.db
        .prepare(
          "INSERT INTO passes(number, trigger, final, started_at, status) VALUES (?, ?, ?, ?, 'running')",
        )
        .run(number, p.trigger, p.final ? 1 : 0, p.startedAt);
      return number;
    })();
  }

  /** Records how a pass ended, and each account's part in it, in one transaction. */
  finishPass(number: number, outcome: PassOutcome, accounts: Omit<PassAccountRow, 'pass'>[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO pass_accounts(pass, account, status, copied, bytes, failed, code, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE passes SET finished_at = ?, status = ?, copied = ?, bytes = ?, failed = ?, accounts_failed = ?, error = ?
           WHERE number = ?`,
        )
        .run(
          outcome.finishedAt,
          outcome.status,
          outcome.copied,
          outcome.bytes,
          outcome.failed,
          outcome.accountsFailed,
          outcome.error ?? null,
          number,
        );
      for (const a of accounts)
        insert.run(number, a.account, a.status, a.copied, a.bytes, a.failed, a.code ?? null, a.error ?? null);
    })();
  }

  /**
   * Marks passes left `running` by a process that died as interrupted.
   * @returns how many there were (a restart runs the next pass at once when there was one)
   */
  abandonRunningPasses(now: number): number {
    return this.db
      .prepare("UPDATE passes SET status = 'interrupted', finished_at = ? WHERE status = 'running'")
      .run(now).changes;
  }

  /** The latest pass, or undefined. */
  lastPass(): PassRow | undefined {
    const r = this.db.prepare('SELECT * FROM passes ORDER BY number DESC LIMIT 1').get() as Raw | undefined;
    return r ? passRow(r) : undefined;
  }

  /** The latest passes, newest first. */
  passes(limit = 50): PassRow[] {
    return (this.db.prepare('SELECT * FROM passes ORDER BY number DESC LIMIT ?').all(limit) as Raw[]).map(
      passRow,
    );
  }

  /** Every pass an account took part in, oldest first. */
  accountPasses(account: string): PassAccountRow[] {
    return (
      this.db.prepare('SELECT * FROM pass_accounts WHERE account = ? ORDER BY pass').all(account) as Raw[]
    ).map(passAccountRow);
  }

  /** Each account's latest pass row. */
  lastAccountPasses(): PassAccountRow[] {
    return (
      this.db
        .prepare(
          `SELECT p.* FROM pass_accounts p
           JOIN (SELECT account, MAX(pass) AS pass FROM pass_accounts GROUP BY account) l
             ON l.account = p.account AND l.pass = p.pass ORDER BY p.account`,
        )
        .all() as Raw[]
    ).map(passAccountRow);
  }

  /** Accounts waiting after failures. */
  backoffs(): BackoffRow[] {
    return (this.db.prepare('SELECT * FROM account_backoff ORDER BY account').all() as Raw[]).map((r) => ({
      account: String(r.account),
      failures: Number(r.failures),
      retryAt: Number(r.retry_at),
      code: str(r.code),
      error: str(r.error),
      since: Number(r.since),
    }));
  }

  /** Records an account's consecutive failures and when to try it again. */
  setBackoff(row: BackoffRow): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO account_backoff(account, failures, retry_at, code, error, since)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(row.account, row.failures, row.retryAt, row.code ?? null, row.error ?? null, row.since);
  }

  /** Forgets an account's failures (it succeeded). */
  clearBackoff(account: string): void {
    this.db.prepare('DELETE FROM account_backoff WHERE account = ?').run(account);
  }

  /** When a notification with this de-duplication key was last sent. */
  lastSent(key: string): number | undefined {
    const r = this.db.prepare('SELECT sent_at FROM notices WHERE key = ?').get(key) as
      { sent_at: number } | undefined;
    return r?.sent_at;
  }

  /** Records that a notification with this key was sent. */
  remember(key: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO notices(key, sent_at, count) VALUES (?, ?, 1)
         ON CONFLICT(key) DO UPDATE SET sent_at = excluded.sent_at, count = count + 1`,
      )
      .run(key, at);
  }

  /** Forgets the keys starting with `prefix` (the condition they were about has ended). */
  forget(prefix: string): void {
    this.db.prepare('DELETE FROM notices WHERE substr(key, 1, length(?)) = ?').run(prefix, prefix);
  }
}
