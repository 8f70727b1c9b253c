/**
 * The sync loop with a pass of its own (no servers) and the real schedule tables: passes on a short
 * interval pick up mail appended between them; the cutover's final pass takes every account and
 * ends the sync; a restart continues the schedule (a pass cut short runs again at once, a finished
 * sync stays finished); a failing account backs off while the others go on, and is notified once
 * per kind of failure until it recovers; new mail wakes the loop early; a failure of the run itself
 * stops the sync with a notice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MailshiftError } from '../../../src/core/errors.js';
import type { Notification } from '../../../src/notify/notification.js';
import { Notifier } from '../../../src/notify/notifier.js';
import type { ScheduleStore } from '../../../src/state/schedule-store.js';
import { watch, type PassRequest, type WatchEvent } from '../../../src/watch/watch.js';
import { FakeClock, MailboxPair, stateDb, summaryOf } from './watch-fixtures.js';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const MIN = 60_000;

function recordingNotifier(schedule: ScheduleStore, sent: Notification[], clock?: FakeClock): Notifier {
  return new Notifier({
    ...(clock ? { now: () => clock.now() } : {}),
    channels: [{ name: 'test', send: async (n) => void sent.push(n) }],
    on: ['pass-done', 'account-stopped', 'cutover-done', 'sync-stopped'],
    repeatAfterMs: 24 * 60 * MIN,
    memory: schedule,
    secrets: () => [],
  });
}

describe('watch', () => {
  it('runs a first pass at once, then one per interval; each picks up the mail appended before it', async () => {
    const db = stateDb();
    const box = new MailboxPair();
    box.source.push('m1', 'm2');
    const starts: number[] = [];
    const copiedPerPass: number[] = [];
    const stop = new AbortController();
    const outcome = await watch(
      { everyMs: 400, minGapMs: 100, maxBackoffMs: 10_000 },
      {
        plan: 'acme',
        accounts: ['a@x'],
        schedule: db.schedule,
        signal: stop.signal,
        runPass: async (req) => {
          starts.push(Date.now());
          const copied = box.pass();
          copiedPerPass.push(copied);
          // Mail arrives on the old server between passes.
          if (req.number === 1) box.source.push('m3');
          if (req.number === 2) box.source.push('m4', 'm5');
          if (req.number === 3) stop.abort();
          return summaryOf([{ account: 'a@x', copied }]);
        },
      },
    );
    assert.equal(outcome.stoppedBy, 'signal');
    assert.deepEqual(copiedPerPass, [2, 1, 2]);
    assert.deepEqual(box.destination, ['m1', 'm2', 'm3', 'm4', 'm5'], 'every message once');
    for (let i = 1; i < starts.length; i++) {
      const gap = starts[i]! - starts[i - 1]!;
      assert.ok(gap >= 390 && gap < 2500, `pass ${i + 1} started ${gap} ms after the one before`);
    }
    const passes = db.schedule.passes().reverse();
    assert.deepEqual(
      passes.map((p) => [p.number, p.trigger, p.status, p.copied]),
      [
        [1, 'first', 'complete', 2],
        [2, 'schedule', 'complete', 1],
        [3, 'schedule', 'complete', 2],
      ],
    );
    db.close();
  });

  it('at the cutover runs one final pass with every account, then stops; started again it runs nothing', async () => {
    const db = stateDb();
    const clock = new FakeClock(T0);
    const requests: PassRequest[] = [];
    const sent: Notification[] = [];
    const cfg = { everyMs: 15 * MIN, cutoverAt: T0 + 40 * MIN, minGapMs: MIN, maxBackoffMs: 6 * 60 * MIN };
    const deps = {
      plan: 'acme',
      accounts: ['a@x', 'b@x'],
      schedule: db.schedule,
      clock,
      signal: new AbortController().signal,
      notifier: recordingNotifier(db.schedule, sent),
      runPass: async (req: PassRequest) => {
        requests.push({ ...req });
        // b@x fails its login in the passes before the cutover, so it is waiting when it comes.
        const bFails = !req.final;
        return summaryOf([
          { account: 'a@x', copied: 3 },
          ...(req.only && !req.only.includes('b@x')
            ? []
            : [
                bFails
                  ? { account: 'b@x', error: 'login refused for b@x', code: 'AUTH_FAILED' }
                  : { account: 'b@x', copied: 5 },
              ]),
        ]);
      },
    };
    const outcome = await watch(cfg, deps);
    assert.equal(outcome.stoppedBy, 'cutover');
    const last = requests[requests.length - 1]!;
    assert.equal(last.final, true);
    assert.equal(last.trigger, 'cutover');
    assert.equal(last.only, undefined, 'the final pass takes every account, also one that is waiting');
    assert.equal(clock.now(), T0 + 40 * MIN, 'the final pass ran at the cutover');
    assert.deepEqual(
      requests.map((r) => r.trigger),
      ['first', 'schedule', 'schedule', 'cutover'],
    );
    assert.ok(db.schedule.schedule()?.finalDoneAt, 'final pass recorded');
    const kinds = sent.map((n) => n.kind);
    assert.equal(kinds[kinds.length - 1], 'cutover-done');
    assert.match(sent[sent.length - 1]!.title, /Cutover done: final pass complete/);

    const again: PassRequest[] = [];
    const second = await watch(cfg, { ...deps, runPass: async (r) => (again.push(r), summaryOf([])) });
    assert.equal(second.stoppedBy, 'already-done');
    assert.equal(again.length, 0);

    // A cutover moved later after it passed: the sync goes on until the new time.
    clock.t += MIN;
    const moved = await watch(
      { ...cfg, cutoverAt: clock.now() + 20 * MIN },
      {
        ...deps,
        runPass: async (r) => (again.push({ ...r }), summaryOf([{ account: 'a@x' }, { account: 'b@x' }])),
      },
    );
    assert.equal(moved.stoppedBy, 'cutover');
    assert.deepEqual(
      again.map((r) => [r.trigger, r.final]),
      [
        ['schedule', false],
        ['cutover', true],
      ],
    );
    db.close();
  });

  it('a restarted loop continues the schedule instead of starting over', async () => {
    const db = stateDb();
    const clock = new FakeClock(T0);
    const cfg = { everyMs: 15 * MIN, minGapMs: MIN, maxBackoffMs: 6 * 60 * MIN };
    const stop = new AbortController();
    const deps = (
      runPass: (r: PassRequest) => Promise<ReturnType<typeof summaryOf>>,
      signal = stop.signal,
    ) => ({
      plan: 'acme',
      accounts: ['a@x'],
      schedule: db.schedule,
      clock,
      signal,
      runPass,
    });
    // First process: one pass, then stopped while waiting for the next.
    await watch(
      cfg,
      deps(async () => {
        clock.t += 2 * MIN;
        setImmediate(() => stop.abort());
        return summaryOf([{ account: 'a@x', copied: 1 }]);
      }),
    );
    assert.equal(db.schedule.schedule()?.nextAt, T0 + 15 * MIN, 'the next pass is recorded');
    // Second process, 5 minutes later: the next pass waits for its time.
    clock.t = T0 + 5 * MIN;
    const stop2 = new AbortController();
    const seen: [number, string][] = [];
    await watch(
      cfg,
      deps(async (r) => {
        seen.push([clock.now(), r.trigger]);
        stop2.abort();
        return summaryOf([{ account: 'a@x' }]);
      }, stop2.signal),
    );
    assert.deepEqual(seen, [[T0 + 15 * MIN, 'schedule']]);
    assert.deepEqual(
      db.schedule.passes().map((p) => p.number),
      [2, 1],
    );
    db.close();
  });

  it('a pass cut short (interrupted, or left running by a killed process) runs again at once', async () => {
    const db = stateDb();
    const clock = new FakeClock(T0);
    const cfg = { everyMs: 15 * MIN, minGapMs: MIN, maxBackoffMs: 6 * 60 * MIN };
    const first = await watch(cfg, {
      plan: 'acme',
      accounts: ['a@x'],
      schedule: db.schedule,
      clock,
      signal: new AbortController().signal,
      runPass: async () => summaryOf([{ account: 'a@x', copied: 1 }], { interrupted: true }),
    });
    assert.equal(first.stoppedBy, 'signal');
    assert.equal(db.schedule.lastPass()?.status, 'interrupted');
    // A killed process leaves its pass "running".
    db.schedule.startPass({ trigger: 'schedule', final: false, startedAt: clock.now() });
    clock.t += MIN;
    const stop = new AbortController();
    const seen: [number, string][] = [];
    await watch(cfg, {
      plan: 'acme',
      accounts: ['a@x'],
      schedule: db.schedule,
      clock,
      signal: stop.signal,
      runPass: async (r) => {
        seen.push([clock.now(), r.trigger]);
        stop.abort();
        return summaryOf([{ account: 'a@x' }]);
      },
    });
    assert.deepEqual(seen, [[T0 + MIN, 'resume']]);
    assert.deepEqual(
      db.schedule.passes().map((p) => [p.number, p.status]),
      [
        [3, 'complete'],
        [2, 'interrupted'],
        [1, 'interrupted'],
      ],
    );
    db.close();
  });

  it('a failing account backs off while the others go on; it is notified once per kind until it recovers', async () => {
    const db = stateDb();
    const clock = new FakeClock(T0);
    const sent: Notification[] = [];
    const taken: string[][] = [];
    const stop = new AbortController();
    // b@x: login refused in passes 1-4 (as it is taken), fine from pass 5 on, over quota later.
    let bTries = 0;
    await watch(
      { everyMs: 15 * MIN, minGapMs: MIN, maxBackoffMs: 60 * MIN },
      {
        plan: 'acme',
        accounts: ['a@x', 'b@x'],
        schedule: db.schedule,
        clock,
        signal: stop.signal,
        notifier: recordingNotifier(db.schedule, sent, clock),
        runPass: async (req) => {
          const only = req.only ?? ['a@x', 'b@x'];
          taken.push(only);
          if (req.number === 12) stop.abort();
          const results = [{ account: 'a@x', copied: 1 }] as Parameters<typeof summaryOf>[0];
          if (only.includes('b@x')) {
            bTries++;
            if (bTries <= 3)
              results.push({
                account: 'b@x',
                error: `login refused for b@x (attempt ${bTries})`,
                code: 'AUTH_FAILED',
                hint: 'check the password secret=hunter22 of b@x',
              });
            else if (bTries === 5)
              results.push({ account: 'b@x', error: 'the mailbox of b@x is full', code: 'DEST_OVERQUOTA' });
            else results.push({ account: 'b@x', copied: 2 });
          }
          return summaryOf(results);
        },
      },
    );
    assert.ok(
      taken.every((t) => t.includes('a@x')),
      'a@x goes on in every pass',
    );
    const withB = taken.map((t) => t.includes('b@x'));
    // Failures 1, 2, 3: tried again on the next pass, then after skipping 1 pass, then 3 passes.
    assert.deepEqual(withB.slice(0, 8), [true, true, false, true, false, false, false, true]);
    const stopped = sent.filter((n) => n.kind === 'account-stopped');
    assert.deepEqual(
      stopped.map((n) => n.account?.code),
      ['AUTH_FAILED', 'DEST_OVERQUOTA'],
      'the same failure is told once; a failure after recovery is news again',
    );
    assert.equal(stopped[0]?.account?.failures, 1);
    assert.match(stopped[0]!.text, /tried again at/);
    assert.ok(!JSON.stringify(sent).includes('hunter22'), 'no secret in any notice');
    assert.equal(db.schedule.backoffs().length, 0, 'b@x recovered at the end');
    const history = db.schedule.accountPasses('b@x').map((p) => p.status);
    assert.deepEqual(history.slice(0, 5), ['stopped', 'stopped', 'stopped', 'done', 'stopped']);
    // Passes that copied something are always told; the pass notices carry the counts.
    const passDone = sent.filter((n) => n.kind === 'pass-done');
    assert.equal(passDone.length, 11, 'every pass but the one the stop came in');
    assert.equal(passDone[0]?.pass?.accountsStopped, 1);
    db.close();
  });

  it('quiet passes (nothing copied, nothing failed) are told once per repeatAfter', async () => {
    const db = stateDb();
    const clock = new FakeClock(T0);
    const sent: Notification[] = [];
    const stop = new AbortController();
    await watch(
      { everyMs: 15 * MIN, minGapMs: MIN, maxBackoffMs: 60 * MIN },
      {
        plan: 'acme',
        accounts: ['a@x'],
        schedule: db.schedule,
        clock,
        signal: stop.signal,
        notifier: recordingNotifier(db.schedule, sent, clock),
        runPass: async (req) => {
          // 4 passes an hour: 100 passes are 25 hours; the first copies, the rest are quiet.
          if (req.number === 100) stop.abort();
          return summaryOf([{ account: 'a@x', copied: req.number === 1 ? 5 : 0 }]);
        },
      },
    );
    const numbers = sent.map((n) => n.pass?.number);
    assert.deepEqual(numbers, [1, 2, 98], 'pass 1 copied; pass 2 is the first quiet one; 24 h later again');
    db.close();
  });

  it('new mail wakes the loop: a pass starts early, after minGap', async () => {
    const db = stateDb();
    let ring: () => void = () => {};
    const starts: [number, string][] = [];
    const stop = new AbortController();
    const t0 = Date.now();
    const events: WatchEvent[] = [];
    await watch(
      { everyMs: 60 * MIN, minGapMs: 300, maxBackoffMs: 60 * MIN },
      {
        plan: 'acme',
        accounts: ['a@x'],
        schedule: db.schedule,
        signal: stop.signal,
        onEvent: (e) => events.push(e),
        wake: (signal) =>
          new Promise<void>((resolve) => {
            ring = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          }),
        runPass: async (req) => {
          starts.push([Date.now() - t0, req.trigger]);
          if (req.number === 1) setTimeout(() => ring(), 50);
          if (req.number === 2) stop.abort();
          return summaryOf([{ account: 'a@x', copied: 1 }]);
        },
      },
    );
    assert.deepEqual(
      starts.map((s) => s[1]),
      ['first', 'wake'],
    );
    const gap = starts[1]![0] - starts[0]![0];
    assert.ok(gap >= 290 && gap < 5000, `woken pass started ${gap} ms after the first (minGap 300)`);
    assert.ok(events.some((e) => e.type === 'woken'));
    db.close();
  });

  it('a failure of the run itself stops the sync, recorded and notified', async () => {
    const db = stateDb();
    const sent: Notification[] = [];
    await assert.rejects(
      watch(
        { everyMs: 15 * MIN, minGapMs: MIN, maxBackoffMs: 60 * MIN },
        {
          plan: 'acme',
          accounts: ['a@x'],
          schedule: db.schedule,
          clock: new FakeClock(T0),
          signal: new AbortController().signal,
          notifier: recordingNotifier(db.schedule, sent),
          runPass: async () => {
            throw new MailshiftError('the state database could not be written (SQLITE_FULL)', {
              code: 'STATE_WRITE',
              scope: 'run',
              hint: 'free disk space where the state directory is',
            });
          },
        },
      ),
      /SQLITE_FULL/,
    );
    assert.equal(db.schedule.lastPass()?.status, 'failed');
    assert.match(db.schedule.lastPass()?.error ?? '', /SQLITE_FULL/);
    assert.deepEqual(
      sent.map((n) => [n.kind, n.severity]),
      [['sync-stopped', 'error']],
    );
    assert.match(sent[0]!.text, /free disk space/);
    db.close();
  });
});
