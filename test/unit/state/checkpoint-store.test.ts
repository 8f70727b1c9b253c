/**
 * The checkpoint store: intent and commit, in-doubt resolution, counts, schema versions.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { MAX_UID } from '../../../src/core/uid-ranges.js';
import { CACHE_KIB, CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/state/schema.js';
import { acquireLock, stateDirFor, prepareStateDir } from '../../../src/state/state-dir.js';

const dir = () => mkdtempSync(join(tmpdir(), 'mailshift-state-'));
const key = { account: 'a@x', folder: 'INBOX', uidvalidity: 7 };
const meta = (uid: number) => ({
  uid,
  identity: `mid:<${uid}>:10`,
  size: 10,
  internalDate: 0,
  flags: ['\\Seen'],
});

describe('CheckpointStore', () => {
  it('reads the rows a pass needs: those the destination may not hold, and those of some UIDs', () => {
    const s = CheckpointStore.open(join(dir(), 'state.sqlite'));
    assert.equal(s.hasDoneRows('a@x', 'INBOX', 7), false);
    s.recordIntent(key, 'INBOX', 40, [meta(1), meta(2), meta(3), meta(4), meta(5)]);
    s.commitBatch(key, 99, [
      { uid: 1, ok: true, destUid: 40 },
      { uid: 2, ok: false, reason: 'NO too big' },
      { uid: 3, ok: true, destUid: 41 },
    ]);
    s.recordWithoutAppend(key, 'Archiwum', [
      { meta: meta(4), state: 'present', destUid: 7, destUidValidity: 99 },
    ]);
    // 5 is left appending (in doubt); 4 went into another folder; 1 and 3 are in INBOX under 99.
    assert.equal(s.hasDoneRows('a@x', 'INBOX', 7), true);
    assert.equal(s.hasDoneRows('a@x', 'INBOX', 8), false);
    const unheld = (destValidity: number | null) =>
      s.unheldRows('a@x', 'INBOX', 7, 'INBOX', destValidity).map((r) => r.uid);
    assert.deepEqual(unheld(99), [2, 4, 5]);
    assert.deepEqual(unheld(null), [2, 4, 5], 'a destination UIDVALIDITY not known is not compared');
    assert.deepEqual(unheld(100), [1, 2, 3, 4, 5], 'the destination folder was recreated: nothing is held');
    assert.deepEqual(
      s
        .rowsIn('a@x', 'INBOX', 7, [
          [2, 3],
          [5, MAX_UID],
        ])
        .map((r) => [r.uid, r.state]),
      [
        [2, 'failed'],
        [3, 'copied'],
        [5, 'appending'],
      ],
    );
    s.close();
  });

  it('records intent, then commits copied and failed rows', () => {
    const s = CheckpointStore.open(join(dir(), 'state.sqlite'));
    s.recordIntent(key, 'INBOX', 40, [meta(1), meta(2)]);
    assert.equal(s.inDoubt('a@x', 'INBOX').length, 2);
    assert.equal(s.inDoubt('a@x', 'INBOX')[0]?.dest_uidnext_before, 40);
    s.commitBatch(key, 99, [
      { uid: 1, ok: true, destUid: 40 },
      { uid: 2, ok: false, reason: 'NO too big' },
    ]);
    const rows = s.rowsIn('a@x', 'INBOX', 7, [[1, MAX_UID]]);
    assert.deepEqual(
      rows.map((r) => [r.uid, r.state, r.dest_uid, r.reason]),
      [
        [1, 'copied', 40, null],
        [2, 'failed', null, 'NO too big'],
      ],
    );
    assert.deepEqual(s.counts()[0], {
      account: 'a@x',
      copied: 1,
      present: 0,
      skipped: 0,
      failed: 1,
      appending: 0,
      bytes: 10,
    });
    s.close();
  });

  it('lists counts per account in the order of the account statuses, whatever their case', () => {
    const s = CheckpointStore.open(join(dir(), 'state.sqlite'));
    for (const account of ['zofia@x', 'Zofia@x', 'adam@x', 'Adam@x']) {
      s.setAccountStatus(account, 'complete');
      s.recordIntent({ ...key, account }, 'INBOX', 40, [meta(1)]);
    }
    const order = ['Adam@x', 'Zofia@x', 'adam@x', 'zofia@x'];
    assert.deepEqual(
      s.accountStatuses().map((a) => a.id),
      order,
    );
    assert.deepEqual(
      s.counts().map((c) => c.account),
      order,
    );
    s.close();
  });

  it("gives verify one UIDVALIDITY's rows in UID order, without identity, size or date", () => {
    const s = CheckpointStore.open(join(dir(), 'state.sqlite'));
    s.recordIntent(key, 'INBOX', 40, [meta(3), meta(1)]);
    s.commitBatch(key, 99, [
      { uid: 3, ok: true, destUid: 41 },
      { uid: 1, ok: true, destUid: 40 },
    ]);
    const older = { ...key, uidvalidity: 6 };
    s.recordIntent(older, 'INBOX', 1, [meta(2)]);
    s.commitBatch(older, 98, [{ uid: 2, ok: true, destUid: 1 }]);
    const rows = s.verifyRows('a@x', 'INBOX', 7);
    assert.deepEqual(
      rows.map((r) => [r.uid, r.uidvalidity, r.state, r.dest_uid, r.dest_folder]),
      [
        [1, 7, 'copied', 40, 'INBOX'],
        [3, 7, 'copied', 41, 'INBOX'],
      ],
    );
    assert.ok(!('identity' in rows[0]!) && !('size' in rows[0]!) && !('internal_date' in rows[0]!));
    assert.equal(s.verifyRows('a@x', 'INBOX', 5).length, 0);
    s.close();
  });

  it('resolves in-doubt rows: found ones become copied, the rest are forgotten', () => {
    const s = CheckpointStore.open(join(dir(), 'state.sqlite'));
    s.recordIntent(key, 'INBOX', 1, [meta(1), meta(2)]);
    s.resolveInDoubt(
      key,
      [{ uidvalidity: 7, uid: 1, destUid: 5, destUidValidity: 9 }],
      [{ uidvalidity: 7, uid: 2 }],
    );
    assert.deepEqual(
      s.rowsIn('a@x', 'INBOX', 7, [[1, MAX_UID]]).map((r) => [r.uid, r.state, r.dest_uid]),
      [[1, 'copied', 5]],
    );
    s.close();
  });

  it('calls the step hook after each committed transaction, and a throwing hook leaves the commit in place', () => {
    const path = join(dir(), 'state.sqlite');
    const s = CheckpointStore.open(path);
    const steps: string[] = [];
    s.setStepHook((name) => {
      steps.push(name);
      if (name === 'intent') throw new Error('crash');
    });
    assert.throws(() => s.recordIntent(key, 'INBOX', 1, [meta(1)]), /crash/);
    s.close();
    const again = CheckpointStore.open(path);
    assert.deepEqual(steps, ['intent']);
    assert.equal(again.inDoubt('a@x', 'INBOX').length, 1, 'the intent was durable before the crash');
    again.close();
  });

  it("keeps SQLite's own 2 MB page cache, not better-sqlite3's 16 MB", () => {
    // A big folder's rows filled the larger cache: 15 MiB more peak RSS for verify of 60,000 messages.
    const s = CheckpointStore.open(join(dir(), 'state.sqlite'));
    const db = (s as unknown as { db: Database.Database }).db;
    assert.equal(db.pragma('cache_size', { simple: true }), -CACHE_KIB);
    assert.equal(CACHE_KIB, 2000);
    s.close();
  });

  it('creates the database readable by the owner only', () => {
    const path = join(dir(), 'state.sqlite');
    CheckpointStore.open(path).close();
    assert.equal(statSync(path).mode & 0o077, 0);
  });

  it('migrates a version 1 database and refuses a newer one', () => {
    const old = join(dir(), 'old.sqlite');
    const db = new Database(old);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.close();
    const s = CheckpointStore.open(old);
    assert.equal(s.version(), SCHEMA_VERSION);
    s.close();
    const future = join(dir(), 'new.sqlite');
    const f = new Database(future);
    f.pragma('user_version = 99');
    f.close();
    assert.throws(
      () => CheckpointStore.open(future),
      (err: unknown) =>
        err instanceof MailshiftError && err.code === 'STATE_VERSION' && /99/.test(err.message),
    );
  });
});

describe('run lock', () => {
  it('refuses a second run while another live process holds the lock, and takes over a dead one', async () => {
    const s = stateDirFor('p', dir());
    prepareStateDir(s);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(s.lock, String(other.pid));
      assert.throws(
        () => acquireLock(s),
        (err: unknown) =>
          err instanceof MailshiftError &&
          err.code === 'STATE_LOCKED' &&
          err.message.includes(String(other.pid)),
      );
    } finally {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
    const release = acquireLock(s); // its holder is gone: the lock is stale
    assert.equal(readFileSync(s.lock, 'utf8').split(' ')[0], String(process.pid));
    release();
  });
});
