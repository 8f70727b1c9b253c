/**
 * The run: every account of the plan, a few at a time (p-queue), within the servers' connection
 * caps and one byte budget. Resume and delta sync are not modes: they are this, run again.
 */
import PQueue from 'p-queue';
import type { RetryPolicy } from '../core/backoff.js';
import type { Plan } from '../plan/load-plan.js';
import type { Logger } from '../shared/logger.js';
import { stateWriteError, type CheckpointStore } from '../state/checkpoint-store.js';
import { messageLanes, syncAccount, type AccountResult } from './account-sync.js';
import { type AccountConnectors, type FolderMapper } from '../core/ports.js';
import { ByteBudget } from './byte-budget.js';
import { gmailSettingsOf } from '../plan/gmail-labels.js';
import { connectionCaps, COPY_LANE, laneGrowth } from '../core/connection-caps.js';
import { LaneBudget } from './lane-budget.js';
import { addTotals, emptyTotals, type FolderTotals, type Reporter } from '../core/events.js';
import { isOpenWindow, resolveWindow, windowOf } from '../plan/window.js';
import { ConnectionCount } from './connection-count.js';
import { byCodeUnits } from '../shared/text-order.js';

/** What the CLI builds and hands to the engine. */
export interface MigrateDeps {
  state: CheckpointStore;
  reporter: Reporter;
  logger: Logger;
  signal: AbortSignal;
  connectors: (accountId: string) => AccountConnectors;
  mapper: FolderMapper;
  /** Only these accounts (ids); all when undefined. */
  only?: string[];
  /** Overrides the plan's `limits.retry` (tests). */
  retry?: RetryPolicy;
  /** Messages per slice of a big folder's copy (folder-prepare.ts; tests make it small). */
  sliceMessages?: number;
}

/** The outcome of a run. */
export interface RunSummary {
  accounts: AccountResult[];
  totals: FolderTotals;
  seconds: number;
  interrupted: boolean;
  /** True when every account finished with nothing failed. */
  complete: boolean;
}

/**
 * Runs the migration.
 * @throws MailshiftError of run scope (interrupted, state failures); account failures are in the summary.
 */
export async function migrate(plan: Plan, deps: MigrateDeps): Promise<RunSummary> {
  const started = Date.now();
  const runId = deps.state.startRun();
  const accounts = plan.accounts.filter((a) => !deps.only || deps.only.includes(a.id));
  const budget = new ByteBudget(plan.limits.bytesInFlight);
  const caps = connectionCaps(plan, COPY_LANE);
  const fixedLanes = plan.limits.connectionsPerAccount !== undefined;
  // Unless the plan fixes the lanes, an account with many folders may take more than the default
  // lanes, within its caps and without leaving an account waiting to start short of its own.
  const growth = laneGrowth(plan, COPY_LANE);
  // Accounts that will run at the same time: no more than the run has.
  const together = Math.min(caps.accountsAtOnce, Math.max(1, accounts.length));
  const laneBudget = fixedLanes
    ? undefined
    : new LaneBudget({
        base: caps.lanesPerAccount,
        accountsAtOnce: together,
        perAccount: Math.max(caps.lanesPerAccount, growth.perAccount),
        total: growth.total,
      });
  const queue = new PQueue({ concurrency: caps.accountsAtOnce });
  const results: AccountResult[] = [];
  const connections = new ConnectionCount(deps.reporter);
  deps.reporter.emit({ type: 'run-start', accounts: accounts.length });
  let fatal: unknown;
  await Promise.all(
    accounts.map((a) =>
      queue.add(async () => {
        if (deps.signal.aborted || fatal) return;
        // An age (`since: 2y`) counts back from the start of the pass, the same for every folder.
        const window = resolveWindow(windowOf(plan, a), new Date(started));
        try {
          results.push(
            await syncAccount(a.id, connections.wrap(deps.connectors(a.id)), {
              state: deps.state,
              reporter: deps.reporter,
              logger: deps.logger,
              signal: deps.signal,
              budget,
              limits: plan.limits,
              lanes: laneBudget ? Math.max(caps.lanesPerAccount, growth.perAccount) : caps.lanesPerAccount,
              fixedLanes,
              ...(laneBudget ? { laneBudget, messageLanes: messageLanes(plan.limits, together) } : {}),
              retry: deps.retry ?? plan.limits.retry,
              syncFlags: plan.options.syncFlags,
              repair: plan.problems,
              mapper: deps.mapper,
              newFolders: plan.options.newFolders,
              gmail: gmailSettingsOf(plan),
              ...(isOpenWindow(window) ? {} : { window }),
              newestFirst: plan.options.newestFirst,
              ...(deps.sliceMessages ? { sliceMessages: deps.sliceMessages } : {}),
            }),
          );
        } catch (err) {
          fatal ??= err;
        }
      }),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const totals = results.reduce((t, r) => addTotals(t, r.totals), emptyTotals());
  const interrupted = deps.signal.aborted;
  try {
    deps.state.finishRun(
      runId,
      fatal ? 'failed' : interrupted ? 'interrupted' : 'done',
      totals.copied,
      totals.bytes,
      seconds,
    );
  } catch (err) {
    fatal ??= err; // a full disk fails this too: report the first failure
  }
  if (fatal) throw stateWriteError(fatal) ?? fatal;
  deps.reporter.emit({ type: 'run-done', seconds, totals, interrupted });
  results.sort((a, b) => byCodeUnits(a.account, b.account));
  const complete = !interrupted && results.length === accounts.length && results.every((r) => r.ok);
  return { accounts: results, totals, seconds, interrupted, complete };
}
