/**
 * `mailshift sync`: a first pass, then delta passes on a schedule until stopped or until the
 * cutover, after which one final pass runs (with every account) and the sync ends. Each pass is the
 * same resumable, exactly-once run as `mailshift run`, given here as a function, so the loop knows
 * nothing of servers and is tested with a pass of its own.
 *
 * Everything the loop decides from is in the state database (schedule-store.ts): a restart of the
 * process or of the machine continues the schedule, runs at once a pass that was cut short, and
 * runs the final pass at once when the cutover passed while it was down. An account that stops in
 * a pass waits longer after each consecutive failure (schedule.ts) while the others go on.
 */
import { describeError, MailshiftError } from '../core/errors.js';
import type { RunSummary } from '../engine/migrate.js';
import type { Notice } from '../notify/notification.js';
import type { SendResult } from '../notify/notifier.js';
import type { PassAccountRow, PassStatus, PassTrigger, ScheduleStore } from '../state/schedule-store.js';
import { systemClock, type Clock } from './clock.js';
import { accountNoticePrefix, accountStoppedNotice, passNotice, syncStoppedNotice } from './notices.js';
import {
  backoffAfterFailure,
  dueAccounts,
  nextPass,
  wakeAt,
  type Backoff,
  type ScheduleConfig,
  type ScheduleFacts,
} from './schedule.js';

/** One account's part in a pass (the engine's AccountResult, as RunSummary carries it). */
type AccountResult = RunSummary['accounts'][number];

/** What one pass is asked to do. */
export interface PassRequest {
  /** 1, 2, ... over the life of the state (a restart continues the count). */
  number: number;
  /** The pass after the cutover. */
  final: boolean;
  trigger: PassTrigger;
  /** Only these accounts (the others are waiting after failures); all when undefined. */
  only?: string[];
}

/** Runs one pass: `migrate()` with the CLI's dependencies in production. */
export type RunPass = (req: PassRequest, signal: AbortSignal) => Promise<RunSummary>;

/** What the loop says it is doing (the CLI prints it; tests watch it). */
export type WatchEvent =
  | { type: 'waiting'; until: number; final: boolean }
  | { type: 'woken'; at: number }
  | { type: 'pass-start'; request: PassRequest }
  | { type: 'pass-done'; request: PassRequest; summary: RunSummary; status: PassStatus }
  | { type: 'accounts-waiting'; accounts: string[]; until: number }
  | { type: 'notice'; kind: string; result: SendResult };

/** The notifier as the loop uses it (notify/notifier.ts). */
export interface NoticeSender {
  send(n: Notice): Promise<SendResult>;
  forget(prefix: string): void;
}

/** What the loop needs. */
export interface WatchDeps {
  /** The plan's name, for notices. */
  plan: string;
  /** Every account of the plan, in its order. */
  accounts: readonly string[];
  runPass: RunPass;
  schedule: ScheduleStore;
  notifier?: NoticeSender;
  /** Resolves when the source announces new mail (IDLE/NOTIFY); a pass then starts early. */
  wake?: (signal: AbortSignal) => Promise<void>;
  clock?: Clock;
  signal: AbortSignal;
  onEvent?: (e: WatchEvent) => void;
}

/** How the loop ended. */
export interface WatchOutcome {
  /** Passes this process ran. */
  passes: number;
  /** `cutover`: the final pass ran; `already-done`: it had run before this start; `signal`: stopped. */
  stoppedBy: 'cutover' | 'already-done' | 'signal';
  /** The last pass's summary. */
  last?: RunSummary;
}

function passStatus(s: RunSummary): Exclude<PassStatus, 'running' | 'failed'> {
  return s.interrupted ? 'interrupted' : s.complete ? 'complete' : 'incomplete';
}

function accountRow(a: AccountResult): Omit<PassAccountRow, 'pass'> {
  const code = (a as AccountResult & { code?: string }).code;
  return {
    account: a.account,
    status: a.error !== undefined ? 'stopped' : a.ok ? 'done' : 'incomplete',
    copied: a.totals.copied,
    bytes: a.totals.bytes,
    failed: a.totals.failed,
    code,
    error: a.error,
  };
}

/** The loop's state between passes. */
class Loop {
  private readonly clock: Clock;
  private passesRun = 0;
  private last: RunSummary | undefined;
  /** The time of a pass skipped because every due account was waiting: counts as a start. */
  private skippedAt: number | undefined;
  private woken = false;

  constructor(
    private readonly cfg: ScheduleConfig,
    private readonly deps: WatchDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  private emit(e: WatchEvent): void {
    this.deps.onEvent?.(e);
  }

  private facts(): ScheduleFacts {
    const last = this.deps.schedule.lastPass();
    const finalDoneAt = this.deps.schedule.schedule()?.finalDoneAt;
    const started = Math.max(last?.startedAt ?? -Infinity, this.skippedAt ?? -Infinity);
    return {
      ...(Number.isFinite(started) ? { lastStartedAt: started } : {}),
      ...(last?.finishedAt === undefined ? {} : { lastFinishedAt: last.finishedAt }),
      interrupted: last?.status === 'interrupted' || last?.status === 'running',
      ...(finalDoneAt === undefined ? {} : { finalDoneAt }),
    };
  }

  private backoffs(): Map<string, Backoff & { since: number }> {
    return new Map(this.deps.schedule.backoffs().map((b) => [b.account, b]));
  }

  async run(): Promise<WatchOutcome> {
    const { schedule, signal } = this.deps;
    schedule.saveConfig(this.cfg.everyMs, this.cfg.cutoverAt, this.clock.now());
    schedule.abandonRunningPasses(this.clock.now());
    while (!signal.aborted) {
      const facts = this.facts();
      const now = this.clock.now();
      const next = nextPass(this.cfg, facts, now);
      if (!next) return this.outcome(this.passesRun > 0 ? 'cutover' : 'already-done');
      const wake = this.woken && !next.final;
      const at = wake ? wakeAt(this.cfg, facts, next.at, now) : next.at;
      schedule.setNext(at, next.final, now);
      if (at > now) {
        await this.wait(at, next.final, !this.woken);
        continue;
      }
      const backoffs = this.backoffs();
      const only = dueAccounts(this.deps.accounts, backoffs, now, next.final);
      if (only.length === 0) {
        this.skippedAt = at;
        this.woken = false;
        const until = Math.min(...[...backoffs.values()].map((b) => b.retryAt));
        this.emit({ type: 'accounts-waiting', accounts: [...this.deps.accounts], until });
        continue;
      }
      const request: PassRequest = {
        number: 0,
        final: next.final,
        trigger: wake ? 'wake' : next.trigger,
        ...(only.length < this.deps.accounts.length ? { only } : {}),
      };
      this.woken = false;
      const done = await this.pass(request, backoffs);
      if (done) return this.outcome(done);
    }
    return this.outcome('signal');
  }

  private outcome(stoppedBy: WatchOutcome['stoppedBy']): WatchOutcome {
    return { passes: this.passesRun, stoppedBy, ...(this.last ? { last: this.last } : {}) };
  }

  /** Sleeps until `at`, or until new mail wakes the loop; returns early when stopped. */
  private async wait(at: number, final: boolean, listen: boolean): Promise<void> {
    const { signal, wake } = this.deps;
    this.emit({ type: 'waiting', until: at, final });
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const sleeping = this.clock.sleep(at - this.clock.now(), both).then(() => 'time' as const);
    const waking =
      listen && wake && !final
        ? wake(both).then(
            () => 'wake' as const,
            () => new Promise<never>(() => {}), // a failed listener only loses the early start
          )
        : new Promise<never>(() => {});
    const first = await Promise.race([sleeping, waking]);
    stop.abort();
    if (first === 'wake' && !signal.aborted) {
      this.woken = true;
      this.emit({ type: 'woken', at: this.clock.now() });
    }
  }

  /**
   * Runs one pass and records it.
   * @returns how the loop ends after it, or undefined to go on
   * @throws what the pass threw (a run-scope failure), after recording it and notifying
   */
  private async pass(
    req: PassRequest,
    backoffs: Map<string, Backoff & { since: number }>,
  ): Promise<WatchOutcome['stoppedBy'] | undefined> {
    const { schedule, signal } = this.deps;
    const startedAt = this.clock.now();
    req.number = schedule.startPass({ trigger: req.trigger, final: req.final, startedAt });
    this.emit({ type: 'pass-start', request: req });
    let summary: RunSummary;
    try {
      summary = await this.deps.runPass(req, signal);
    } catch (err) {
      const now = this.clock.now();
      schedule.finishPass(
        req.number,
        {
          finishedAt: now,
          status: 'failed',
          copied: 0,
          bytes: 0,
          failed: 0,
          accountsFailed: 0,
          error: describeError(err),
        },
        [],
      );
      const hint = err instanceof MailshiftError ? err.hint : undefined;
      const message = err instanceof Error ? err.message : String(err);
      await this.notify(syncStoppedNotice(this.deps.plan, message, hint, now));
      throw err;
    }
    this.passesRun++;
    this.last = summary;
    const now = this.clock.now();
    const status = passStatus(summary);
    const notices = this.accountOutcomes(summary, backoffs, req.final, startedAt, now);
    schedule.finishPass(
      req.number,
      {
        finishedAt: now,
        status,
        copied: summary.totals.copied,
        bytes: summary.totals.bytes,
        failed: summary.totals.failed,
        accountsFailed: summary.accounts.filter((a) => a.error !== undefined).length,
      },
      summary.accounts.map(accountRow),
    );
    this.emit({ type: 'pass-done', request: req, summary, status });
    if (status === 'interrupted' || signal.aborted) return 'signal';
    if (req.final) schedule.markFinalDone(now);
    const upcoming = req.final ? undefined : nextPass(this.cfg, this.facts(), now)?.at;
    for (const n of notices) await this.notify(n);
    await this.notify(passNotice(this.deps.plan, { ...req, startedAt }, summary, upcoming, now));
    return req.final ? 'cutover' : undefined;
  }

  /** Updates each account's backoff after a pass; returns the notices of accounts that stopped. */
  private accountOutcomes(
    summary: RunSummary,
    backoffs: Map<string, Backoff & { since: number }>,
    final: boolean,
    startedAt: number,
    now: number,
  ): Notice[] {
    const { schedule } = this.deps;
    const notices: Notice[] = [];
    for (const a of summary.accounts) {
      const prev = backoffs.get(a.account);
      if (a.error === undefined) {
        if (prev) {
          schedule.clearBackoff(a.account);
          // Recovered: the next failure of this account is news again.
          this.deps.notifier?.forget(accountNoticePrefix(a.account));
        }
        continue;
      }
      const b = backoffAfterFailure(prev?.failures ?? 0, this.cfg, startedAt);
      const since = prev?.since ?? now;
      const code = (a as AccountResult & { code?: string }).code;
      schedule.setBackoff({
        account: a.account,
        failures: b.failures,
        retryAt: b.retryAt,
        code,
        error: a.error,
        since,
      });
      notices.push(
        accountStoppedNotice(
          this.deps.plan,
          a,
          { failures: b.failures, since, ...(final ? {} : { retryAt: b.retryAt }) },
          now,
        ),
      );
    }
    return notices;
  }

  private async notify(n: Notice): Promise<void> {
    if (!this.deps.notifier) return;
    const result = await this.deps.notifier.send(n);
    this.emit({ type: 'notice', kind: n.notification.kind, result });
  }
}

/**
 * Runs passes on the schedule until the cutover's final pass has run or `deps.signal` aborts.
 * @throws the first run-scope error of a pass (state unwritable, disk full), after notifying it
 */
export function watch(cfg: ScheduleConfig, deps: WatchDeps): Promise<WatchOutcome> {
  return new Loop(cfg, deps).run();
}
