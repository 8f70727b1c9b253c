/**
 * Migrates one account: list the source (with LIST-STATUS), decide the folder mapping, leave
 * unchanged folders alone, create what is missing on the destination, then sync the changed
 * folders over a few connection pairs. A folder's failure is reported and the others go on; an
 * account-wide failure (login, quota) stops this account only.
 */
import type { Appender, BodyReader, DestinationStore, SourceStore } from '../core/ports.js';
import { isStoreError, transientOf } from '../core/errors.js';
import type { FolderDecision, FolderListing, SideListing } from '../core/folders.js';
import type { PlanLimits } from '../plan/schema.js';
import { formatSize } from '../core/units.js';
import type { Logger } from '../shared/logger.js';
import { MailshiftError } from '../core/errors.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { ByteBudget } from './byte-budget.js';
import { addTotals, emptyTotals, type FolderTotals, type Reporter } from '../core/events.js';
import {
  finishFolder,
  isUnchanged,
  prepareFolder,
  type FolderContext,
  type FolderJob,
  type PreparedFolder,
} from './folder-sync.js';
import { RateLimit } from './rate-limit.js';
import type { RepairPolicy } from '../core/repair.js';
import type { AccountConnectors, FolderMapper } from '../core/ports.js';
import { backoff, sleep } from '../core/backoff.js';
import { isDone } from '../core/messages.js';

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

/** One worker's connections: source control and body reader, destination control and appender. */
interface Pair {
  src: SourceStore;
  bodies: BodyReader;
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
  const opened: Opened = {};
  const stop = new AbortController();
  const run: AccountRun = {
    account,
    conn,
    deps,
    result,
    stop,
    signal: AbortSignal.any([deps.signal, stop.signal]),
    lanes: deps.limits.connectionsPerAccount,
    rate: RateLimit.from(deps.limits),
    progress: 0,
    remainingBytes: () => undefined,
  };
  try {
    await runAccount(run, opened);
  } catch (caught) {
    // Listing or creating folders kept failing on the way: this account stops, the others go on.
    const err = retriesSpent(account, caught) ?? caught;
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

/** The connections the account setup opened, handed to the first worker afterwards. */
type Opened = { src?: SourceStore; dst?: DestinationStore };

/** One account's run, shared by its workers. */
interface AccountRun {
  account: string;
  conn: AccountConnectors;
  deps: AccountDeps;
  result: AccountResult;
  /** Aborted when this account must stop (quota, login lost): the other workers end too. */
  stop: AbortController;
  /** The run's signal or the account's stop. */
  signal: AbortSignal;
  /** Workers allowed to take another folder; lowered each time the server throttles. */
  lanes: number;
  rate: RateLimit | undefined;
  /** Batches committed so far: a failure after progress starts its retries afresh. */
  progress: number;
  /** The first error that stopped a worker. */
  failure?: unknown;
  /** Bytes of the account still to copy, when the source reports folder sizes (STATUS=SIZE). */
  remainingBytes(): number | undefined;
  /** Destination folders as listed at the start, updated as workers create them. */
  folders?: KnownFolders;
}

/** A folder to sync, with what the account's listing said of it (subscription, size). */
type Job = FolderJob & { listing: FolderListing };

/** What the workers know of the destination's folders (NFC names), shared within an account. */
interface KnownFolders {
  delimiter: string;
  existing: Set<string>;
  subscribed: Set<string>;
  /** Created by this run, parents included: their subscription follows their own source folder. */
  created: Set<string>;
}

async function closeOpened(opened: Opened): Promise<void> {
  await Promise.allSettled([opened.src?.close(), opened.dst?.close()]);
  opened.src = undefined;
  opened.dst = undefined;
}

async function runAccount(run: AccountRun, opened: Opened): Promise<void> {
  const { account, conn, deps, result } = run;
  const setup = await retrying(
    run,
    'listing folders',
    async () => {
      const resolved = deps.mapper.resolved(account);
      // Both sides log in and list at the same time: each login is several round trips.
      const [src, dst] = await Promise.allSettled([
        (async () => {
          opened.src ??= await conn.source();
          return opened.src.listFolders();
        })(),
        (async () => {
          if (resolved) return undefined;
          opened.dst ??= await conn.destination();
          return opened.dst.listFolders();
        })(),
      ]);
      if (src.status === 'rejected') throw src.reason;
      if (dst.status === 'rejected') throw dst.reason;
      const source = src.value;
      const destination: SideListing | undefined = dst.value;
      const decisions = resolved ?? deps.mapper.propose(account, source, destination!);
      return { source, destination, decisions };
    },
    () => closeOpened(opened),
  );
  const { source, decisions } = setup;
  let destination = setup.destination;
  for (const d of decisions)
    if (d.action === 'skip') result.skippedFolders.push({ folder: d.source, reason: d.detail });
  const listed = new Map(source.folders.map((f) => [f.path, f]));
  const jobs = decisions
    .filter((d): d is Extract<FolderDecision, { action: 'copy' }> => d.action === 'copy')
    .flatMap((d): Job[] => {
      const listing = listed.get(d.source);
      return listing
        ? [{ source: d.source, destination: d.destination, status: listing.status, listing }]
        : [];
    });
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

  run.remainingBytes = () => remainingBytes(deps.state, account, changed);
  await retrying(
    run,
    'listing destination folders',
    async () => {
      opened.dst ??= await conn.destination();
      destination ??= await opened.dst.listFolders();
      run.folders = knownFolders(destination);
    },
    async () => {
      await closeOpened(opened);
      destination = undefined; // some folders may exist now
    },
  );
  // Biggest folders first, so the last connection does not finish long after the others.
  const queue = [...changed].sort((a, b) => (b.listing.messages ?? 0) - (a.listing.messages ?? 0));
  const pairs = Math.min(run.lanes, queue.length);
  run.lanes = pairs;
  const first: Partial<Pair> = { src: opened.src, dst: opened.dst };
  opened.src = undefined; // handed to worker 0, which closes it
  opened.dst = undefined;
  // Every worker ends (and closes its connections) before the account reports its result.
  await Promise.allSettled(
    Array.from({ length: pairs }, (_, i) => runWorker(run, i, queue, i === 0 ? first : {})),
  );
  if (run.failure !== undefined) throw run.failure;
}

/** Source bytes of the changed folders not yet copied or found: what a full destination still needs. */
function remainingBytes(state: CheckpointStore, account: string, jobs: Job[]): number | undefined {
  if (jobs.some((j) => j.listing.size === undefined)) return undefined;
  const total = jobs.reduce((s, j) => s + (j.listing.size ?? 0), 0);
  const folders = new Set(jobs.map((j) => j.source));
  let done = 0;
  for (const r of state.accountMessages(account)) {
    if (folders.has(r.folder) && isDone(r.state)) done += r.size;
  }
  return Math.max(0, total - done);
}

function folderUnchanged(state: CheckpointStore, account: string, job: Job): boolean {
  const st = job.listing.status;
  if (!st) return false;
  return (
    state.inDoubt(account, job.source).length === 0 &&
    isUnchanged(state.folder(account, job.source), st, job.destination)
  );
}

function knownFolders(destination: SideListing): KnownFolders {
  const nfc = (f: FolderListing) => f.path.normalize('NFC');
  return {
    delimiter: destination.namespace.delimiter,
    existing: new Set(destination.folders.map(nfc)),
    subscribed: new Set(destination.folders.filter((f) => f.subscribed).map(nfc)),
    created: new Set(),
  };
}

/**
 * Creates a job's destination folder (and missing parents) when it is missing, and subscribes it
 * like its source folder. Done by the worker just before the folder is synced, so that creating
 * twenty folders does not cost forty round trips before the first message moves.
 */
async function ensureFolder(dst: DestinationStore, job: Job, known: KnownFolders): Promise<void> {
  const path = job.destination.normalize('NFC');
  if (!known.existing.has(path)) {
    const before = new Set(known.existing);
    await dst.createFolder(job.destination, known);
    for (const p of known.existing) {
      if (before.has(p)) continue;
      known.created.add(p);
      known.subscribed.add(p);
    }
  }
  if (job.listing.subscribed && !known.subscribed.has(path)) {
    await dst.setSubscribed(job.destination, true);
    known.subscribed.add(path);
  } else if (!job.listing.subscribed && known.created.has(path) && known.subscribed.has(path)) {
    // CREATE subscribes; an unsubscribed source folder stays unsubscribed.
    await dst.setSubscribed(job.destination, false);
    known.subscribed.delete(path);
  }
}

/**
 * Opens the pair's missing connections at the same time (each login is several round trips).
 * @throws the first failure, after closing what this call opened.
 */
async function openPair(conn: AccountConnectors, have: Partial<Pair>): Promise<Pair> {
  const [src, bodies, dst, appender] = await Promise.allSettled([
    have.src ?? conn.source(),
    have.bodies ?? conn.bodies(),
    have.dst ?? conn.destination(),
    have.appender ?? conn.appender(),
  ]);
  if (
    src.status === 'fulfilled' &&
    bodies.status === 'fulfilled' &&
    dst.status === 'fulfilled' &&
    appender.status === 'fulfilled'
  ) {
    return { src: src.value, bodies: bodies.value, dst: dst.value, appender: appender.value };
  }
  const opened = <T>(r: PromiseSettledResult<T>, had: T | undefined) =>
    r.status === 'fulfilled' && r.value !== had ? r.value : undefined;
  await closePair({
    src: opened(src, have.src),
    bodies: opened(bodies, have.bodies),
    dst: opened(dst, have.dst),
    appender: opened(appender, have.appender),
  });
  const failed = [src, bodies, dst, appender].find((r) => r.status === 'rejected');
  throw (failed as PromiseRejectedResult).reason;
}

async function closePair(p: Partial<Pair>): Promise<void> {
  await Promise.allSettled([p.src?.close(), p.bodies?.close(), p.dst?.close(), p.appender?.close()]);
}

/**
 * Runs one unit of work (listing, folder creation, a folder), retrying what a new connection may
 * fix (lost, stalled or throttled) after a backoff with jitter, or the wait the server asked for.
 * Attempts count consecutive failures without progress, so a long folder survives many cuts.
 * A throttling server also takes one connection off the account.
 * @throws the error when it is not transient or the attempts are spent.
 */
async function retrying<T>(
  run: AccountRun,
  unit: string,
  fn: () => Promise<T>,
  reset: () => Promise<void>,
): Promise<T> {
  const { deps } = run;
  let progress = run.progress;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (run.progress !== progress) {
        progress = run.progress;
        attempt = 0;
      }
      const transient = transientOf(err);
      if (!transient || attempt >= deps.retry.attempts || run.signal.aborted) throw err;
      if (transient.kind === 'throttled' && run.lanes > 1) {
        run.lanes--;
        deps.logger.warn(
          { account: run.account, connections: run.lanes },
          'server asks to slow down: fewer connections',
        );
      }
      const delay = transient.waitMs ?? backoff(attempt, deps.retry);
      deps.logger.warn(
        { account: run.account, folder: unit, attempt, delay, err: String(err) },
        'retrying folder',
      );
      await reset();
      await sleep(delay, run.signal);
    }
  }
}

/** One connection pair working through the account's folder queue while its lane is open. */
async function runWorker(run: AccountRun, lane: number, queue: Job[], initial: Partial<Pair>): Promise<void> {
  const { account, conn, deps, result } = run;
  let pair: Partial<Pair> = initial;
  const next = () => (lane < run.lanes && !run.signal.aborted ? queue.shift() : undefined);
  const folderFailed = (folder: string, error: string) => {
    result.failedFolders.push({ folder, error });
    deps.reporter.emit({ type: 'folder-failed', account, folder, error });
  };
  // The next folder: taken from the queue and prepared (opened, scanned, its destination created and
  // selected) while the current folder's last batches are appended, on the same connections.
  const look: { ahead?: { job: Job; prepared?: Promise<PreparedFolder>; reader?: BodyReader } } = {};
  /**
   * The folder after this one: the one prepared ahead, unless this worker must stop (interrupted,
   * or its lane closed because the server asks to slow down); then that folder goes back to the
   * queue for another worker, once its preparation has ended.
   */
  const following = async (): Promise<Job | undefined> => {
    const a = look.ahead;
    if (a && (lane >= run.lanes || run.signal.aborted)) {
      look.ahead = undefined;
      await a.prepared?.catch(() => undefined);
      queue.unshift(a.job);
    }
    return look.ahead?.job ?? next();
  };
  const prepare = (p: Pair, job: Job) => {
    // Created while the source folder is opened and scanned; prepareFolder waits for it.
    const ready = run.folders ? ensureFolder(p.dst, job, run.folders) : Promise.resolve();
    ready.catch(() => {});
    const prepared = prepareFolder(folderContext(run, p), job, ready);
    prepared.catch(() => {}); // awaited when its turn comes
    return prepared;
  };
  try {
    for (let job = next(); job; job = await following()) {
      const current = job;
      let ahead = look.ahead?.job === current ? look.ahead : undefined;
      look.ahead = undefined;
      try {
        await retrying(
          run,
          current.source,
          async () => {
            const p = await openPair(conn, pair);
            pair = p;
            // A prepared folder is used once, on the body reader that opened it; after a reconnect
            // (or a retry) the folder is looked at afresh, once the old preparation has ended.
            let prepared = ahead?.reader === p.bodies ? ahead.prepared : undefined;
            if (!prepared) await ahead?.prepared?.catch(() => undefined);
            ahead = undefined;
            prepared ??= prepare(p, current);
            const totals = await finishFolder(folderContext(run, p), await prepared, () => {
              const upcoming = look.ahead ? undefined : next();
              if (!upcoming) return;
              // Two source folders merged into one destination folder are prepared one after the
              // other, so that the second sees every copy of the first.
              look.ahead =
                upcoming.destination === current.destination
                  ? { job: upcoming }
                  : { job: upcoming, prepared: prepare(p, upcoming), reader: p.bodies };
            });
            addTotals(result.totals, totals);
          },
          async () => {
            await closePair(pair);
            pair = {};
          },
        );
      } catch (err) {
        if (isStoreError(err, 'overquota')) throw await quotaStop(run, pair, err);
        const spent = retriesSpent(account, err);
        if (spent) throw spent;
        // A server's NO/BAD about this folder (and the engine's own folder errors) fail the folder;
        // anything wider stops the account, and an error that is not ours is a bug: it stops the run.
        if (!(err instanceof MailshiftError) || err.scope !== 'folder') throw err;
        folderFailed(current.source, err.message);
      }
    }
  } catch (err) {
    run.failure ??= err;
    run.stop.abort();
    throw err;
  } finally {
    await closePair(pair);
  }
}

/** The account-scope error for a transient failure that outlasted its retries, or undefined. */
function retriesSpent(account: string, err: unknown): MailshiftError | undefined {
  // A connection that could not even be made already names the server and what to check.
  if (err instanceof MailshiftError && err.code === 'CONN_FAILED') return undefined;
  const transient = transientOf(err);
  if (transient?.kind === 'throttled') {
    return new MailshiftError(`the servers of ${account} kept asking to slow down: ${errorText(err)}`, {
      code: 'THROTTLED',
      scope: 'account',
      hint: 'run again later, with fewer limits.connectionsPerAccount or a limits.maxMessagesPerSecond cap',
      cause: err,
    });
  }
  if (transient) {
    return new MailshiftError(`connection to the servers of ${account} kept failing: ${errorText(err)}`, {
      code: 'CONN_LOST',
      scope: 'account',
      hint: 'check the network and the servers; run again to continue where it stopped',
      cause: err,
    });
  }
  return undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The destination refused to store more (NO [OVERQUOTA]): the account stops, saying how much more
 * space the rest needs, from the quota (RFC 9208 GETQUOTAROOT) and the source folder sizes.
 */
async function quotaStop(run: AccountRun, pair: Partial<Pair>, err: unknown): Promise<MailshiftError> {
  const quota = await pair.dst?.quota().catch(() => undefined);
  const remaining = run.remainingBytes();
  const used = quota ? ` (${formatSize('en', quota.usage)} of ${formatSize('en', quota.limit)} used)` : '';
  const needed =
    remaining === undefined
      ? undefined
      : Math.max(0, remaining - (quota ? Math.max(0, quota.limit - quota.usage) : 0));
  const need =
    needed === undefined
      ? 'at least as much free space as the mail still to copy'
      : `about ${formatSize('en', needed)} more space for the ${formatSize('en', remaining ?? 0)} still to copy`;
  return new MailshiftError(`the destination mailbox of ${run.account} is full${used}: it needs ${need}`, {
    code: 'DEST_OVERQUOTA',
    scope: 'account',
    hint:
      needed === undefined
        ? 'raise its quota on the destination or free space there, then run again: the copy continues where it stopped'
        : `raise its quota on the destination by at least ${formatSize('en', needed)} (or free that much), then run again: the copy continues where it stopped`,
    cause: err,
  });
}

function folderContext(run: AccountRun, p: Pair): FolderContext {
  const { account, deps } = run;
  const appendLimit = [...p.dst.capabilities].find((c) => c.startsWith('APPENDLIMIT='));
  return {
    account,
    src: p.src,
    bodies: p.bodies,
    dst: p.dst,
    appender: p.appender,
    state: deps.state,
    budget: deps.budget,
    limits: deps.limits,
    syncFlags: deps.syncFlags,
    repair: deps.repair,
    appendLimit: appendLimit ? Number(appendLimit.slice('APPENDLIMIT='.length)) : undefined,
    reporter: {
      emit: (e) => {
        if (e.type === 'progress') run.progress++;
        deps.reporter.emit(e);
      },
    },
    signal: run.signal,
    rate: run.rate,
  };
}
