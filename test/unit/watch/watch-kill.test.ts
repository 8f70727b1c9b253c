/**
 * A sync process killed with SIGKILL in the middle of a pass (no `finally`, no handler runs) and
 * started again: the pass cut short is recorded as interrupted and run again at once, the pass
 * numbers go on without reuse, and the schedule continues.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ScheduleStore } from '../../../src/state/schedule-store.js';

const CHILD = join(import.meta.dirname, 'sync-child.ts');

function start(dir: string, log: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, dir, log], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until(log: string, re: RegExp, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (re.test(readFileSync(log, 'utf8'))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${re} in:\n${readFileSync(log, 'utf8')}`);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
}

describe('sync killed mid-pass', () => {
  it('continues the schedule after a restart: the cut pass runs again at once, numbers go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-sync-kill-'));
    const log = join(dir, 'passes.log');
    writeFileSync(log, '');
    const first = start(dir, log);
    try {
      await until(log, /^start 2 schedule$/m);
      first.kill('SIGKILL');
      await exited(first);
    } finally {
      first.kill('SIGKILL');
    }
    assert.doesNotMatch(readFileSync(log, 'utf8'), /^end 2$/m, 'killed inside pass 2');
    const second = start(dir, log);
    try {
      await until(log, /^end 3$/m);
      second.kill('SIGTERM');
      await exited(second);
    } finally {
      second.kill('SIGKILL');
    }
    const schedule = ScheduleStore.open(join(dir, 'state.sqlite'), { readonly: true });
    const passes = schedule.passes().reverse();
    schedule.close();
    assert.deepEqual(
      passes.slice(0, 3).map((p) => [p.number, p.trigger, p.status]),
      [
        [1, 'first', 'complete'],
        [2, 'schedule', 'interrupted'],
        [3, 'resume', 'complete'],
      ],
    );
    const text = readFileSync(log, 'utf8');
    const ready = text.split('\n').findIndex((l) => l.startsWith('ready') && !l.includes(String(first.pid)));
    const resumed = text.split('\n').findIndex((l) => l === 'start 3 resume');
    assert.equal(resumed, ready + 1, 'the restarted process ran the cut pass first');
  });
});
