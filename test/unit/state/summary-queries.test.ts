/**
 * The reads every run makes (summary-queries.ts) go through the folder tallies and partial indexes,
 * never a walk of the message rows, and the tallies the triggers keep agree with the rows after
 * every kind of write, also for a state migrated from version 5.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'node:test';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { MIGRATIONS } from '../../../src/state/schema.js';
import {
  IN_DOUBT_SQL,
  NOTABLE_MESSAGES_SQL,
  SYNCED_FOLDERS_SQL,
} from '../../../src/state/summary-queries.js';

const statePath = () => join(mkdtempSync(join(tmpdir(), 'mailshift-summary-')), 'state.sqlite');
const meta = (uid: number) => ({
  uid,
  identity: `mid:<${uid}>:10`,
  size: 10,
  internalDate: 0,
  flags: ['\\Seen'],
});
const inbox = { account: 'a@x', folder: 'INBOX', uidvalidity: 7 };

/** What SQLite would do for `sql`: one line per step of its plan. */
function plan(path: string, sql: string, ...args: unknown[]): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map(
      (r) => r.detail,
    );
  } finally {
    db.close();
  }
}

/** The destination messages per synced folder, counted from the message rows themselves. */
function countedFromRows(path: string, account: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT f.source_path AS source, (SELECT COUNT(*) FROM messages m NOT INDEXED WHERE m.account = f.account
           AND m.folder = f.source_path AND m.uidvalidity = f.uidvalidity AND m.state IN ('copied', 'present')
           AND m.dest_folder = f.dest_path
           AND (f.dest_uidvalidity IS NULL OR m.dest_uidvalidity = f.dest_uidvalidity)) AS n
         FROM folders f WHERE f.account = ?`,
      )
      .all(account) as { source: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.source, r.n]));
  } finally {
    db.close();
  }
}

/** The tallies as stored, and as the rows say they should be (zero tallies left out). */
function tallies(path: string): { stored: unknown[]; fromRows: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    const order = 'ORDER BY account, folder, uidvalidity, state, dest_folder, dest_uidvalidity';
    return {
      stored: db.prepare(`SELECT * FROM folder_tallies WHERE messages <> 0 ${order}`).all(),
      fromRows: db
        .prepare(
          `SELECT account, folder, uidvalidity, state, COALESCE(dest_folder, '') AS dest_folder,
                  COALESCE(dest_uidvalidity, 0) AS dest_uidvalidity, COUNT(*) AS messages
           FROM messages GROUP BY 1, 2, 3, 4, 5, 6 ${order}`,
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

/** Every kind of write the engine makes to message rows, on two folders. */
function exercise(s: CheckpointStore): void {
  s.recordIntent(inbox, 'INBOX', 1, [meta(1), meta(2), meta(3), meta(4)]);
  s.commitBatch(inbox, 9, [
    { uid: 1, ok: true, destUid: 1 },
    { uid: 2, ok: true, destUid: 2, droppedFlags: ['$Custom'] },
    { uid: 3, ok: false, reason: 'NO too big' },
  ]);
  // uid 4 left in doubt, then resolved as not found (its row is deleted)
  s.resolveInDoubt({ account: 'a@x', folder: 'INBOX' }, [], [{ uidvalidity: 7, uid: 4 }]);
  s.recordWithoutAppend(inbox, 'INBOX', [
    { meta: meta(5), state: 'present', destUid: 5, destUidValidity: 9 },
    { meta: meta(6), state: 'skipped', reason: 'larger than the limit' },
  ]);
  // a failed row tried again: upsert over an existing row
  s.recordIntent(inbox, 'INBOX', 6, [meta(3)]);
  s.commitBatch(inbox, 9, [{ uid: 3, ok: true, destUid: 6 }]);
  s.updateFlags(inbox, 1, ['\\Seen', '\\Flagged']);
  s.saveFolder({
    ...inbox,
    source_path: 'INBOX',
    dest_path: 'INBOX',
    uidnext: 7,
    messages: 6,
    highestmodseq: null,
    dest_uidvalidity: 9,
  });
  const sent = { account: 'a@x', folder: 'Sent', uidvalidity: 3 };
  s.recordIntent(sent, 'Sent Items', 1, [meta(1), meta(2)]);
  s.commitBatch(sent, 4, [
    { uid: 1, ok: true, destUid: 1 },
    { uid: 2, ok: true, destUid: 2, repaired: 'folded a line over 998 bytes' },
  ]);
  s.saveFolder({
    ...sent,
    source_path: 'Sent',
    dest_path: 'Sent Items',
    uidnext: 3,
    messages: 2,
    highestmodseq: null,
    dest_uidvalidity: 4,
  });
  s.renameFolder('a@x', 'Sent', 'Sent Messages');
  s.recordIntent({ ...sent, folder: 'Sent Messages' }, 'Sent Items', 3, [meta(3)]);
}

describe('summary queries', () => {
  it('read the tallies and partial indexes, never walking the message rows', () => {
    const path = statePath();
    const s = CheckpointStore.open(path);
    exercise(s);
    s.close();
    const synced = plan(path, SYNCED_FOLDERS_SQL, 'a@x');
    assert.ok(
      synced.some((d) => /folder_tallies|USING PRIMARY KEY/.test(d)),
      synced.join(' | '),
    );
    assert.ok(!synced.some((d) => /\bmessages\b|sqlite_autoindex_messages/.test(d)), synced.join(' | '));
    const inDoubt = plan(path, IN_DOUBT_SQL, 'a@x', 'INBOX');
    assert.ok(
      inDoubt.some((d) => /SEARCH m USING INDEX messages_in_doubt/.test(d)),
      inDoubt.join(' | '),
    );
    const notable = plan(path, NOTABLE_MESSAGES_SQL, 'a@x');
    assert.ok(
      notable.some((d) => /USING INDEX messages_notable/.test(d)),
      notable.join(' | '),
    );
    // The index's order is the summary's: no sorting of what was read.
    assert.ok(!notable.some((d) => /^SCAN|TEMP B-TREE/.test(d)), notable.join(' | '));
  });

  it('keep tallies equal to the rows after every kind of write', () => {
    const path = statePath();
    const s = CheckpointStore.open(path);
    exercise(s);
    const synced = Object.fromEntries(s.syncedFolders('a@x').map((f) => [f.source, f.destMessages]));
    assert.deepEqual(synced, countedFromRows(path, 'a@x'));
    assert.deepEqual(synced, { INBOX: 4, 'Sent Messages': 2 });
    assert.deepEqual(
      s.inDoubt('a@x', 'Sent Messages').map((r) => r.uid),
      [3],
    );
    assert.deepEqual(
      s.notableMessages('a@x').map((r) => `${r.folder} ${r.uid} ${r.state}`),
      ['INBOX 2 copied', 'INBOX 6 skipped', 'Sent Messages 2 copied'],
    );
    s.close();
    const t = tallies(path);
    assert.deepEqual(t.stored, t.fromRows);
  });

  it('fill the tallies from the rows of a version 5 state', () => {
    const path = statePath();
    const db = new Database(path);
    for (const [v, step] of MIGRATIONS.slice(0, 5).entries()) {
      db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    }
    const insert = db.prepare(
      `INSERT INTO messages(account, folder, uidvalidity, uid, state, identity, size, internal_date, flags,
         dest_folder, dest_uidvalidity, dest_uid, updated_at) VALUES ('a@x', 'INBOX', 7, ?, ?, 'i', 1, 0, '[]', 'INBOX', ?, ?, 0)`,
    );
    for (let uid = 1; uid <= 50; uid++) insert.run(uid, uid % 10 === 0 ? 'failed' : 'copied', 9, uid);
    insert.run(51, 'copied', 8, 51); // copied into the destination folder as it was before it was recreated
    db.exec(
      `INSERT INTO folders(account, source_path, dest_path, uidvalidity, uidnext, messages, dest_uidvalidity, synced_at)
       VALUES ('a@x', 'INBOX', 'INBOX', 7, 52, 51, 9, 0)`,
    );
    db.close();
    const s = CheckpointStore.open(path);
    assert.deepEqual(
      s.syncedFolders('a@x').map((f) => f.destMessages),
      [45],
    );
    s.close();
    const t = tallies(path);
    assert.deepEqual(t.stored, t.fromRows);
  });
});
