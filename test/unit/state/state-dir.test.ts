/**
 * The state directory is checked, not trusted: modes tightened, the log never written through a
 * symbolic link, a damaged database refused with exit 5 and a hint, `status` able to read on a
 * read-only file system, and a lock whose pid now belongs to another program taken over.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exitCodeFor, MailshiftError } from '../../../src/core/errors.js';
import { createFileLogger } from '../../../src/shared/logger.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { acquireLock, lockHolder, prepareStateDir, stateDirFor } from '../../../src/state/state-dir.js';

const fresh = () => stateDirFor('p', mkdtempSync(join(tmpdir(), 'mailshift-statedir-')));
const mode = (p: string) => statSync(p).mode & 0o777;

function thrown(fn: () => unknown): MailshiftError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MailshiftError, String(err));
    return err;
  }
  assert.fail('no error');
}

describe('state directory checks', () => {
  it('tightens the modes of an existing directory and its files', () => {
    const s = fresh();
    mkdirSync(s.dir, { recursive: true, mode: 0o755 });
    chmodSync(s.dir, 0o755);
    for (const f of [s.db, s.log]) writeFileSync(f, '', { mode: 0o644 });
    chmodSync(s.log, 0o666);
    prepareStateDir(s);
    assert.equal(mode(s.dir), 0o700);
    assert.equal(mode(s.reports), 0o700);
    assert.equal(mode(s.db), 0o600);
    assert.equal(mode(s.log), 0o600);
  });

  it('does not write the log through a symbolic link', () => {
    const s = fresh();
    prepareStateDir(s);
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'mailshift-elsewhere-')), 'elsewhere.txt');
    writeFileSync(elsewhere, 'untouched');
    symlinkSync(elsewhere, s.log);
    const err = thrown(() => createFileLogger(s.log));
    assert.equal(err.code, 'STATE_UNSAFE_LOG');
    assert.match(err.message, /run\.log is a symbolic link/);
    assert.equal(exitCodeFor(err), 5);
    assert.equal(readFileSync(elsewhere, 'utf8'), 'untouched');
    assert.equal(mode(elsewhere) & 0o077, 0o044, 'the target keeps its mode');
  });

  it('refuses a damaged state database with exit 5 and a hint, for run and for status', () => {
    const s = fresh();
    prepareStateDir(s);
    writeFileSync(s.db, Buffer.alloc(8192, 'garbage '));
    for (const open of [() => CheckpointStore.open(s.db), () => CheckpointStore.openReadOnly(s.db)]) {
      const err = thrown(open);
      assert.equal(err.code, 'STATE_CORRUPT');
      assert.equal(exitCodeFor(err), 5);
      assert.match(err.message, /state\.sqlite is damaged or not a mailshift state database/);
      assert.match(err.hint ?? '', /move it aside and run again/);
    }
    // A database cut short (a copy interrupted) is refused the same way, not read as empty.
    const t = fresh();
    prepareStateDir(t);
    CheckpointStore.open(t.db).close();
    writeFileSync(t.db, readFileSync(t.db).subarray(0, 5000));
    assert.match(thrown(() => CheckpointStore.open(t.db)).code, /^STATE_(CORRUPT|UNREADABLE)$/);
  });

  it('reads the state on a read-only file system for status', async (t) => {
    const s = fresh();
    prepareStateDir(s);
    const store = CheckpointStore.open(s.db);
    store.recordIntent({ account: 'a@x', folder: 'INBOX', uidvalidity: 7 }, 'INBOX', 1, [
      { uid: 1, identity: 'i', size: 10, internalDate: 0, flags: [] },
    ]);
    store.close();
    const ro = mkdtempSync(join(tmpdir(), 'mailshift-ro-'));
    if (spawnSync('mount', ['--bind', '-o', 'ro', s.dir, ro]).status !== 0) {
      t.skip('a read-only bind mount needs root with mount rights');
      return;
    }
    try {
      assert.throws(() => writeFileSync(join(ro, 'x'), ''), /EROFS/);
      assert.throws(() => CheckpointStore.open(join(ro, 'state.sqlite')), MailshiftError);
      const { store: r } = CheckpointStore.openReadOnly(join(ro, 'state.sqlite'));
      assert.equal(r.accountMessages('a@x').length, 1);
      r.close();
    } finally {
      spawnSync('umount', [ro]);
    }
  });

  it('takes over a lock whose pid now belongs to another program, not one held by its process', async () => {
    const s = fresh();
    prepareStateDir(s);
    const other = spawn('sleep', ['30']);
    await once(other, 'spawn');
    try {
      const pid = other.pid!;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
      // The lock of a mailshift that started at another time, whose pid `sleep` has now.
      writeFileSync(s.lock, `${pid} ${Number(start) + 12345}`);
      assert.equal(lockHolder(s), undefined);
      const release = acquireLock(s);
      assert.match(readFileSync(s.lock, 'utf8'), new RegExp(`^${process.pid} \\d+$`));
      release();
      // The same pid with its real start time is a live holder.
      writeFileSync(s.lock, `${pid} ${start}`);
      assert.equal(lockHolder(s), pid);
      assert.equal(thrown(() => acquireLock(s)).code, 'STATE_LOCKED');
    } finally {
      other.kill();
    }
    assert.ok(existsSync(s.lock));
  });
});
