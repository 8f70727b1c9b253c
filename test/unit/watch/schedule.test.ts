/**
 * The schedule's decisions as pure functions: when the next pass runs (first, anchored at starts,
 * never overlapping, resumed after a stop, final at the cutover), how long a failing account waits,
 * and which accounts a pass takes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffAfterFailure,
  dueAccounts,
  earliestRetry,
  nextPass,
  wakeAt,
  type ScheduleConfig,
} from '../../../src/watch/schedule.js';

const MIN = 60_000;
const cfg: ScheduleConfig = { everyMs: 15 * MIN, minGapMs: MIN, maxBackoffMs: 6 * 60 * MIN };
const T = Date.parse('2026-12-01T08:00:00Z');

describe('nextPass', () => {
  it('runs the first pass at once', () => {
    assert.deepEqual(nextPass(cfg, { interrupted: false }, T), { at: T, final: false, trigger: 'first' });
  });

  it('anchors passes at their starts', () => {
    const facts = { lastStartedAt: T, lastFinishedAt: T + 4 * MIN, interrupted: false };
    assert.deepEqual(nextPass(cfg, facts, T + 5 * MIN), {
      at: T + 15 * MIN,
      final: false,
      trigger: 'schedule',
    });
  });

  it('follows a pass that overran its interval at once, never overlapping it', () => {
    const facts = { lastStartedAt: T, lastFinishedAt: T + 40 * MIN, interrupted: false };
    assert.deepEqual(nextPass(cfg, facts, T + 40 * MIN), {
      at: T + 40 * MIN,
      final: false,
      trigger: 'schedule',
    });
  });

  it('runs a pass cut short again at once', () => {
    const facts = { lastStartedAt: T, interrupted: true };
    assert.deepEqual(nextPass(cfg, facts, T + MIN), { at: T + MIN, final: false, trigger: 'resume' });
  });

  it('makes the pass that would reach the cutover the final one, at the cutover', () => {
    const c = { ...cfg, cutoverAt: T + 20 * MIN };
    const facts = { lastStartedAt: T + 10 * MIN, lastFinishedAt: T + 11 * MIN, interrupted: false };
    assert.deepEqual(nextPass(c, facts, T + 12 * MIN), { at: T + 20 * MIN, final: true, trigger: 'cutover' });
  });

  it('runs the final pass at once when the cutover passed while nothing ran', () => {
    const c = { ...cfg, cutoverAt: T };
    const facts = { lastStartedAt: T - 60 * MIN, lastFinishedAt: T - 59 * MIN, interrupted: true };
    assert.deepEqual(nextPass(c, facts, T + 90 * MIN), { at: T + 90 * MIN, final: true, trigger: 'cutover' });
  });

  it('plans nothing after the final pass', () => {
    const c = { ...cfg, cutoverAt: T };
    assert.equal(nextPass(c, { interrupted: false, finalDoneAt: T + MIN }, T + 2 * MIN), undefined);
  });
});

describe('wakeAt', () => {
  it('starts a pass woken by new mail no sooner than minGap after the last one, never later than scheduled', () => {
    const facts = { lastStartedAt: T, lastFinishedAt: T + 2 * MIN, interrupted: false };
    assert.equal(wakeAt(cfg, facts, T + 15 * MIN, T + 2 * MIN + 1000), T + 3 * MIN);
    assert.equal(wakeAt(cfg, facts, T + 15 * MIN, T + 10 * MIN), T + 10 * MIN);
    assert.equal(wakeAt({ ...cfg, minGapMs: 30 * MIN }, facts, T + 15 * MIN, T + 3 * MIN), T + 15 * MIN);
  });
});

describe('account backoff', () => {
  it('tries again on the next pass, then skips 1, 3, 7 passes, capped', () => {
    const waits = [1, 2, 3, 4, 10].map((n) => backoffAfterFailure(n - 1, cfg, T).retryAt - T);
    // Half an interval into the last skipped slot: 1 skipped pass -> due at the second one.
    assert.deepEqual(waits, [0, 22.5 * MIN, 52.5 * MIN, 112.5 * MIN, 6 * 60 * MIN]);
    const due = (n: number) =>
      dueAccounts(['b'], new Map([['b', backoffAfterFailure(n - 1, cfg, T)]]), T + 15 * MIN, false);
    assert.deepEqual(due(1), ['b'], 'one failure: the next pass takes it');
    assert.deepEqual(due(2), [], 'two failures: the next pass skips it');
    assert.equal(backoffAfterFailure(2, cfg, T).failures, 3);
  });

  it('a pass takes the accounts not waiting; the final pass takes all', () => {
    const backoffs = new Map([
      ['b', { failures: 2, retryAt: T + 15 * MIN }],
      ['c', { failures: 1, retryAt: T }],
    ]);
    assert.deepEqual(dueAccounts(['a', 'b', 'c'], backoffs, T, false), ['a', 'c']);
    assert.deepEqual(dueAccounts(['a', 'b', 'c'], backoffs, T + 15 * MIN, false), ['a', 'b', 'c']);
    assert.deepEqual(dueAccounts(['a', 'b', 'c'], backoffs, T, true), ['a', 'b', 'c']);
    assert.equal(earliestRetry(backoffs), T);
    assert.equal(earliestRetry(new Map()), undefined);
  });
});
