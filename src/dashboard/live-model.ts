/**
 * What the events of the current (or last) run say that the state database does not: which
 * accounts are being worked on, how much each pass plans and has copied so far, the folders and
 * messages that failed with the servers' words, the throughput over time and the open connections.
 * Folded event by event, so a dashboard that follows a long run holds a bounded summary, not the
 * events.
 */
import type { EventLine } from '../report/event-file-reporter.js';

/** An account as the current run's events show it. */
export interface LiveAccount {
  state: 'waiting' | 'running' | 'done' | 'stopped';
  /** From `account-planned`: messages and bytes of the folders that changed since the last pass. */
  plannedMessages: number;
  plannedBytes: number;
  /** Folders found unchanged in this pass (their counts come from the state). */
  unchangedFolders: string[];
  /** Per folder being copied: what it had to copy and what is copied so far. */
  folders: Map<string, { toCopy: number; bytes: number; copied: number; copiedBytes: number; done: boolean }>;
  copiedMessages: number;
  copiedBytes: number;
  error?: string;
  hint?: string;
  /** Folder and message failures of this run, newest last (at most {@link MAX_FAILURES}). */
  failures: { folder: string; uid?: number; reason: string }[];
}

/** Failures kept per account (the state has them all). */
export const MAX_FAILURES = 20;

/** One point of the throughput plot: what was copied in [t, t + width). */
export interface RatePoint {
  t: number;
  messages: number;
  bytes: number;
}

/** The events' view at one moment. */
export interface LiveView {
  /** A run has started and not finished in the events. */
  active: boolean;
  startedAt?: number;
  finishedAt?: number;
  lastEventAt?: number;
  accounts: Map<string, LiveAccount>;
  /** Copy rate over the run in at most `points` buckets of `bucketMs`. */
  series: { bucketMs: number; points: RatePoint[] };
  /** Messages and bytes per second over the last minute (of the run, or up to now while active). */
  rate: { messages: number; bytes: number };
  /** Connections open, when the engine reports them (`connections` events). */
  connections?: number;
}

/** Progress samples kept (a run emits one per appended batch). */
const MAX_SAMPLES = 50_000;

function newAccount(): LiveAccount {
  return {
    state: 'waiting',
    plannedMessages: 0,
    plannedBytes: 0,
    unchangedFolders: [],
    folders: new Map(),
    copiedMessages: 0,
    copiedBytes: 0,
    failures: [],
  };
}

/** The fold of a run's events. */
export class LiveModel {
  private accounts = new Map<string, LiveAccount>();
  private samples: RatePoint[] = [];
  private active = false;
  private startedAt: number | undefined;
  private finishedAt: number | undefined;
  private lastEventAt: number | undefined;
  private connections: number | undefined;

  /** Folds one event in. Unknown types are passed over (a newer engine may emit more). */
  apply(e: EventLine): void {
    const t = Date.parse(e.time);
    if (Number.isFinite(t)) this.lastEventAt = t;
    const extra = e as unknown as { type: string; source?: unknown; destination?: unknown; open?: unknown };
    if (extra.type === 'connections') {
      const open =
        typeof extra.open === 'number'
          ? extra.open
          : Number(extra.source ?? 0) + Number(extra.destination ?? 0);
      this.connections = Number.isFinite(open) ? open : undefined;
      return;
    }
    switch (e.type) {
      case 'run-start':
        this.accounts = new Map();
        this.samples = [];
        this.active = true;
        this.startedAt = t;
        this.finishedAt = undefined;
        this.connections = undefined;
        return;
      case 'run-done':
        this.active = false;
        this.finishedAt = t;
        if (this.connections !== undefined) this.connections = 0;
        return;
      default:
        break;
    }
    if (!('account' in e)) return;
    const a = this.accounts.get(e.account) ?? newAccount();
    this.accounts.set(e.account, a);
    switch (e.type) {
      case 'account-start':
        a.state = 'running';
        return;
      case 'account-planned':
        a.plannedMessages = e.messages;
        a.plannedBytes = e.bytes;
        return;
      case 'folder-start': {
        // A big folder starts once per slice (and a retried one again): what it has to copy adds up.
        const f = a.folders.get(e.folder);
        if (f && !f.done) {
          f.toCopy += e.toCopy;
          f.bytes += e.bytes;
        } else
          a.folders.set(e.folder, {
            toCopy: e.toCopy,
            bytes: e.bytes,
            copied: 0,
            copiedBytes: 0,
            done: false,
          });
        return;
      }
      case 'progress': {
        a.copiedMessages += e.messages;
        a.copiedBytes += e.bytes;
        const f = a.folders.get(e.folder);
        if (f) {
          f.copied += e.messages;
          f.copiedBytes += e.bytes;
        }
        if (Number.isFinite(t)) this.sample(t, e.messages, e.bytes);
        return;
      }
      case 'folder-done': {
        if (e.unchanged) a.unchangedFolders.push(e.folder);
        const f = a.folders.get(e.folder);
        if (f) f.done = true;
        return;
      }
      case 'folder-failed': {
        const f = a.folders.get(e.folder);
        if (f) f.done = true;
        return this.fail(a, { folder: e.folder, reason: e.error });
      }
      case 'message-failed':
        return this.fail(a, { folder: e.folder, uid: e.uid, reason: e.reason });
      case 'account-failed':
        a.state = 'stopped';
        a.error = e.error;
        if (e.hint) a.hint = e.hint;
        return;
      case 'account-done':
        if (a.state !== 'stopped') a.state = 'done';
        return;
      default:
        return;
    }
  }

  private fail(a: LiveAccount, f: LiveAccount['failures'][number]): void {
    a.failures.push(f);
    if (a.failures.length > MAX_FAILURES) a.failures.shift();
  }

  private sample(t: number, messages: number, bytes: number): void {
    this.samples.push({ t, messages, bytes });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /**
   * The view at `now`.
   * @param points how many buckets the throughput plot has at most
   */
  view(now: number, points = 60): LiveView {
    const start = this.startedAt ?? this.samples[0]?.t ?? now;
    const end = this.active ? now : (this.finishedAt ?? this.lastEventAt ?? now);
    // Buckets of at least 5 s: a run reports once per appended batch, and finer buckets would
    // draw the gaps between batches rather than the rate.
    const bucketMs = Math.max(5000, Math.ceil((end - start + 1) / points / 1000) * 1000);
    const buckets: RatePoint[] = [];
    for (let t = start; t <= end && buckets.length < points; t += bucketMs)
      buckets.push({ t, messages: 0, bytes: 0 });
    for (const s of this.samples) {
      const b = buckets[Math.floor((s.t - start) / bucketMs)];
      if (b) {
        b.messages += s.messages;
        b.bytes += s.bytes;
      }
    }
    const since = Math.max(start, end - 60_000);
    let m = 0;
    let by = 0;
    for (const s of this.samples)
      if (s.t >= since) {
        m += s.messages;
        by += s.bytes;
      }
    const secs = Math.max(1, (end - since) / 1000);
    return {
      active: this.active,
      ...(this.startedAt === undefined ? {} : { startedAt: this.startedAt }),
      ...(this.finishedAt === undefined ? {} : { finishedAt: this.finishedAt }),
      ...(this.lastEventAt === undefined ? {} : { lastEventAt: this.lastEventAt }),
      accounts: this.accounts,
      series: { bucketMs, points: buckets },
      rate: { messages: m / secs, bytes: by / secs },
      ...(this.connections === undefined ? {} : { connections: this.connections }),
    };
  }
}
