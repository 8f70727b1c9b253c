/**
 * SQLite schema of the state database, as forward-only migrations: MIGRATIONS[v] takes a
 * database at `user_version` v to v + 1. Never edit a shipped step; add one.
 */

/** Version this mailshift writes. */
export const SCHEMA_VERSION = 6;

export const MIGRATIONS: string[] = [
  // 0 -> 1: the first layout.
  `CREATE TABLE runs(
     id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER, status TEXT NOT NULL,
     copied INTEGER, bytes INTEGER, seconds REAL);
   CREATE TABLE accounts(id TEXT PRIMARY KEY, status TEXT NOT NULL, error TEXT, updated_at INTEGER NOT NULL);
   CREATE TABLE folders(
     account TEXT NOT NULL, source_path TEXT NOT NULL, dest_path TEXT NOT NULL, uidvalidity INTEGER NOT NULL,
     uidnext INTEGER NOT NULL, messages INTEGER NOT NULL, highestmodseq TEXT, dest_uidvalidity INTEGER,
     synced_at INTEGER NOT NULL, PRIMARY KEY(account, source_path));
   CREATE TABLE batches(
     id INTEGER PRIMARY KEY, account TEXT NOT NULL, dest_folder TEXT NOT NULL,
     dest_uidnext_before INTEGER NOT NULL, started_at INTEGER NOT NULL);
   CREATE TABLE messages(
     account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,
     state TEXT NOT NULL CHECK(state IN ('appending','copied','present','skipped','failed')),
     identity TEXT NOT NULL, size INTEGER NOT NULL, internal_date INTEGER NOT NULL, flags TEXT NOT NULL,
     dest_folder TEXT, dest_uidvalidity INTEGER, dest_uid INTEGER, batch_id INTEGER, reason TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY(account, folder, uidvalidity, uid));`,
  // 1 -> 2: flags the destination refused and repairs made, per message; lookup by destination.
  `ALTER TABLE messages ADD COLUMN dropped_flags TEXT;
   ALTER TABLE messages ADD COLUMN repaired TEXT;
   CREATE INDEX messages_dest ON messages(account, dest_folder, dest_uid);`,
  // 2 -> 3: the schedule of `sync` (passes until the cutover), each pass and how each account ended
  // in it, accounts backing off after failures, and the notifications already sent (schedule-store.ts).
  `CREATE TABLE schedule(
     id INTEGER PRIMARY KEY CHECK(id = 1), every_ms INTEGER NOT NULL, cutover_at INTEGER, next_at INTEGER,
     next_final INTEGER NOT NULL DEFAULT 0, final_done_at INTEGER, updated_at INTEGER NOT NULL);
   CREATE TABLE passes(
     number INTEGER PRIMARY KEY, trigger TEXT NOT NULL, final INTEGER NOT NULL, started_at INTEGER NOT NULL,
     finished_at INTEGER, status TEXT NOT NULL, copied INTEGER, bytes INTEGER, failed INTEGER,
     accounts_failed INTEGER, error TEXT);
   CREATE TABLE pass_accounts(
     pass INTEGER NOT NULL, account TEXT NOT NULL, status TEXT NOT NULL, copied INTEGER NOT NULL,
     bytes INTEGER NOT NULL, failed INTEGER NOT NULL, code TEXT, error TEXT, PRIMARY KEY(pass, account));
   CREATE TABLE account_backoff(
     account TEXT PRIMARY KEY, failures INTEGER NOT NULL, retry_at INTEGER NOT NULL, code TEXT, error TEXT,
     since INTEGER NOT NULL);
   CREATE TABLE notices(key TEXT PRIMARY KEY, sent_at INTEGER NOT NULL, count INTEGER NOT NULL);`,
  // 3 -> 4: destination folders a run set out to create (written before CREATE): the next run
  // knows its own folders after a crash, and gives each the subscription of its source folder.
  `CREATE TABLE created_folders(account TEXT NOT NULL, dest_path TEXT NOT NULL, PRIMARY KEY(account, dest_path));`,
  // 4 -> 5: the date window (the plan's words) a folder was last synced under: a folder whose
  // STATUS is unchanged is looked at again when the window changed (engine/date-window.ts).
  `ALTER TABLE folders ADD COLUMN window TEXT;`,
  // 5 -> 6: what the no-op re-run reads no longer grows with the mailbox (issue 20). Per folder,
  // state and destination, how many message rows there are, kept by triggers in the same
  // transaction as the row (so always exact, also after a crash) and filled once from the rows;
  // a missing destination is '' and 0 (a UIDVALIDITY is never 0, RFC 3501 section 2.3.1.1) so
  // that the key has no NULL. Rows in doubt and rows a summary names are found by partial indexes
  // holding only them.
  `CREATE TABLE folder_tallies(
     account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, state TEXT NOT NULL,
     dest_folder TEXT NOT NULL, dest_uidvalidity INTEGER NOT NULL, messages INTEGER NOT NULL,
     PRIMARY KEY(account, folder, uidvalidity, state, dest_folder, dest_uidvalidity)) WITHOUT ROWID;
   INSERT INTO folder_tallies
     SELECT account, folder, uidvalidity, state, COALESCE(dest_folder, ''), COALESCE(dest_uidvalidity, 0), COUNT(*)
     FROM messages GROUP BY 1, 2, 3, 4, 5, 6;
   CREATE TRIGGER messages_tally_insert AFTER INSERT ON messages BEGIN
     INSERT INTO folder_tallies VALUES(NEW.account, NEW.folder, NEW.uidvalidity, NEW.state,
       COALESCE(NEW.dest_folder, ''), COALESCE(NEW.dest_uidvalidity, 0), 1)
       ON CONFLICT DO UPDATE SET messages = messages + 1;
   END;
   CREATE TRIGGER messages_tally_delete AFTER DELETE ON messages BEGIN
     UPDATE folder_tallies SET messages = messages - 1 WHERE account = OLD.account AND folder = OLD.folder
       AND uidvalidity = OLD.uidvalidity AND state = OLD.state AND dest_folder = COALESCE(OLD.dest_folder, '')
       AND dest_uidvalidity = COALESCE(OLD.dest_uidvalidity, 0);
   END;
   CREATE TRIGGER messages_tally_update
     AFTER UPDATE OF account, folder, uidvalidity, state, dest_folder, dest_uidvalidity ON messages
     WHEN OLD.account IS NOT NEW.account OR OLD.folder IS NOT NEW.folder OR OLD.uidvalidity IS NOT NEW.uidvalidity
       OR OLD.state IS NOT NEW.state OR OLD.dest_folder IS NOT NEW.dest_folder
       OR OLD.dest_uidvalidity IS NOT NEW.dest_uidvalidity
   BEGIN
     UPDATE folder_tallies SET messages = messages - 1 WHERE account = OLD.account AND folder = OLD.folder
       AND uidvalidity = OLD.uidvalidity AND state = OLD.state AND dest_folder = COALESCE(OLD.dest_folder, '')
       AND dest_uidvalidity = COALESCE(OLD.dest_uidvalidity, 0);
     INSERT INTO folder_tallies VALUES(NEW.account, NEW.folder, NEW.uidvalidity, NEW.state,
       COALESCE(NEW.dest_folder, ''), COALESCE(NEW.dest_uidvalidity, 0), 1)
       ON CONFLICT DO UPDATE SET messages = messages + 1;
   END;
   CREATE INDEX messages_in_doubt ON messages(account, folder) WHERE state = 'appending';
   CREATE INDEX messages_notable ON messages(account, folder, uid)
     WHERE state IN ('failed', 'skipped') OR dropped_flags IS NOT NULL OR repaired IS NOT NULL;`,
];
