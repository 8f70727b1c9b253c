/**
 * The work of an account's lanes (core/account-pool.ts): sync one folder on a lane's connections,
 * and while its last batches are appended, prepare the lane's next folder (open, scan, create and
 * select its destination) on the same connections. A folder the server refuses is reported and
 * the lane goes on; a full destination stops the account.
 */
import type { Lane } from '../core/account-pool.js';
import { appendLimitBytes } from '../core/capabilities.js';
import { isStoreError, MailshiftError } from '../core/errors.js';
import type { Reporter } from '../core/events.js';
import type { RepairPolicy } from '../core/repair.js';
import type { PlanLimits } from '../plan/schema.js';
import type { ResolvedWindow } from '../plan/window.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { AccountTally } from './account-tally.js';
import type { ByteBudget } from './byte-budget.js';
import { ensureFolder, type KnownFolders } from './destination-folders.js';
import type { CopyLane, FolderContext, FolderTask, PreparedFolder } from './folder-context.js';
import { finishFolder, type CopyPipe } from './folder-copy.js';
import { prepareFolder } from './folder-prepare.js';
import { quotaStop, remainingBytes } from './quota-stop.js';
import type { RateLimit } from './rate-limit.js';
import { isUploadLimitBye, type DailyBudget } from './daily-budget.js';

/** What the lanes of one account share: the run's parts and the account's. */
export interface FolderWorkDeps {
  account: string;
  state: CheckpointStore;
  reporter: Reporter;
  budget: ByteBudget;
  limits: PlanLimits;
  syncFlags: boolean;
  repair: RepairPolicy;
  rate: RateLimit | undefined;
  /** The account's daily upload budget (limits.maxBytesPerDay), when the plan or its preset sets one. */
  daily?: DailyBudget;
  /** The destination's folders, updated as the lanes create them. */
  known: KnownFolders;
  tally: AccountTally;
  /** Every folder of this run of the account, for what a full destination still needs. */
  jobs: readonly FolderTask[];
  /** How many more pipes a folder's copy may be split across (the account's idle lanes). */
  extraPipes(job: FolderTask): number;
  /** Opens one more pipe: a body reader on the source and an appender on the destination. */
  openPipe(): Promise<CopyPipe>;
  /** The account's date window for this pass, and the order of the copy (date-window.ts, copy-order.ts). */
  window?: ResolvedWindow;
  newestFirst?: boolean;
  /** Messages per slice of a big folder's copy (tests make it small). */
  sliceMessages?: number;
}

/** Batches a folder must have to copy before more connections are worth their logins. */
const SPLIT_FROM_BATCHES = 8;

/**
 * Syncs one folder on a lane, `prepared` ahead or now.
 * @throws a transient failure (for the pool to retry) or the account-scope error that stops it
 */
export async function syncFolder(
  deps: FolderWorkDeps,
  job: FolderTask,
  lane: Lane<CopyLane, FolderTask, PreparedFolder>,
  prepared: Promise<PreparedFolder> | undefined,
): Promise<void> {
  const ctx = folderContext(deps, lane);
  try {
    const ready = await (prepared ?? prepare(ctx, deps.known, job));
    const extra = await openPipes(deps, job, ready);
    let totals;
    try {
      totals = await finishFolder(
        ctx,
        ready,
        () =>
          lane.prepareNext((next) =>
            // Two source folders merged into one destination folder are prepared one after the
            // other, so that the second sees every copy of the first.
            next.destination === job.destination ? undefined : prepare(ctx, deps.known, next),
          ),
        extra,
      );
    } finally {
      await Promise.allSettled(extra.flatMap((p) => [p.bodies.close(), p.appender.close()]));
    }
    deps.tally.folderDone(job, totals, ready.copy === undefined);
  } catch (err) {
    // Gmail ends sessions that passed its daily upload limit: a stop for the day, not a retry now.
    if (deps.daily && isUploadLimitBye(err)) throw deps.daily.stop(err);
    if (isStoreError(err, 'overquota')) {
      const remaining = remainingBytes(deps.state, deps.account, deps.jobs);
      throw await quotaStop(deps.account, lane.conns.destination, remaining, err);
    }
    // A server's NO/BAD about this folder (and the engine's own folder errors) fail the folder;
    // anything wider stops the account, and an error that is not ours is a bug: it stops the run.
    if (!(err instanceof MailshiftError) || err.scope !== 'folder') throw err;
    deps.tally.folderFailed(job.source, err.message);
  }
}

/** The extra pipes a large folder's copy is split across, opened at once (none for most folders). */
async function openPipes(deps: FolderWorkDeps, job: FolderTask, ready: PreparedFolder): Promise<CopyPipe[]> {
  // A folder copied in slices is big, even where its first slice has little left (a resume).
  const batches = ready.copy?.rest.length
    ? Infinity
    : (ready.copy?.metas.length ?? 0) / deps.limits.batchMessages;
  const want = batches >= SPLIT_FROM_BATCHES ? deps.extraPipes(job) : 0;
  const opened = await Promise.allSettled(Array.from({ length: want }, () => deps.openPipe()));
  const pipes = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(pipes.flatMap((p) => [p.bodies.close(), p.appender.close()]));
    throw failed.reason;
  }
  return pipes;
}

/** Prepares a folder, its destination folder created (when missing) while the source is scanned. */
function prepare(ctx: FolderContext, known: KnownFolders, job: FolderTask): Promise<PreparedFolder> {
  const ready = ensureFolder(ctx.dst, job, known, (paths) => ctx.state.markCreated(ctx.account, paths));
  ready.catch(() => {}); // prepareFolder waits for it
  return prepareFolder(ctx, job, ready);
}

function folderContext(
  deps: FolderWorkDeps,
  lane: Lane<CopyLane, FolderTask, PreparedFolder>,
): FolderContext {
  const c = lane.conns;
  return {
    account: deps.account,
    src: c.source,
    bodies: c.bodies,
    dst: c.destination,
    appender: c.appender,
    state: deps.state,
    budget: deps.budget,
    limits: deps.limits,
    syncFlags: deps.syncFlags,
    repair: deps.repair,
    appendLimit: appendLimitBytes(c.destination.capabilities),
    reporter: deps.reporter,
    signal: lane.signal,
    rate: deps.rate,
    ...(deps.daily ? { daily: deps.daily } : {}),
    ...(deps.window ? { window: deps.window } : {}),
    newestFirst: deps.newestFirst ?? false,
    ...(deps.sliceMessages ? { sliceMessages: deps.sliceMessages } : {}),
    committed: () => lane.progress(),
  };
}
