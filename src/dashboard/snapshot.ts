/**
 * The dashboard's numbers at one moment, as plain data (also served as JSON at /api/snapshot):
 * the state database (the same rows as `mailshift status --json`, so the two always agree), the
 * schedule of `sync`, and the run's events for what is happening now (progress, throughput,
 * failures as they come, connections).
 */
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { PassRow, ScheduleRow, ScheduleStore } from '../state/schedule-store.js';
import { accountStatusRows, type AccountStatusRow } from '../report/status-report.js';
import type { LiveView, RatePoint } from './live-model.js';

/** Version of the snapshot JSON. */
export const SNAPSHOT_VERSION = 1;

/** A bar: `value` of `max`. */
export interface Bar {
  value: number;
  max: number;
}

/** One account's panel. */
export interface AccountPanel {
  account: string;
  /** Exactly the row `mailshift status --json` prints for this account. */
  status: AccountStatusRow;
  /** Messages handled (copied, already there, skipped, failed) of those known on the source. */
  messages: Bar;
  /** Bytes copied, of those plus what the folders being copied still hold. */
  bytes: Bar;
  /** What the events say it is doing now. */
  live?: 'waiting' | 'running' | 'done' | 'stopped';
  lastPass?: { number: number; status: string; copied: number; failed: number; error?: string };
  /** Waiting after failures in consecutive passes. */
  backoff?: { failures: number; retryAt: string };
  failures: { folder?: string; uid?: number; reason: string }[];
  /** Failures beyond those listed. */
  moreFailures: number;
  skipped: { reason: string; messages: number; bytes: number }[];
}

/** The whole dashboard. */
export interface DashboardSnapshot {
  version: typeof SNAPSHOT_VERSION;
  plan: string;
  client?: string;
  generatedAt: string;
  /** False until the first run has created the state database. */
  stateExists: boolean;
  /** A mailshift process holds the state's lock (a run, a sync or verify is going on). */
  running: boolean;
  accounts: AccountPanel[];
  totals: { messages: Bar; bytes: Bar; copied: number; present: number; skipped: number; failed: number };
  /** Copy rate over the last minute, per second. */
  rate: { messages: number; bytes: number };
  /** Seconds left at that rate, while a run is going and the rate is known. */
  etaSeconds?: number;
  connections?: number;
  series: { bucketMs: number; points: RatePoint[] };
  schedule?: {
    everyMs: number;
    cutoverAt?: string;
    nextAt?: string;
    nextFinal: boolean;
    finalDoneAt?: string;
  };
  passes: (Omit<PassRow, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt?: string })[];
}

/** Where a snapshot comes from. */
export interface SnapshotSources {
  plan: { name: string; client?: string; accounts: readonly string[] };
  /** Undefined until the state database exists. */
  store?: CheckpointStore;
  schedule?: ScheduleStore;
  live: LiveView;
  running: boolean;
  now: number;
}

/** Failures listed per account (the rest are counted). */
const FAILURES_SHOWN = 10;

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

function scheduleView(s: ScheduleRow | undefined): DashboardSnapshot['schedule'] {
  if (!s) return undefined;
  return {
    everyMs: s.everyMs,
    ...(s.cutoverAt === undefined ? {} : { cutoverAt: iso(s.cutoverAt) }),
    ...(s.nextAt === undefined ? {} : { nextAt: iso(s.nextAt) }),
    nextFinal: s.nextFinal,
    ...(s.finalDoneAt === undefined ? {} : { finalDoneAt: iso(s.finalDoneAt) }),
  };
}

function panel(row: AccountStatusRow, src: SnapshotSources, extras: PanelExtras): AccountPanel {
  const live = src.live.accounts.get(row.account);
  const handled = row.copied + row.present + row.skipped + row.failed;
  let known = handled;
  let pendingBytes = 0;
  if (live) {
    const folders = src.store?.folders(row.account) ?? [];
    const unchanged = folders
      .filter((f) => live.unchangedFolders.includes(f.source_path))
      .reduce((s, f) => s + f.messages, 0);
    known = Math.max(handled, live.plannedMessages + unchanged);
    for (const f of live.folders.values())
      if (!f.done && src.live.active) pendingBytes += Math.max(0, f.bytes - f.copiedBytes);
  }
  // Only the latest few: a mailbox may hold thousands of refused messages (the state has them all).
  const failed = row.failed > 0 ? (src.store?.failedMessages(row.account, FAILURES_SHOWN) ?? []) : [];
  const failures: AccountPanel['failures'] = [];
  if (row.error) failures.push({ reason: row.error });
  for (const f of live?.failures ?? [])
    if (f.uid === undefined) failures.push({ folder: f.folder, reason: f.reason });
  for (const m of failed.slice(-FAILURES_SHOWN))
    failures.push({ folder: m.folder, uid: m.uid, reason: m.reason ?? '' });
  const last = extras.lastPasses.get(row.account);
  const backoff = extras.backoffs.get(row.account);
  return {
    account: row.account,
    status: row,
    messages: { value: handled, max: known },
    bytes: { value: row.bytes, max: row.bytes + pendingBytes },
    ...(live ? { live: live.state } : {}),
    ...(last
      ? {
          lastPass: {
            number: last.pass,
            status: last.status,
            copied: last.copied,
            failed: last.failed,
            ...(last.error ? { error: last.error } : {}),
          },
        }
      : {}),
    ...(backoff
      ? { backoff: { failures: backoff.failures, retryAt: new Date(backoff.retryAt).toISOString() } }
      : {}),
    failures,
    moreFailures: Math.max(0, row.failed - failed.length),
    skipped: extras.skipped.get(row.account) ?? [],
  };
}

interface PanelExtras {
  lastPasses: Map<string, ReturnType<ScheduleStore['lastAccountPasses']>[number]>;
  backoffs: Map<string, ReturnType<ScheduleStore['backoffs']>[number]>;
  skipped: Map<string, AccountPanel['skipped']>;
}

/**
 * Status rows as `mailshift status` shows them: an account left "in progress" while no process
 * holds the lock was interrupted (crash, kill, reboot).
 */
export function liveStatusRows(
  accounts: readonly string[],
  store: CheckpointStore | undefined,
  running: boolean,
): AccountStatusRow[] {
  if (!store)
    return accounts.map((account) => ({
      account,
      status: 'not started',
      folders: 0,
      copied: 0,
      present: 0,
      skipped: 0,
      failed: 0,
      inDoubt: 0,
      bytes: 0,
    }));
  return accountStatusRows({ accounts: accounts.map((id) => ({ id })) }, store).map((r) =>
    r.status === 'in progress' && !running ? { ...r, status: 'interrupted' } : r,
  );
}

/** Builds the snapshot. */
export function buildSnapshot(src: SnapshotSources): DashboardSnapshot {
  const rows = liveStatusRows(src.plan.accounts, src.store, src.running);
  const skipped = new Map<string, AccountPanel['skipped']>();
  for (const s of src.store?.skippedByReason() ?? []) {
    const list = skipped.get(s.account) ?? [];
    list.push({ reason: s.reason, messages: s.messages, bytes: s.bytes });
    skipped.set(s.account, list);
  }
  const extras: PanelExtras = {
    lastPasses: new Map((src.schedule?.lastAccountPasses() ?? []).map((p) => [p.account, p])),
    backoffs: new Map((src.schedule?.backoffs() ?? []).map((b) => [b.account, b])),
    skipped,
  };
  const accounts = rows.map((r) => panel(r, src, extras));
  const sum = (pick: (a: AccountPanel) => number) => accounts.reduce((s, a) => s + pick(a), 0);
  const messages = { value: sum((a) => a.messages.value), max: sum((a) => a.messages.max) };
  const remaining = messages.max - messages.value;
  const eta =
    src.live.active && remaining > 0 && src.live.rate.messages > 0
      ? remaining / src.live.rate.messages
      : undefined;
  return {
    version: SNAPSHOT_VERSION,
    plan: src.plan.name,
    ...(src.plan.client ? { client: src.plan.client } : {}),
    generatedAt: new Date(src.now).toISOString(),
    stateExists: src.store !== undefined,
    running: src.running,
    accounts,
    totals: {
      messages,
      bytes: { value: sum((a) => a.bytes.value), max: sum((a) => a.bytes.max) },
      copied: sum((a) => a.status.copied),
      present: sum((a) => a.status.present),
      skipped: sum((a) => a.status.skipped),
      failed: sum((a) => a.status.failed),
    },
    rate: src.live.rate,
    ...(eta === undefined ? {} : { etaSeconds: eta }),
    ...(src.live.connections === undefined ? {} : { connections: src.live.connections }),
    series: src.live.series,
    ...(src.schedule ? { schedule: scheduleView(src.schedule.schedule()) } : {}),
    passes: (src.schedule?.passes(8) ?? []).map((p) => ({
      ...p,
      startedAt: new Date(p.startedAt).toISOString(),
      finishedAt: iso(p.finishedAt),
    })),
  };
}
