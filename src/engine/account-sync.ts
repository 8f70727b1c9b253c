/**
 * Migrates one account: its setup (account-setup.ts) lists the source, decides the folder mapping
 * and leaves unchanged folders alone; then the changed folders are synced over a few lanes of
 * connections (core/account-pool.ts, folder-workers.ts). A folder's failure is reported and the
 * others go on; an account-wide failure (login, quota, connections that keep failing) stops this
 * account only.
 */
import { AccountPool } from '../core/account-pool.js';
import type { RetryPolicy } from '../core/backoff.js';
import { MailshiftError } from '../core/errors.js';
import type { Reporter } from '../core/events.js';
import { DEFAULT_LANES } from '../core/connection-caps.js';
import type { AccountConnectors, FolderMapper } from '../core/ports.js';
import type { SideListing } from '../core/folders.js';
import type { RepairPolicy } from '../core/repair.js';
import type { PlanLimits } from '../plan/schema.js';
import type { ResolvedWindow } from '../plan/window.js';
import type { Logger } from '../shared/logger.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { planFolders } from './account-setup.js';
import { claimProblems } from './account-check.js';
import { knownFolders } from './destination-folders.js';
import { AccountTally, type AccountResult } from './account-tally.js';
import type { ByteBudget } from './byte-budget.js';
import type { CopyPool, FolderTask } from './folder-context.js';
import { syncFolder } from './folder-workers.js';
import type { LaneBudget } from './lane-budget.js';
import { RateLimit } from './rate-limit.js';
import { DailyBudget } from './daily-budget.js';
import { copyGmail } from './gmail-source.js';
import { gmailView, type GmailSettings } from '../plan/gmail-labels.js';

export type { AccountResult } from './account-tally.js';

/** Everything an account sync needs besides its connections. */
export interface AccountDeps {
  state: CheckpointStore;
  reporter: Reporter;
  logger: Logger;
  signal: AbortSignal;
  budget: ByteBudget;
  limits: PlanLimits;
  /** Lanes (connection pairs) this account may use at most (core/connection-caps.ts). */
  lanes: number;
  /** The plan sets the lanes: use them all where there is work, instead of what the work needs. */
  fixedLanes: boolean;
  /**
   * The run's lanes shared among its accounts (lane-budget.ts): without it, the account takes
   * what its work needs within `lanes`.
   */
  laneBudget?: Pick<LaneBudget, 'take' | 'give'>;
  /** Lanes an account may want for its messages (`messageLanes`); the default lanes when absent. */
  messageLanes?: number;
  retry: RetryPolicy;
  syncFlags: boolean;
  repair: RepairPolicy;
  mapper: FolderMapper;
  /** The plan's rule for source folders created after `mailshift plan` (options.newFolders). */
  newFolders: 'copy' | 'review';
  /** How a Gmail source is copied (the plan's `gmail` section and the source's provider). */
  gmail?: GmailSettings;
  /** The account's date window for this pass (date-window.ts); every message when absent. */
  window?: ResolvedWindow;
  /** Newest mail first (copy-order.ts, `options.newestFirst`). */
  newestFirst: boolean;
  /** Messages per slice of a big folder's copy (tests make it small). */
  sliceMessages?: number;
}

/**
 * Migrates one account; never throws for account-level problems (they are in the result).
 * @throws only when the run itself must stop (interrupted, state unwritable, a bug).
 */
export async function syncAccount(
  account: string,
  conn: AccountConnectors,
  deps: AccountDeps,
): Promise<AccountResult> {
  const tally = new AccountTally(account, deps.reporter);
  deps.reporter.emit({ type: 'account-start', account });
  deps.state.setAccountStatus(account, 'in progress');
  const pool: CopyPool = new AccountPool({
    account,
    lanes: deps.lanes,
    retry: deps.retry,
    signal: deps.signal,
    connect: {
      source: () => conn.source(),
      bodies: () => conn.bodies(),
      destination: () => conn.destination(),
      appender: () => conn.appender(),
    },
    log: deps.logger,
    // The closing check lists the destination on a lane's control connection (`listNow`).
    keep: ['destination'],
  });
  const held = { lanes: 0 };
  try {
    await syncFolders(account, conn, pool, tally, deps, held);
  } catch (err) {
    if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
    tally.accountFailed(err);
  } finally {
    await pool.close();
    // Every lane has closed its connections by now: other accounts may have them.
    if (held.lanes > 0) deps.laneBudget?.give(held.lanes);
  }
  const result = tally.outcome(deps.signal.aborted);
  const status = deps.signal.aborted ? 'interrupted' : result.ok ? 'done' : 'incomplete';
  deps.state.setAccountStatus(account, status, result.error);
  deps.reporter.emit({
    type: 'account-done',
    account,
    totals: result.totals,
    folders: result.folders,
    failedFolders: result.failedFolders.length,
  });
  return result;
}

/**
 * The lanes an account's work needs: about one per thousand messages to copy (up to
 * `messageLanes`: a large folder is split across the idle ones, folder-copy.ts), and one per ten
 * folders: each folder costs a few round trips in sequence (create, select, scan, fetch, append)
 * that another lane overlaps, and a lane's logins cost about what two small folders do.
 */
export function lanesForWork(jobs: readonly FolderTask[], messageLanes = DEFAULT_LANES): number {
  const messages = jobs.reduce((s, j) => s + (j.listing.messages ?? 0), 0);
  return Math.max(1, Math.min(messageLanes, Math.ceil(messages / 1000)), Math.ceil(jobs.length / 10));
}

/**
 * Lanes that bodies keep busy, shared among the accounts that run at once: a lane moves a batch
 * from the source while the one before is appended, two batches of the byte budget. Beyond that,
 * more lanes wait for the budget (a five-account run at 30 ms was slower with four lanes each
 * than with two); a lone account at a distance gains from up to three (one account of 4,000
 * messages in 20 folders at 30 ms: 9.3 s with two, 6.8 s with three, 7.5 s with four, `npm run
 * bench -- --skip-peers --runs mailshift-30ms-1acct`).
 */
export function messageLanes(
  limits: Pick<PlanLimits, 'bytesInFlight' | 'batchBytes'>,
  accountsAtOnce: number,
): number {
  const fed = Math.floor(limits.bytesInFlight / (2 * limits.batchBytes) / Math.max(1, accountsAtOnce));
  return Math.min(3, Math.max(DEFAULT_LANES, fed));
}

/** The lanes this account takes for its jobs: what the work needs, within the run's budget. */
function takeLanes(jobs: readonly FolderTask[], deps: AccountDeps, held: { lanes: number }): number {
  const want = lanesForWork(jobs, deps.messageLanes);
  if (!deps.laneBudget) return want;
  held.lanes = deps.laneBudget.take(want);
  return held.lanes;
}

/** The setup, the changed folders over the lanes, then the claim checked against both servers. */
async function syncFolders(
  account: string,
  conn: AccountConnectors,
  pool: CopyPool,
  tally: AccountTally,
  deps: AccountDeps,
  held: { lanes: number },
) {
  const folders = await planFolders(pool, account, deps, conn.listing?.bind(conn));
  for (const d of folders.drift) tally.drifted(d);
  tally.planned(folders);
  for (const u of folders.unsendable) tally.folderFailed(u.folder, u.reason);
  if (folders.jobs.length > 0) {
    if (!deps.fixedLanes) pool.limitLanes(takeLanes(folders.jobs, deps, held));
    // Lanes the caps allow but no folder takes (one huge INBOX) split the biggest folder's copy.
    // At most one extra pipe beyond the default lanes' (each holds its batches and parse buffers:
    // two extra took one 30,000-message INBOX from 136 to 141 MiB for 1% more speed).
    const spare = Math.min(DEFAULT_LANES - 1, Math.max(0, pool.lanes - folders.jobs.length));
    const biggest = folders.jobs[0];
    const work = {
      ...deps,
      account,
      extraPipes: (job: FolderTask) => (job === biggest ? spare : 0),
      openPipe: async () => {
        const [bodies, appender] = await Promise.all([conn.bodies(), conn.appender()]);
        return { bodies, appender };
      },
      rate: RateLimit.from(deps.limits),
      ...(deps.limits.maxBytesPerDay
        ? {
            daily: new DailyBudget(account, deps.limits.maxBytesPerDay, {
              appendedSince: (since) => deps.state.bytesAppendedSince(account, since),
            }),
          }
        : {}),
      known: knownFolders(
        folders.destination,
        folders.decisions,
        folders.source,
        deps.state.createdFolders(account),
      ),
      tally,
      jobs: folders.jobs,
    };
    const run = (jobs: FolderTask[]) =>
      pool.run({
        jobs,
        work: (job, lane, prepared) => syncFolder(work, job, lane, prepared),
        name: (job) => job.source,
      });
    // A Gmail source: label folders first, All Mail last (gmail-source.ts).
    const gmail = deps.gmail && gmailView(deps.gmail, folders.decisions, folders.source);
    if (gmail) await copyGmail(pool, gmail, folders.jobs, run, deps.signal);
    else await run(folders.jobs);
  }
  if (deps.signal.aborted) return;
  const destination = folders.jobs.length === 0 ? folders.destination : await destinationNow(pool, conn);
  const problems = claimProblems({
    account,
    decisions: folders.decisions,
    source: folders.source,
    destination,
    drift: folders.drift,
    failed: tally.incompleteFolders,
    state: deps.state,
  });
  for (const p of problems) tally.notShown(p);
}

/**
 * The destination as it is now, for the closing check: on the control connection a lane left to
 * the pool, where the server can list it as it is now there (one round trip, no login); else on a
 * new connection of its own (one login and one round trip where the server allows), else on the
 * account's. The lane's connection is closed before either: the account's listing must not meet
 * the folder it selected.
 */
async function destinationNow(pool: CopyPool, conn: AccountConnectors): Promise<SideListing> {
  const kept = pool.withdraw('destination');
  const now = await kept?.listNow?.().catch(() => undefined);
  // LOGOUT is not waited for (as after the setup's own listings): the listing is read.
  void kept?.close();
  if (now) return now;
  // Another connection: once the lanes' own are closed (the account's caps).
  await pool.quiet();
  return (
    (await conn.listing?.('destination').catch(() => undefined)) ??
    (await pool.setup('checking the destination', ['destination'], (c) => c.destination.listFolders()))
  );
}
