/**
 * Migrates one account: list the source (with LIST-STATUS), decide the folder mapping, leave
 * unchanged folders alone, create what is missing on the destination, then sync the changed
 * folders over a few connection pairs. A folder's failure is reported and the others go on; an
 * account-wide failure (login, quota) stops this account only.
 */
import type { Appender, DestinationStore, SourceStore } from '../imap/stores.js';
import { classifyTransient, isServerRefusal, refusalText } from '../imap/errors.js';
import type { FolderDecision, FolderListing, SideListing } from '../plan/folder-types.js';
import type { PlanLimits } from '../plan/schema.js';
import type { Logger } from '../shared/logger.js';
import { MailshiftError } from '../shared/errors.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { ByteBudget } from './byte-budget.js';
import { addTotals, emptyTotals, type FolderTotals, type Reporter } from './events.js';
import { isUnchanged, syncFolder, type FolderContext, type FolderJob } from './folder-sync.js';
import type { RepairPolicy } from './repair.js';

/** How the engine reaches one account's servers (built by the CLI). */
export interface AccountConnectors {
  source(): Promise<SourceStore>;
  destination(): Promise<DestinationStore>;
  appender(): Promise<Appender>;
}

/** Decides folder mapping: from the resolved plan, or proposed now from both listings. */
export interface FolderMapper {
  /** Decisions known without listing the destination (a resolved plan), or undefined. */
  resolved(account: string): FolderDecision[] | undefined;
  propose(account: string, source: SideListing, destination: SideListing): FolderDecision[];
}

/** Everything an account sync needs besides its connections. */
export interface AccountDeps {
  state: CheckpointStore;
  reporter: Reporter;
  logger: Logger;
  signal: AbortSignal;
  budget: ByteBudget;
  limits: PlanLimits;
  syncFlags: boolean;
  repair: RepairPolicy;
  mapper: FolderMapper;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

/** What happened to an account. */
export interface AccountResult {
  account: string;
  ok: boolean;
  totals: FolderTotals;
  folders: number;
  failedFolders: { folder: string; error: string }[];
  skippedFolders: { folder: string; reason: string }[];
  error?: string;
  hint?: string;
}

interface Pair {
  src: SourceStore;
  dst: DestinationStore;
  appender: Appender;
}

/**
 * Migrates one account; never throws for account-level problems (they are in the result).
 * @throws only when the run itself must stop (interrupted, test crash hook).
 */
export async function syncAccount(
  account: string,
  conn: AccountConnectors,
  deps: AccountDeps,
): Promise<AccountResult> {
  const result: AccountResult = {
    account,
    ok: true,
    totals: emptyTotals(),
    folders: 0,
    failedFolders: [],
    skippedFolders: [],
  };
  deps.reporter.emit({ type: 'account-start', account });
  deps.state.setAccountStatus(account, 'in progress');
  const opened: { src?: SourceStore; dst?: DestinationStore } = {};
  try {
    await runAccount(account, conn, deps, result, opened);
  } catch (err) {
    if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
    result.ok = false;
    result.error = err.message;
    result.hint = err.hint;
    deps.reporter.emit({ type: 'account-failed', account, error: err.message, hint: err.hint });
  } finally {
    await Promise.allSettled([opened.src?.close(), opened.dst?.close()]);
  }
  if (result.failedFolders.length > 0 || result.totals.failed > 0 || deps.signal.aborted) result.ok = false;
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

async function runAccount(
  account: string,
  conn: AccountConnectors,
  deps: AccountDeps,
  result: AccountResult,
  opened: { src?: SourceStore; dst?: DestinationStore },
): Promise<void> {
  opened.src = await conn.source();
  const source = await opened.src.listFolders();
  let destination: SideListing | undefined;
  let decisions = deps.mapper.resolved(account);
  if (!decisions) {
    opened.dst = await conn.destination();
    destination = await opened.dst.listFolders();
    decisions = deps.mapper.propose(account, source, destination);
  }
  for (const d of decisions)
    if (d.action === 'skip') result.skippedFolders.push({ folder: d.source, reason: d.detail });
  const listed = new Map(source.folders.map((f) => [f.path, f]));
  const jobs = decisions
    .filter((d): d is Extract<FolderDecision, { action: 'copy' }> => d.action === 'copy')
    .map((d) => ({ source: d.source, destination: d.destination, listing: listed.get(d.source) }))
    .filter((j): j is FolderJob & { listing: FolderListing } => j.listing !== undefined);
  result.folders = jobs.length;
  const changed = jobs.filter((j) => !folderUnchanged(deps.state, account, j));
  for (const j of jobs.filter((x) => !changed.includes(x))) {
    deps.reporter.emit({
      type: 'folder-done',
      account,
      folder: j.source,
      destination: j.destination,
      totals: emptyTotals(),
      unchanged: true,
    });
  }
  deps.reporter.emit({
    type: 'account-planned',
    account,
    folders: jobs.length,
    messages: changed.reduce((s, j) => s + (j.listing.messages ?? 0), 0),
    bytes: changed.reduce((s, j) => s + (j.listing.size ?? 0), 0),
  });
  if (changed.length === 0) return;

  opened.dst ??= await conn.destination();
  destination ??= await opened.dst.listFolders();
  await ensureFolders(opened.dst, destination, changed);
  // Biggest folders first, so the last connection does not finish long after the others.
  const queue = [...changed].sort((a, b) => (b.listing.messages ?? 0) - (a.listing.messages ?? 0));
  const pairs = Math.min(deps.limits.connectionsPerAccount, queue.length);
  const first: Partial<Pair> = { src: opened.src, dst: opened.dst };
  opened.src = undefined; // handed to worker 0, which closes it
  opened.dst = undefined;
  await Promise.all(
    Array.from({ length: pairs }, (_, i) =>
      runWorker(account, conn, deps, queue, result, i === 0 ? first : {}),
    ),
  );
}

function folderUnchanged(
  state: CheckpointStore,
  account: string,
  job: FolderJob & { listing: FolderListing },
): boolean {
  const st = job.listing.status;
  if (!st) return false;
  return (
    state.inDoubt(account, job.source).length === 0 &&
    isUnchanged(state.folder(account, job.source), st, job.destination)
  );
}

/** Creates missing destination folders (parents first) and subscribes them like their source. */
async function ensureFolders(
  dst: DestinationStore,
  destination: SideListing,
  jobs: (FolderJob & { listing: FolderListing })[],
): Promise<void> {
  const existing = new Map(destination.folders.map((f) => [f.path.normalize('NFC'), f]));
  for (const job of [...jobs].sort((a, b) => a.destination.localeCompare(b.destination))) {
    const have = existing.get(job.destination.normalize('NFC'));
    if (!have) {
      await dst.createFolder(job.destination);
      // CREATE subscribes in imapflow; match the source's choice.
      await dst.setSubscribed(job.destination, job.listing.subscribed);
    } else if (job.listing.subscribed && !have.subscribed) {
      await dst.setSubscribed(job.destination, true);
    }
  }
}

async function openPair(conn: AccountConnectors, have: Partial<Pair>): Promise<Pair> {
  const src = have.src ?? (await conn.source());
  const dst = have.dst ?? (await conn.destination());
  const appender = have.appender ?? (await conn.appender());
  return { src, dst, appender };
}

async function closePair(p: Partial<Pair>): Promise<void> {
  await Promise.allSettled([p.src?.close(), p.dst?.close(), p.appender?.close()]);
}

/** One connection pair working through the account's folder queue. */
async function runWorker(
  account: string,
  conn: AccountConnectors,
  deps: AccountDeps,
  queue: FolderJob[],
  result: AccountResult,
  initial: Partial<Pair>,
): Promise<void> {
  let pair: Partial<Pair> = initial;
  try {
    for (let job = queue.shift(); job && !deps.signal.aborted; job = queue.shift()) {
      for (let attempt = 0; ; attempt++) {
        try {
          const p = await openPair(conn, pair);
          pair = p;
          addTotals(result.totals, await syncFolder(folderContext(account, deps, p), job));
          break;
        } catch (err) {
          const transient = classifyTransient(err);
          if (transient && attempt < deps.retry.attempts && !deps.signal.aborted) {
            const delay = transient.waitMs ?? backoff(attempt, deps.retry);
            deps.logger.warn(
              { account, folder: job.source, attempt, delay, err: String(err) },
              'retrying folder',
            );
            await closePair(pair);
            pair = {};
            await sleep(delay, deps.signal);
            continue;
          }
          if (err instanceof MailshiftError && err.scope === 'folder') {
            result.failedFolders.push({ folder: job.source, error: err.message });
            deps.reporter.emit({ type: 'folder-failed', account, folder: job.source, error: err.message });
            break;
          }
          if (err instanceof MailshiftError) throw err;
          if (transient) {
            throw new MailshiftError(`connection to the servers of ${account} kept failing: ${String(err)}`, {
              code: 'CONN_LOST',
              scope: 'account',
              hint: 'check the network and the servers; run again to continue where it stopped',
              cause: err,
            });
          }
          // A server's NO/BAD about this folder fails the folder; anything else is a bug: stop.
          if (!isServerRefusal(err)) throw err;
          const msg = refusalText(err);
          result.failedFolders.push({ folder: job.source, error: msg });
          deps.reporter.emit({ type: 'folder-failed', account, folder: job.source, error: msg });
          break;
        }
      }
    }
  } finally {
    await closePair(pair);
  }
}

function folderContext(account: string, deps: AccountDeps, p: Pair): FolderContext {
  const appendLimit = [...p.dst.capabilities].find((c) => c.startsWith('APPENDLIMIT='));
  return {
    account,
    src: p.src,
    dst: p.dst,
    appender: p.appender,
    state: deps.state,
    budget: deps.budget,
    limits: deps.limits,
    syncFlags: deps.syncFlags,
    repair: deps.repair,
    appendLimit: appendLimit ? Number(appendLimit.slice('APPENDLIMIT='.length)) : undefined,
    reporter: deps.reporter,
    signal: deps.signal,
  };
}

/** Exponential backoff with full jitter (AWS architecture blog's "full jitter"). */
export function backoff(attempt: number, retry: AccountDeps['retry']): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
