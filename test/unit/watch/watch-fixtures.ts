/**
 * Helpers of the sync loop's tests: a state database with its schedule (the real stores), a
 * pass's summary as the engine returns it, a clock that moves only when the loop sleeps, and a
 * mailbox pair that a fake pass copies between, exactly once per message.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../../src/engine/migrate.js';
import { emptyTotals } from '../../../src/core/events.js';
import { CheckpointStore } from '../../../src/state/checkpoint-store.js';
import { ScheduleStore } from '../../../src/state/schedule-store.js';
import type { Clock } from '../../../src/watch/clock.js';

/** A fresh state database (created and migrated by the checkpoint store) and its schedule. */
export function stateDb(dir = mkdtempSync(join(tmpdir(), 'mailshift-watch-'))): {
  path: string;
  schedule: ScheduleStore;
  close(): void;
} {
  const path = join(dir, 'state.sqlite');
  CheckpointStore.open(path).close();
  const schedule = ScheduleStore.open(path);
  return { path, schedule, close: () => schedule.close() };
}

/** What one account did in a fake pass. */
export interface FakeAccount {
  account: string;
  copied?: number;
  failed?: number;
  error?: string;
  code?: string;
  hint?: string;
}

/** A RunSummary as migrate() returns it. */
export function summaryOf(
  accounts: FakeAccount[],
  opts: { interrupted?: boolean; seconds?: number } = {},
): RunSummary {
  const results = accounts.map((a) => ({
    account: a.account,
    ok: a.error === undefined && !a.failed,
    totals: { ...emptyTotals(), copied: a.copied ?? 0, failed: a.failed ?? 0, bytes: (a.copied ?? 0) * 1000 },
    folders: 1,
    failedFolders: [],
    skippedFolders: [],
    drift: [],
    unverified: [],
    ...(a.error === undefined ? {} : { error: a.error }),
    ...(a.hint === undefined ? {} : { hint: a.hint }),
    ...(a.code === undefined ? {} : { code: a.code }),
  }));
  const totals = emptyTotals();
  for (const r of results) {
    totals.copied += r.totals.copied;
    totals.failed += r.totals.failed;
    totals.bytes += r.totals.bytes;
  }
  const interrupted = opts.interrupted ?? false;
  return {
    accounts: results,
    totals,
    seconds: opts.seconds ?? 0.1,
    interrupted,
    complete: !interrupted && results.every((r) => r.ok),
  };
}

/** A clock that stands still until the loop sleeps, then jumps: the schedule runs at full speed. */
export class FakeClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (!signal.aborted) this.t += Math.max(0, ms);
  }
}

/** A source and a destination mailbox; a pass copies what the destination lacks, once. */
export class MailboxPair {
  source: string[] = [];
  destination: string[] = [];

  /** Copies the missing messages; returns how many. */
  pass(): number {
    const missing = this.source.filter((m) => !this.destination.includes(m));
    this.destination.push(...missing);
    return missing.length;
  }
}
