/**
 * An account's setup, before any folder is synced: list both sides (with LIST-STATUS), take the
 * folder mapping (the resolved plan, or proposed from both listings), reconcile it with what
 * changed on either server, and leave alone the folders unchanged since their last complete sync.
 * A no-op re-run ends here, after one login and one LIST (with STATUS) on each side.
 */
import type { FolderDecision, FolderListing, SideListing } from '../core/folders.js';
import type { AccountConnectors, FolderMapper } from '../core/ports.js';
import type { Drift } from '../core/drift.js';
import { reconcile } from '../plan/drift.js';
import type { ResolvedWindow } from '../plan/window.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { PlannedFolders } from './account-tally.js';
import type { CopyPool, FolderTask } from './folder-context.js';
import { folderOrder } from './copy-order.js';
import { windowKey } from './date-window.js';
import { folderUnchanged } from './folder-prepare.js';
import { copiedTwice, sendableJobs, withoutUnsendable, type UnsendableFolder } from './unsendable-folders.js';

/** What the setup decided, with both listings. */
export interface AccountFolders extends PlannedFolders {
  /** Folders to sync: INBOX first when newest first, then biggest first (copy-order.ts). */
  jobs: FolderTask[];
  /** Every folder decision after drift (new and renamed source folders included). */
  decisions: FolderDecision[];
  source: SideListing;
  destination: SideListing;
  /** What changed on either server since the plan or the last sync. */
  drift: Drift[];
  /** Folders left out because a name cannot be sent to the server: each fails with its reason. */
  unsendable: UnsendableFolder[];
}

/** What the setup needs besides the account's connections. */
export interface SetupDeps {
  state: CheckpointStore;
  mapper: FolderMapper;
  /** The plan's rule for source folders created after `mailshift plan`. */
  newFolders: 'copy' | 'review';
  /** The account's date window: a folder synced under other words is not unchanged. */
  window?: ResolvedWindow;
  newestFirst?: boolean;
}

/**
 * Lists both sides of the account at the same time (LIST with STATUS on each: a no-op re-run is
 * one login and one LIST per side), decides the mapping, reconciles it with what changed on either
 * server (plan/drift.ts), and leaves alone the folders unchanged since their last complete sync.
 *
 * An account synced before is first listed on connections of their own (`listing`, one login and
 * one round trip per side where the server allows it): when that shows nothing to do, the setup
 * ends there and the account's connections are never opened. Anything else (work, drift, a server
 * that cannot be listed so, a failure) is decided again from the account's own listing, so the
 * short way can only end a pass that had nothing to do.
 * @throws the listing's failure once retries are spent
 */
export async function planFolders(
  pool: CopyPool,
  account: string,
  deps: SetupDeps,
  listing?: AccountConnectors['listing'],
): Promise<AccountFolders> {
  // The trial below leaves the state as it was (`decide` with renames false).
  const syncedBefore = deps.state.syncedFolders(account).length > 0;
  if (listing && syncedBefore) {
    const quick = await listBoth(listing).catch(() => undefined);
    const folders = quick && decide(account, quick.source, quick.destination, deps, false);
    if (folders && nothingToDo(folders)) return folders;
  }
  // Each side lists as soon as it has logged in; all end before a failure is thrown, so that no
  // connection is still being opened when the account closes them.
  const [src, dst] = await Promise.allSettled([
    pool.setup('listing source folders', ['source'], (c) => c.source.listFolders()),
    pool.setup('listing destination folders', ['destination'], (c) => c.destination.listFolders()),
    firstPassLogins(pool, !syncedBefore),
  ]);
  if (src.status === 'rejected') throw src.reason;
  if (dst.status === 'rejected') throw dst.reason;
  return decide(account, src.value, dst.value, deps, true) as AccountFolders;
}

/**
 * On an account's first pass there is mail to copy (unless its source is empty), so lane 0's body
 * reader and appender log in while both sides are listed rather than after: at 30 ms a login is
 * several round trips and the server's own work, about 0.2 s before the first folder starts.
 * Their failure is left to lane 0, which opens them again and stops the account with the reason.
 */
async function firstPassLogins(pool: CopyPool, firstPass: boolean): Promise<void> {
  if (firstPass) await pool.setup('opening the copy connections', ['bodies', 'appender'], async () => {});
}

/** Both sides' own listings, or undefined when either cannot be read that way. */
async function listBoth(
  listing: NonNullable<AccountConnectors['listing']>,
): Promise<{ source: SideListing; destination: SideListing } | undefined> {
  const [source, destination] = await Promise.all([listing('source'), listing('destination')]);
  return source && destination ? { source, destination } : undefined;
}

/** A setup that leaves nothing to copy, nothing drifted and no folder failing. */
function nothingToDo(f: AccountFolders): boolean {
  return f.jobs.length === 0 && f.drift.length === 0 && f.unsendable.length === 0;
}

/**
 * The setup's decisions from both listings. Source folders renamed on the server are carried over
 * in the state (their rows follow the new name) when `renames` is true; otherwise a rename makes
 * the answer undefined, so that a trial listing leaves the state as it was.
 */
function decide(
  account: string,
  listed: SideListing,
  destination: SideListing,
  deps: SetupDeps,
  renames: boolean,
): AccountFolders | undefined {
  // Folders whose names cannot be sent fail here, before the mapping or any command sees them.
  const { source, unsendable } = withoutUnsendable(listed);
  const propose = () => deps.mapper.propose(account, source, destination);
  const reconciled = reconcile({
    decisions: deps.mapper.resolved(account) ?? propose(),
    source,
    destination,
    synced: deps.state.syncedFolders(account),
    propose,
    newFolders: deps.newFolders,
  });
  const { drift } = reconciled;
  if (reconciled.renames.length > 0 && !renames) return undefined;
  for (const r of reconciled.renames) deps.state.renameFolder(account, r.from, r.to);
  const twice = copiedTwice(reconciled.decisions);
  const decisions = reconciled.decisions.filter((d) => !twice(d));
  const refill = new Set(drift.flatMap((d) => (REFILL.has(d.kind) && 'source' in d ? [d.source] : [])));
  const sendable = sendableJobs(folderTasks(decisions, source), destination);
  unsendable.push(...sendable.unsendable);
  const jobs = sendable.jobs.map((j) => (refill.has(j.source) ? { ...j, refill: true } : j));
  const window = windowKey(deps.window);
  const unchanged = jobs.filter((j) => isUnchanged(deps.state, account, j, window));
  return {
    jobs: folderOrder(
      jobs.filter((j) => !unchanged.includes(j)),
      deps.newestFirst ?? false,
    ),
    unchanged,
    skipped: decisions.flatMap((d) => (d.action === 'skip' ? [{ folder: d.source, reason: d.detail }] : [])),
    decisions,
    source,
    destination,
    drift,
    unsendable,
  };
}

/** Drift that asks for a folder's messages to be looked at again on the destination. */
const REFILL = new Set<Drift['kind']>(['destination-folder-missing', 'destination-folder-recreated']);

/** Unchanged on the source since its last complete sync, and its destination folder as recorded. */
function isUnchanged(
  state: CheckpointStore,
  account: string,
  job: FolderTask,
  window: string | null,
): boolean {
  if (job.status === undefined || job.refill) return false;
  return folderUnchanged(state, account, job, job.status, window);
}

/** The folders to copy, with what the source listing said of each (status, subscription, size). */
function folderTasks(decisions: readonly FolderDecision[], source: SideListing): FolderTask[] {
  const listed = new Map<string, FolderListing>(source.folders.map((f) => [f.path, f]));
  return decisions.flatMap((d): FolderTask[] => {
    const listing = d.action === 'copy' ? listed.get(d.source) : undefined;
    return d.action === 'copy' && listing
      ? [{ source: d.source, destination: d.destination, status: listing.status, listing }]
      : [];
  });
}
