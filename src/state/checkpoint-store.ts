/**
 * The checkpoint store: where a migration stands, in SQLite. Every method is one transaction.
 * The work key of a message is (account, source folder, source UIDVALIDITY, source UID).
 * Intent is recorded before each APPEND command ("appending", with the destination UIDNEXT seen
 * before it) and the result after it ("copied" with the APPENDUID), so that after a crash the
 * rows left "appending" can be resolved against the destination before anything else runs.
 * WAL: every committed transaction survives a kill. Intent rows are also fsynced (synchronous=FULL)
 * before the APPEND they announce, so they survive a power cut too; everything else, commit rows
 * included, is written without its own fsync and made durable by the next intent's (WAL keeps the
 * order). A power cut can thus lose the last commits: their rows are then still "appending" and are
 * resolved against the destination like after any crash, so nothing is lost or copied twice.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { MailshiftError } from '../core/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { IN_DOUBT_SQL, NOTABLE_MESSAGES_SQL, SYNCED_FOLDERS_SQL } from './summary-queries.js';
import type { MessageState } from '../core/messages.js';
import { MAX_UID, type UidRange } from '../core/uid-ranges.js';
import { byCodeUnits } from '../shared/text-order.js';

/** The page cache of a store's connection, in KiB (PRAGMA cache_size, see open). */
export const CACHE_KIB = 2000;

/** What the engine records of a message when it decides to append it. */
export interface MessageIntent {
  uid: number;
  identity: string;
  size: number;
  /** Milliseconds since the epoch, as in MessageMeta. */
  internalDate: number;
  flags: readonly string[];
}

/** A message row as stored. */
export interface MessageRow {
  account: string;
  folder: string;
  uidvalidity: number;
  uid: number;
  state: MessageState;
  identity: string;
  size: number;
  internal_date: number;
  flags: string;
  dest_folder: string | null;
  dest_uidvalidity: number | null;
  dest_uid: number | null;
  batch_id: number | null;
  reason: string | null;
  dropped_flags: string | null;
  repaired: string | null;
}

/** A message the state says is in a destination folder (checkpoint-store `destinationClaims`). */
export interface DestinationClaim {
  folder: string;
  uidvalidity: number;
  dest_uid: number | null;
  dest_uidvalidity: number | null;
  /** Only for a claim without a destination UID. */
  identity: string | null;
}

/** What verify reads of a message row (CheckpointStore.verifyRows). */
export type VerifyRow = Pick<
  MessageRow,
  | 'folder'
  | 'uidvalidity'
  | 'uid'
  | 'state'
  | 'flags'
  | 'dropped_flags'
  | 'dest_folder'
  | 'dest_uidvalidity'
  | 'dest_uid'
  | 'reason'
  | 'repaired'
>;

/** What the engine remembers of a source folder after syncing it. */
export interface FolderRow {
  account: string;
  source_path: string;
  dest_path: string;
  uidvalidity: number;
  uidnext: number;
  messages: number;
  highestmodseq: string | null;
  dest_uidvalidity: number | null;
  synced_at: number;
  /** The date window the folder was synced under (engine/date-window.ts), null when none. */
  window: string | null;
}

/** Result of one appended message, committed together with the rest of its batch. */
export type AppendResult =
  | { uid: number; ok: true; destUid?: number; droppedFlags?: string[]; repaired?: string }
  | { uid: number; ok: false; reason: string };

/** Per-account counts for `status` and the summary. */
export interface AccountCounts {
  account: string;
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  appending: number;
  bytes: number;
}

type StepHook = (step: string) => void;

/** SQLite checkpoint store of one plan's state directory. */
export class CheckpointStore {
  private readonly db: Database.Database;
  private onStep: StepHook | undefined;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /**
   * Opens (creating or migrating) the state database.
   * @throws MailshiftError STATE_VERSION when the file was written by a newer mailshift.
   */
  static open(path: string): CheckpointStore {
    const fresh = !existsSync(path);
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      throw new MailshiftError(`state database ${path} cannot be opened: ${(err as Error).message}`, {
        code: 'STATE_UNWRITABLE',
        scope: 'run',
        hint: 'check that the state directory exists and is writable, or pass another --state-dir',
        cause: err,
      });
    }
    if (fresh) chmodSync(path, 0o600);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // intents are fsynced on their own, see durable()
      db.pragma('busy_timeout = 5000');
      // SQLite's own 2 MB page cache, not the 16 MB better-sqlite3 builds it with
      // (SQLITE_DEFAULT_CACHE_SIZE=-16000): a big folder's rows fill it, and the file stays in the
      // system's page cache anyway. One INBOX of 60,000 messages: peak RSS of verify 156 -> 141 MiB
      // and of the copy 131 -> 117 MiB, both as fast as before.
      db.pragma(`cache_size = -${CACHE_KIB}`);
      migrate(db, path);
    } catch (err) {
      if (db.open) db.close();
      throw unusableState(path, err);
    }
    return new CheckpointStore(db);
  }

  /**
   * Opens the state database for reading only (`status`), also on a read-only file system. SQLite
   * cannot open a WAL database read-only without writing its `-shm` file beside it; then the file
   * is read into memory as a rollback-journal database (header bytes 18-19, the file format
   * read/write versions, set from 2 to 1; sqlite.org/fileformat2.html, section 1.3.4).
   * @returns the store, and whether it was read without a WAL file holding newer changes.
   * @throws MailshiftError STATE_CORRUPT, STATE_UNREADABLE, STATE_VERSION
   */
  static openReadOnly(path: string): { store: CheckpointStore; missedWal: boolean } {
    let db: Database.Database | undefined;
    let missedWal = false;
    try {
      try {
        db = new Database(path, { readonly: true, fileMustExist: true });
        db.pragma('user_version');
      } catch (err) {
        if (!/^SQLITE_(CANTOPEN|READONLY)/.test(String((err as { code?: unknown }).code))) throw err;
        db?.close();
        const bytes = readFileSync(path);
        if (bytes.length >= 20) bytes[18] = bytes[19] = 1;
        db = new Database(bytes, { readonly: true });
        missedWal = existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0;
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== SCHEMA_VERSION) {
        db.close();
        throw new MailshiftError(
          `state database ${path} has schema version ${version}; this mailshift reads version ${SCHEMA_VERSION}`,
          {
            code: 'STATE_VERSION',
            scope: 'run',
            hint: '"mailshift run" migrates an older state (it needs a writable state directory); a newer one needs the newer mailshift',
          },
        );
      }
      db.prepare('SELECT 1 FROM messages LIMIT 1').all();
    } catch (err) {
      if (db?.open) db.close();
      throw unusableState(path, err);
    }
    return { store: new CheckpointStore(db), missedWal };
  }

  /** The latest messages of an account that the destination refused, newest first, at most `limit`. */
  failedMessages(account: string, limit: number): MessageRow[] {
    return this.stmt(
      `SELECT * FROM messages WHERE account = ? AND state = 'failed' ORDER BY updated_at DESC, folder, uid LIMIT ?`,
    ).all(account, limit) as MessageRow[];
  }

  /** Skipped messages counted per account and reason (the date window, the size limit...). */
  skippedByReason(): { account: string; reason: string; messages: number; bytes: number }[] {
    return this.stmt(
      `SELECT account, COALESCE(reason, '') AS reason, COUNT(*) AS messages, COALESCE(SUM(size), 0) AS bytes
       FROM messages WHERE state = 'skipped' GROUP BY account, reason ORDER BY account, messages DESC`,
    ).all() as { account: string; reason: string; messages: number; bytes: number }[];
  }

  /** A prepared statement, compiled once per store (preparing costs more than running). */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /**
   * Rows worth naming in a summary: failed, skipped, with dropped flags, or repaired. Read through
   * the partial index holding only those rows (summary-queries.ts): the summary of a clean run
   * reads no message row.
   */
  notableMessages(account: string): MessageRow[] {
    return this.stmt(NOTABLE_MESSAGES_SQL).all(account) as MessageRow[];
  }

  /** Test hook: called after every committed step, may throw to simulate a crash. */
  setStepHook(hook: StepHook | undefined): void {
    this.onStep = hook;
  }

  /** Marks a step between side effects (test hook point). */
  markStep(name: string): void {
    this.onStep?.(name);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Runs a write that must survive a power cut (an intent, before the APPEND it announces) with
   * its own fsync. Every other write goes without one: losing it only makes the next run look
   * again (a commit then reads as in doubt), and WAL keeps the order, so the next intent's fsync
   * makes it durable too.
   */
  private durable<T>(write: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return write();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** Starts a run record; returns its id. */
  startRun(): number {
    const r = this.stmt('INSERT INTO runs(started_at, status) VALUES (?, ?)').run(Date.now(), 'running');
    return Number(r.lastInsertRowid);
  }

  /** Ends a run with its totals (used to learn the throughput for estimates). */
  finishRun(id: number, status: string, copied: number, bytes: number, seconds: number): void {
    this.stmt(
      'UPDATE runs SET finished_at = ?, status = ?, copied = ?, bytes = ?, seconds = ? WHERE id = ?',
    ).run(Date.now(), status, copied, bytes, seconds, id);
  }

  /** Messages per second of the last runs that copied something, or undefined. */
  learnedThroughput(): number | undefined {
    const r = this.stmt(
      'SELECT SUM(copied) AS c, SUM(seconds) AS s FROM runs WHERE copied > 100 AND seconds > 0',
    ).get() as { c: number | null; s: number | null };
    return r.c && r.s ? r.c / r.s : undefined;
  }

  /**
   * Rows of a folder (under one UIDVALIDITY) whose message the destination may not hold as it is
   * now: not done, or done into another destination folder, or into another UIDVALIDITY of it
   * (`destUidValidity` null: not known, not compared). Usually none or a few, so a pass over a big
   * folder reads these instead of every row (engine/folder-prepare.ts).
   */
  unheldRows(
    account: string,
    folder: string,
    uidvalidity: number,
    destFolder: string,
    destUidValidity: number | null,
  ): MessageRow[] {
    return this.stmt(
      `SELECT * FROM messages WHERE account = ? AND folder = ? AND uidvalidity = ? AND (state NOT IN ('copied', 'present')
         OR (dest_folder IS NOT NULL AND dest_folder <> ?)
         OR (dest_uidvalidity IS NOT NULL AND ? IS NOT NULL AND dest_uidvalidity <> ?)) ORDER BY uid`,
    ).all(account, folder, uidvalidity, destFolder, destUidValidity, destUidValidity) as MessageRow[];
  }

  /** Rows of a folder (under one UIDVALIDITY) in these UID ranges, in order. */
  rowsIn(account: string, folder: string, uidvalidity: number, ranges: readonly UidRange[]): MessageRow[] {
    const st = this.stmt(
      'SELECT * FROM messages WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid BETWEEN ? AND ? ORDER BY uid',
    );
    const rows = ranges.flatMap(
      ([from, to]) => st.all(account, folder, uidvalidity, from, to) as MessageRow[],
    );
    return sharedText(rows, ['account', 'folder', 'state', 'flags', 'dest_folder']);
  }

  /** Whether any message of a folder (under one UIDVALIDITY) is done (copied or found there). */
  hasDoneRows(account: string, folder: string, uidvalidity: number): boolean {
    return (
      this.stmt(
        "SELECT 1 FROM messages WHERE account = ? AND folder = ? AND uidvalidity = ? AND state IN ('copied', 'present') LIMIT 1",
      ).get(account, folder, uidvalidity) !== undefined
    );
  }

  /**
   * The rows of one folder under one UIDVALIDITY with only what verify compares: no identity,
   * size or date (verify has both servers' own), a third of a row's memory for a big folder; those
   * of one slice of UIDs (both ends included) for a folder verified a slice at a time.
   */
  verifyRows(
    account: string,
    folder: string,
    uidvalidity: number,
    [from, to]: UidRange = [1, MAX_UID],
  ): VerifyRow[] {
    const rows = this.stmt(
      'SELECT folder, uidvalidity, uid, state, flags, dropped_flags, dest_folder, dest_uidvalidity, dest_uid, reason, repaired ' +
        'FROM messages WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid BETWEEN ? AND ? ORDER BY uid',
    ).all(account, folder, uidvalidity, from, to) as VerifyRow[];
    return sharedText(rows, ['folder', 'state', 'flags', 'dest_folder']);
  }

  /**
   * The UIDs that cut a folder's rows (under one UIDVALIDITY) into slices of `every` rows: the
   * first UID of each slice after the first, in order. Counted by SQLite (a window function over
   * the primary key): no row is read into memory.
   */
  sliceStarts(account: string, folder: string, uidvalidity: number, every: number): number[] {
    const rows = this.stmt(
      'SELECT uid FROM (SELECT uid, ROW_NUMBER() OVER (ORDER BY uid) AS n FROM messages ' +
        'WHERE account = ? AND folder = ? AND uidvalidity = ?) WHERE n > 1 AND (n - 1) % ? = 0 ORDER BY uid',
    ).all(account, folder, uidvalidity, every) as { uid: number }[];
    return rows.map((r) => r.uid);
  }

  /** Every message row of an account. */
  accountMessages(account: string): MessageRow[] {
    return this.stmt('SELECT * FROM messages WHERE account = ?').all(account) as MessageRow[];
  }

  /**
   * The messages the state says are in a destination folder (copied or found there), with their
   * destination UID where the server gave one (UIDPLUS), and the identity only where it did not.
   * Only what claiming needs: after the cutover every pass reads this for a big INBOX.
   */
  destinationClaims(account: string, destFolder: string): DestinationClaim[] {
    return this.stmt(
      'SELECT folder, uidvalidity, dest_uid, dest_uidvalidity, CASE WHEN dest_uid IS NULL THEN identity END AS identity ' +
        "FROM messages WHERE account = ? AND dest_folder = ? AND state IN ('copied', 'present')",
    ).all(account, destFolder) as DestinationClaim[];
  }

  /** The last synced state of a source folder. */
  folder(account: string, sourcePath: string): FolderRow | undefined {
    return this.stmt('SELECT * FROM folders WHERE account = ? AND source_path = ?').get(
      account,
      sourcePath,
    ) as FolderRow | undefined;
  }

  /** Every folder row (status command). */
  folders(account?: string): FolderRow[] {
    return (
      account
        ? this.stmt('SELECT * FROM folders WHERE account = ?').all(account)
        : this.stmt('SELECT * FROM folders').all()
    ) as FolderRow[];
  }

  /** Records that the run is about to create these destination folders (before the CREATE). */
  markCreated(account: string, destPaths: readonly string[]): void {
    const insert = this.stmt('INSERT OR IGNORE INTO created_folders(account, dest_path) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const p of destPaths) insert.run(account, p);
    })();
  }

  /** Destination folders a run of this account created (or set out to create). */
  createdFolders(account: string): string[] {
    return (
      this.stmt('SELECT dest_path FROM created_folders WHERE account = ?').all(account) as {
        dest_path: string;
      }[]
    ).map((r) => r.dest_path);
  }

  /**
   * Every folder of an account synced completely at least once, with what its destination folder
   * should hold: the messages recorded there (copied or found) in the destination folder as it was
   * (same UIDVALIDITY, or any when an older mailshift did not record it). Read from the folder
   * tallies (schema.ts, 5 -> 6): a few rows per folder whatever the folder holds.
   */
  syncedFolders(account: string): {
    source: string;
    destination: string;
    uidvalidity: number;
    destUidValidity: number | null;
    destMessages: number;
  }[] {
    return this.stmt(SYNCED_FOLDERS_SQL).all(account) as ReturnType<CheckpointStore['syncedFolders']>;
  }

  /**
   * A source folder renamed on the server (same UIDVALIDITY under a new name): its rows and its
   * synced marker follow the new name, so nothing is copied twice. One transaction.
   */
  renameFolder(account: string, from: string, to: string): void {
    this.db.transaction(() => {
      this.stmt('UPDATE messages SET folder = ? WHERE account = ? AND folder = ?').run(to, account, from);
      this.stmt('UPDATE folders SET source_path = ? WHERE account = ? AND source_path = ?').run(
        to,
        account,
        from,
      );
    })();
    this.markStep('rename');
  }

  /** Records that a source folder is fully synced as of this STATUS (under this date window, if any). */
  saveFolder(row: Omit<FolderRow, 'synced_at' | 'window'> & { window?: string | null }): void {
    this.stmt(
      `INSERT INTO folders(account, source_path, dest_path, uidvalidity, uidnext, messages, highestmodseq, dest_uidvalidity, synced_at, window)
         VALUES (@account, @source_path, @dest_path, @uidvalidity, @uidnext, @messages, @highestmodseq, @dest_uidvalidity, @synced_at, @window)
         ON CONFLICT(account, source_path) DO UPDATE SET dest_path = excluded.dest_path, uidvalidity = excluded.uidvalidity,
           uidnext = excluded.uidnext, messages = excluded.messages, highestmodseq = excluded.highestmodseq,
           dest_uidvalidity = excluded.dest_uidvalidity, synced_at = excluded.synced_at, window = excluded.window`,
    ).run({ ...row, window: row.window ?? null, synced_at: Date.now() });
    this.markStep('folder');
  }

  /**
   * Records the intent to append a batch: its rows become "appending" with the batch id and the
   * destination UIDNEXT seen before the APPEND. One transaction.
   */
  recordIntent(
    key: { account: string; folder: string; uidvalidity: number },
    destFolder: string,
    destUidNextBefore: number,
    messages: MessageIntent[],
  ): number {
    const tx = this.db.transaction(() => {
      const batch = this.stmt(
        'INSERT INTO batches(account, dest_folder, dest_uidnext_before, started_at) VALUES (?, ?, ?, ?)',
      ).run(key.account, destFolder, destUidNextBefore, Date.now());
      const batchId = Number(batch.lastInsertRowid);
      const upsert = this.stmt(
        `INSERT INTO messages(account, folder, uidvalidity, uid, state, identity, size, internal_date, flags, dest_folder, batch_id, updated_at)
         VALUES (?, ?, ?, ?, 'appending', ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(account, folder, uidvalidity, uid) DO UPDATE SET state = 'appending', identity = excluded.identity,
           size = excluded.size, internal_date = excluded.internal_date, flags = excluded.flags,
           dest_folder = excluded.dest_folder, batch_id = excluded.batch_id, reason = NULL, updated_at = excluded.updated_at`,
      );
      const now = Date.now();
      for (const m of messages) {
        upsert.run(
          key.account,
          key.folder,
          key.uidvalidity,
          m.uid,
          m.identity,
          m.size,
          m.internalDate,
          JSON.stringify(m.flags),
          destFolder,
          batchId,
          now,
        );
      }
      return batchId;
    });
    const id = this.durable(tx);
    this.markStep('intent');
    return id;
  }

  /** Commits the results of an appended batch: "copied" with destination UIDs, or "failed" with reasons. */
  commitBatch(
    key: { account: string; folder: string; uidvalidity: number },
    destUidValidity: number | undefined,
    results: AppendResult[],
  ): void {
    const ok = this.stmt(
      `UPDATE messages SET state = 'copied', dest_uid = ?, dest_uidvalidity = ?, dropped_flags = ?, repaired = ?, reason = NULL, updated_at = ?
       WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ?`,
    );
    const bad = this.stmt(
      `UPDATE messages SET state = 'failed', reason = ?, updated_at = ? WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ?`,
    );
    // One fsync per batch (the intent's) is enough; see the module comment.
    this.db.transaction(() => {
      const now = Date.now();
      for (const r of results) {
        if (r.ok) {
          ok.run(
            r.destUid ?? null,
            destUidValidity ?? null,
            r.droppedFlags?.length ? JSON.stringify(r.droppedFlags) : null,
            r.repaired ?? null,
            now,
            key.account,
            key.folder,
            key.uidvalidity,
            r.uid,
          );
        } else {
          bad.run(r.reason, now, key.account, key.folder, key.uidvalidity, r.uid);
        }
      }
    })();
    this.markStep('commit');
  }

  /**
   * Records messages found already on the destination ("present"), or skipped with a reason,
   * without appending. One transaction.
   */
  recordWithoutAppend(
    key: { account: string; folder: string; uidvalidity: number },
    destFolder: string,
    rows: {
      meta: MessageIntent;
      state: 'present' | 'skipped';
      destUid?: number;
      destUidValidity?: number;
      reason?: string;
    }[],
  ): void {
    if (rows.length === 0) return;
    const upsert = this.stmt(
      `INSERT INTO messages(account, folder, uidvalidity, uid, state, identity, size, internal_date, flags, dest_folder, dest_uid, dest_uidvalidity, reason, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(account, folder, uidvalidity, uid) DO UPDATE SET state = excluded.state, identity = excluded.identity,
         size = excluded.size, internal_date = excluded.internal_date, flags = excluded.flags, dest_folder = excluded.dest_folder,
         dest_uid = excluded.dest_uid, dest_uidvalidity = excluded.dest_uidvalidity, reason = excluded.reason, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      const now = Date.now();
      for (const r of rows) {
        upsert.run(
          key.account,
          key.folder,
          key.uidvalidity,
          r.meta.uid,
          r.state,
          r.meta.identity,
          r.meta.size,
          r.meta.internalDate,
          JSON.stringify(r.meta.flags),
          destFolder,
          r.destUid ?? null,
          r.destUidValidity ?? null,
          r.reason ?? null,
          now,
        );
      }
    })();
    this.markStep('record');
  }

  /**
   * Bytes of the account's messages committed as copied since a time (ms since the epoch): what the
   * destination received, for a daily upload budget. A flag update since counts too (it touches the
   * row), which only errs on the side of sending less.
   */
  bytesAppendedSince(account: string, since: number): number {
    const row = this.stmt(
      `SELECT COALESCE(SUM(size), 0) AS bytes FROM messages WHERE account = ? AND state = 'copied' AND updated_at >= ?`,
    ).get(account, since) as { bytes: number };
    return row.bytes;
  }

  /**
   * Rows left "appending" by an interrupted run, with their batch's UIDNEXT-before. Read through the
   * partial index of those rows alone (summary-queries.ts): the check every folder gets costs
   * nothing when none is in doubt, however big the folder.
   */
  inDoubt(account: string, folder: string): (MessageRow & { dest_uidnext_before: number })[] {
    return this.stmt(IN_DOUBT_SQL).all(account, folder) as (MessageRow & { dest_uidnext_before: number })[];
  }

  /** Resolves in-doubt rows: found on the destination -> copied with that UID; not found -> forgotten. */
  resolveInDoubt(
    key: { account: string; folder: string },
    found: { uidvalidity: number; uid: number; destUid: number; destUidValidity: number }[],
    notFound: { uidvalidity: number; uid: number }[],
  ): void {
    const set = this.stmt(
      `UPDATE messages SET state = 'copied', dest_uid = ?, dest_uidvalidity = ?, updated_at = ? WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ?`,
    );
    const drop = this.stmt(
      `DELETE FROM messages WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ? AND state = 'appending'`,
    );
    this.db.transaction(() => {
      const now = Date.now();
      for (const f of found)
        set.run(f.destUid, f.destUidValidity, now, key.account, key.folder, f.uidvalidity, f.uid);
      for (const n of notFound) drop.run(key.account, key.folder, n.uidvalidity, n.uid);
    })();
    this.markStep('resolve');
  }

  /** Updates the recorded source flags of a copied message after bringing them to the destination. */
  updateFlags(
    key: { account: string; folder: string; uidvalidity: number },
    uid: number,
    flags: string[],
  ): void {
    this.stmt(
      'UPDATE messages SET flags = ?, updated_at = ? WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ?',
    ).run(JSON.stringify(flags), Date.now(), key.account, key.folder, key.uidvalidity, uid);
  }

  /** Records how an account's last run ended. */
  setAccountStatus(account: string, status: string, error?: string): void {
    this.stmt(
      `INSERT INTO accounts(id, status, error, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, error = excluded.error, updated_at = excluded.updated_at`,
    ).run(account, status, error ?? null, Date.now());
  }

  /** Per-account status rows. */
  accountStatuses(): { id: string; status: string; error: string | null; updated_at: number }[] {
    return this.stmt('SELECT * FROM accounts ORDER BY id').all() as {
      id: string;
      status: string;
      error: string | null;
      updated_at: number;
    }[];
  }

  /** Counts per account and state. */
  counts(): AccountCounts[] {
    const rows = this.stmt(
      'SELECT account, state, COUNT(*) AS n, SUM(size) AS bytes FROM messages GROUP BY account, state',
    ).all() as { account: string; state: MessageState; n: number; bytes: number }[];
    const byAccount = new Map<string, AccountCounts>();
    for (const r of rows) {
      const c = byAccount.get(r.account) ?? {
        account: r.account,
        copied: 0,
        present: 0,
        skipped: 0,
        failed: 0,
        appending: 0,
        bytes: 0,
      };
      c[r.state] += r.n;
      if (r.state === 'copied') c.bytes += r.bytes ?? 0;
      byAccount.set(r.account, c);
    }
    return [...byAccount.values()].sort((a, b) => byCodeUnits(a.account, b.account));
  }

  /** Schema version of the open database. */
  version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }
}

function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    db.close();
    throw new MailshiftError(
      `state database ${path} has schema version ${current}, this mailshift expects ${SCHEMA_VERSION} or older`,
      {
        code: 'STATE_VERSION',
        scope: 'run',
        hint: 'use the newer mailshift that wrote it, or another --state-dir',
      },
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration from schema ${v}`);
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * A state database that cannot be used (not a database, corrupted, unreadable) as an error for the
 * user, exit 5, instead of a stack trace; a MailshiftError (a newer schema) passes unchanged.
 */
function unusableState(path: string, err: unknown): MailshiftError {
  if (err instanceof MailshiftError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const damaged = /^SQLITE_(NOTADB|CORRUPT)/.test(code);
  return new MailshiftError(
    `state database ${path} ${damaged ? 'is damaged or not a mailshift state database' : 'cannot be read'}: ${(err as Error).message}`,
    {
      code: damaged ? 'STATE_CORRUPT' : 'STATE_UNREADABLE',
      scope: 'run',
      hint: damaged
        ? 'restore it from a backup, or move it aside and run again: messages already on the destination are then recognised by identity, not copied twice'
        : 'check the permissions of the state directory and its files, or pass another --state-dir',
      cause: err,
    },
  );
}

/**
 * A SQLite failure that means the state cannot be written (disk full, I/O error, read-only file),
 * as an error for the user; undefined for anything else. Intent is recorded before every APPEND,
 * so when it cannot be, nothing more is sent.
 */
export function stateWriteError(err: unknown): MailshiftError | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/.test(code)) return undefined;
  return new MailshiftError(
    `the state database could not be written (${code}: ${(err as Error).message}); nothing was sent after the last recorded step`,
    {
      code: 'STATE_WRITE',
      scope: 'run',
      hint: 'free disk space where the state directory is (or fix its permissions), then run the same command again: what was recorded is kept',
      cause: err,
    },
  );
}

/**
 * Makes the text that repeats from row to row one string for all rows (SQLite hands each row its
 * own copy): a folder's 30,000 rows are held whole by the copy and by verify.
 */
function sharedText<R extends object>(rows: R[], fields: readonly (keyof R)[]): R[] {
  const seen = new Map<string, string>();
  for (const r of rows) {
    for (const f of fields) {
      const text = r[f];
      if (typeof text !== 'string') continue;
      const known = seen.get(text);
      if (known !== undefined) (r as Record<keyof R, unknown>)[f] = known;
      else seen.set(text, text);
    }
  }
  return rows;
}
