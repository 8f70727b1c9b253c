/**
 * The destination folders an account's workers know of, and the creation of a folder just before
 * it is synced, so that creating twenty folders does not cost forty round trips before the first
 * message moves.
 */
import { missingLevels, type FolderDecision, type FolderListing, type SideListing } from '../core/folders.js';
import type { DestinationStore, KnownFolders as StoreKnownFolders } from '../core/ports.js';

/** What the workers of one account know of the destination's folders (NFC names). */
export interface KnownFolders extends StoreKnownFolders {
  subscribed: Set<string>;
  /** Created by this run, parents included: their subscription follows their own source folder. */
  created: Set<string>;
  /** Destination folder -> whether its source folder is subscribed, for every folder mapped there. */
  wanted: Map<string, boolean>;
}

/** A folder to create (when missing) and subscribe like its source folder. */
export interface FolderToEnsure {
  destination: string;
  listing: Pick<FolderListing, 'subscribed'>;
}

/**
 * What the destination's listing says as the workers start, and the subscription each destination
 * folder should get from its source folder (a folder several sources merge into is subscribed when
 * any of them is).
 */
export function knownFolders(
  destination: SideListing,
  decisions: readonly FolderDecision[],
  source: SideListing,
  createdBefore: readonly string[] = [],
): KnownFolders {
  const nfc = (f: FolderListing) => f.path.normalize('NFC');
  const subscribed = new Map(source.folders.map((f) => [f.path, f.subscribed]));
  const wanted = new Map<string, boolean>();
  for (const d of decisions) {
    if (d.action !== 'copy') continue;
    const key = d.destination.normalize('NFC');
    wanted.set(key, (wanted.get(key) ?? false) || (subscribed.get(d.source) ?? false));
  }
  return {
    delimiter: destination.namespace.delimiter,
    existing: new Set(destination.folders.map(nfc)),
    subscribed: new Set(destination.folders.filter((f) => f.subscribed).map(nfc)),
    created: new Set(createdBefore.map((p) => p.normalize('NFC'))),
    wanted,
  };
}

/**
 * Creates a job's destination folder (and missing parents) when it is missing, and subscribes it
 * like its source folder.
 */
export async function ensureFolder(
  dst: DestinationStore,
  job: FolderToEnsure,
  known: KnownFolders,
  recordCreated: (paths: string[]) => void,
): Promise<void> {
  const path = job.destination.normalize('NFC');
  if (!known.existing.has(path)) {
    // Recorded before the CREATE: a run stopped after it still knows these folders are its own.
    recordCreated(missingLevels(job.destination, known));
    const before = new Set(known.existing);
    await dst.createFolder(job.destination, known);
    for (const p of [...known.existing].filter((x) => !before.has(x))) {
      known.created.add(p);
      known.subscribed.add(p);
      // CREATE subscribes (imapflow): a parent created on the way gets its own source folder's
      // subscription now, not when its turn comes: a run stopped before then would leave it wrong.
      if (p !== path && known.wanted.get(p) === false) {
        await dst.setSubscribed(p, false);
        known.subscribed.delete(p);
      }
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
