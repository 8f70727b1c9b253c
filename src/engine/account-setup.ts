/**
 * An account's setup, before any folder is synced: list the source (with LIST-STATUS), take the
 * folder mapping (the resolved plan, or proposed from both listings), leave alone the folders
 * unchanged since their last complete sync, and list the destination's folders for the workers.
 * A no-op re-run ends here, after one login and one LIST on the source.
 */
import type { FolderDecision, FolderListing, SideListing } from '../core/folders.js';
import type { FolderMapper } from '../core/ports.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { PlannedFolders } from './account-tally.js';
import { knownFolders, type KnownFolders } from './destination-folders.js';
import type { CopyPool, FolderTask } from './folder-context.js';
import { folderUnchanged } from './folder-prepare.js';

/** What the setup decided, and the destination listing when it already made one. */
export interface AccountFolders extends PlannedFolders {
  /** Folders to sync, biggest first, so the last lane does not finish long after the others. */
  jobs: FolderTask[];
  destination?: SideListing;
}

/**
 * Lists the account and decides what to sync. Both sides log in and list at the same time when
 * the mapping must be proposed from both listings (each login is several round trips).
 * @throws the listing's failure once retries are spent
 */
export async function planFolders(
  pool: CopyPool,
  account: string,
  deps: { state: CheckpointStore; mapper: FolderMapper },
): Promise<AccountFolders> {
  const resolved = deps.mapper.resolved(account);
  // Each side lists as soon as it has logged in; both end before a failure is thrown, so that no
  // connection is still being opened when the account closes them.
  const [src, dst] = await Promise.allSettled([
    pool.setup('listing source folders', ['source'], (c) => c.source.listFolders()),
    resolved
      ? undefined
      : pool.setup('listing destination folders', ['destination'], (c) => c.destination.listFolders()),
  ]);
  if (src.status === 'rejected') throw src.reason;
  if (dst.status === 'rejected') throw dst.reason;
  const source = src.value;
  const destination = dst.value;
  const decisions = resolved ?? deps.mapper.propose(account, source, destination!);
  const jobs = folderTasks(decisions, source);
  const unchanged = jobs.filter(
    (j) => j.status !== undefined && folderUnchanged(deps.state, account, j, j.status),
  );
  return {
    jobs: jobs
      .filter((j) => !unchanged.includes(j))
      .sort((a, b) => (b.listing.messages ?? 0) - (a.listing.messages ?? 0)),
    unchanged,
    skipped: decisions.flatMap((d) => (d.action === 'skip' ? [{ folder: d.source, reason: d.detail }] : [])),
    ...(destination ? { destination } : {}),
  };
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

/**
 * The destination's folders as the workers start, from the listing the setup made or a new one.
 * @throws the listing's failure once retries are spent
 */
export async function listDestination(pool: CopyPool, listed?: SideListing): Promise<KnownFolders> {
  return pool.setup('listing destination folders', ['destination'], async (c) =>
    knownFolders(listed ?? (await c.destination.listFolders())),
  );
}
