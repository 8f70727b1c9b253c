/**
 * The schedule tables: created by the checkpoint store's migration, kept across reopening, one
 * transaction per change; a moved cutover clears "final pass done"; a read-only connection reads
 * but cannot write; a state too old for them is refused with what to do.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { ScheduleStore } from '../../../src/state/schedule-store.js';

function freshDb(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mailshift-schedule-')), 'state.sqlite');
  CheckpointStore.open(path).close();
  return path;
}

describe('ScheduleStore', () => {
  it('records passes, their accounts, backoffs and notices, and keeps them across reopening', () => {
    const path = freshDb();
    const s = ScheduleStore.open(path);
    s.saveConfig(900_000, 5_000_000, 1000);
    const n1 = s.startPass({ trigger: 'first', final: false, startedAt: 1000 });
    s.finishPass(
      n1,
      { finishedAt: 2000, status: 'incomplete', copied: 7, bytes: 700, failed: 1, accountsFailed: 1 },
      [
        {
          account: 'a@x',
          status: 'done',
          copied: 7,
          bytes: 700,
          failed: 0,
          code: undefined,
          error: undefined,
        },
        {
          account: 'b@x',
          status: 'stopped',
          copied: 0,
          bytes: 0,
          failed: 0,
          code: 'AUTH_FAILED',
          error: 'login refused',
        },
      ],
    );
    const n2 = s.startPass({ trigger: 'schedule', final: false, startedAt: 3000 });
    assert.deepEqual([n1, n2], [1, 2]);
    s.setNext(4000, false, 3000);
    s.setBackoff({
      account: 'b@x',
      failures: 2,
      retryAt: 9000,
      code: 'AUTH_FAILED',
      error: 'login refused',
      since: 1000,
    });
    s.remember('account-stopped:b@x:AUTH_FAILED', 2000);
    s.close();

    const r = ScheduleStore.open(path);
    assert.equal(r.abandonRunningPasses(5000), 1, 'pass 2 was left running');
    assert.deepEqual(
      r.passes().map((p) => [p.number, p.status, p.copied]),
      [
        [2, 'interrupted', 0],
        [1, 'incomplete', 7],
      ],
    );
    assert.equal(r.schedule()?.nextAt, 4000);
    assert.equal(r.schedule()?.everyMs, 900_000);
    assert.deepEqual(
      r.lastAccountPasses().map((p) => [p.account, p.status, p.code]),
      [
        ['a@x', 'done', undefined],
        ['b@x', 'stopped', 'AUTH_FAILED'],
      ],
    );
    assert.equal(r.backoffs()[0]?.failures, 2);
    assert.equal(r.lastSent('account-stopped:b@x:AUTH_FAILED'), 2000);
    r.forget('account-stopped:b@x:');
    assert.equal(r.lastSent('account-stopped:b@x:AUTH_FAILED'), undefined);
    r.clearBackoff('b@x');
    assert.deepEqual(r.backoffs(), []);
    r.close();
  });

  it('a moved cutover clears "final pass done"; the same one keeps it', () => {
    const s = ScheduleStore.open(freshDb());
    s.saveConfig(60_000, 10_000, 1);
    s.markFinalDone(11_000);
    s.saveConfig(60_000, 10_000, 12_000);
    assert.equal(s.schedule()?.finalDoneAt, 11_000);
    s.saveConfig(60_000, 20_000, 13_000);
    assert.equal(s.schedule()?.finalDoneAt, undefined);
    s.close();
  });

  it('a read-only connection reads and cannot write', () => {
    const path = freshDb();
    const w = ScheduleStore.open(path);
    w.saveConfig(60_000, undefined, 1);
    const r = ScheduleStore.open(path, { readonly: true });
    assert.equal(r.schedule()?.everyMs, 60_000);
    assert.throws(() => r.saveConfig(1000, undefined, 2), /readonly/i);
    const ro = CheckpointStore.openReadOnly(path).store;
    assert.deepEqual(ro.counts(), []);
    assert.throws(() => ro.setAccountStatus('a@x', 'done'), /readonly/i);
    ro.close();
    r.close();
    w.close();
  });

  it('refuses a state from before the schedule, saying what to do', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mailshift-schedule-old-')), 'state.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 2');
    db.close();
    for (const open of [() => ScheduleStore.open(path), () => CheckpointStore.openReadOnly(path)]) {
      assert.throws(open, (err: unknown) => {
        assert.ok(err instanceof MailshiftError);
        assert.equal(err.code, 'STATE_VERSION');
        assert.match(err.hint ?? '', /mailshift run/);
        return true;
      });
    }
    assert.throws(() => ScheduleStore.open(join(path, 'missing.sqlite')), /cannot be opened/);
  });
});
