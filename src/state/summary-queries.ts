/**
 * The state reads every run makes whatever it copies (the no-op re-run makes only these): the
 * synced folders and what each destination folder should hold, the rows left in doubt, and the
 * rows a summary names. Each reads the folder tallies or a partial index holding only the rows it
 * wants (schema.ts, 5 -> 6), never every message row: at 30,000 messages the row walks cost the
 * no-op about 75 ms (issue 20). Kept apart so that a test can prove each plan with EXPLAIN QUERY PLAN.
 */

/**
 * Every folder of an account (`?`) synced completely at least once, with the messages the state
 * records in its destination folder (copied or found there), in the destination folder as it was
 * (same UIDVALIDITY, or any when an older mailshift did not record it): a few tally rows per folder.
 */
export const SYNCED_FOLDERS_SQL = `SELECT f.source_path AS source, f.dest_path AS destination, f.uidvalidity AS uidvalidity,
       f.dest_uidvalidity AS destUidValidity,
       (SELECT COALESCE(SUM(t.messages), 0) FROM folder_tallies t WHERE t.account = f.account
          AND t.folder = f.source_path AND t.uidvalidity = f.uidvalidity AND t.state IN ('copied', 'present')
          AND t.dest_folder = f.dest_path
          AND (f.dest_uidvalidity IS NULL OR t.dest_uidvalidity = f.dest_uidvalidity)) AS destMessages
  FROM folders f WHERE f.account = ? ORDER BY f.source_path`;

/**
 * Rows of a folder (account `?`, folder `?`) left "appending", with their batch's UIDNEXT-before,
 * through the partial index of those rows alone (INDEXED BY: an error rather than a walk of the
 * folder should the index ever be missing).
 */
export const IN_DOUBT_SQL = `SELECT m.*, b.dest_uidnext_before FROM messages m INDEXED BY messages_in_doubt
  JOIN batches b ON b.id = m.batch_id
  WHERE m.account = ? AND m.folder = ? AND m.state = 'appending'`;

/**
 * Rows of an account (`?`) worth naming in a summary: failed, skipped, with dropped flags, or
 * repaired. The condition repeats the partial index's own word for word, which is how SQLite
 * knows the index holds every row it asks for (sqlite.org/partialindex.html, section 2.1).
 */
export const NOTABLE_MESSAGES_SQL = `SELECT * FROM messages INDEXED BY messages_notable
  WHERE account = ? AND (state IN ('failed', 'skipped') OR dropped_flags IS NOT NULL OR repaired IS NOT NULL)
  ORDER BY folder, uid`;
