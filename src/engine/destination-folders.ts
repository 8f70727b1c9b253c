/**
 * The destination folders an account's workers know of, and the creation of a folder just before
 * it is synced, so that creating twenty folders does not cost forty round trips before the first
 * message moves.
 */
import type { FolderListing, SideListing } from '../core/folders.js';
import type { DestinationStore, KnownFolders as StoreKnownFolders } from '../core/ports.js';

/** What the workers of one account know of the destination's folders (NFC names). */
export interface KnownFolders extends StoreKnownFolders {
  subscribed: Set<string>;
  /** Created by this run, parents included: their subscription follows their own source folder. */
  created: Set<string>;
}

/** A folder to create (when missing) and subscribe like its source folder. */
export interface FolderToEnsure {
  destination: string;
  listing: Pick<FolderListing, 'subscribed'>;
}

/** What the destination's listing says, as the workers start. */
export function knownFolders(destination: SideListing): KnownFolders {
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
 * like its source folder.
 */
export async function ensureFolder(
  dst: DestinationStore,
  job: FolderToEnsure,
  known: KnownFolders,
): Promise<void> {
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
