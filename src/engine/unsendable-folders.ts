/**
 * Folders whose source or destination name cannot be sent to the server (core/folders.ts,
 * `unsendableName`): found before anything is sent about them, so that each fails alone with its
 * reason instead of a command the client cannot write (imapflow throws "Unquotable character") or,
 * worse, a name that reaches another folder.
 */
import { unsendableName, type FolderDecision, type SideListing } from '../core/folders.js';
import type { FolderTask } from './folder-context.js';

/** A folder left out of the run, and why, in words for the user. */
export interface UnsendableFolder {
  folder: string;
  reason: string;
}

/**
 * Takes the source folders whose names cannot be sent out of the listing, before the mapping sees
 * them: a name listed in invalid modified UTF-7 may decode to another folder's name (`x&y-z` to
 * `xz`), and mapped as that folder it would be copied from the wrong one.
 * @returns the listing without them, and each of them named by the name the server lists
 */
export function withoutUnsendable(source: SideListing): {
  source: SideListing;
  unsendable: UnsendableFolder[];
} {
  const unsendable: UnsendableFolder[] = [];
  const folders = source.folders.filter((f) => {
    const why = unsendableName(f);
    if (why) {
      unsendable.push({
        folder: f.listedAs ?? f.path,
        reason: `its ${why}; rename it on the source server, or leave it out with the plan's folders.exclude`,
      });
    }
    return why === undefined;
  });
  return { source: { ...source, folders }, unsendable };
}

/**
 * Splits the jobs into those whose destination name can be sent and those that fail now.
 * @param destination the destination's listing: a folder mapped into one the server lists in a
 *   form that does not come back is as unreachable as a name with CR in it.
 */
export function sendableJobs(
  jobs: readonly FolderTask[],
  destination: SideListing,
): { jobs: FolderTask[]; unsendable: UnsendableFolder[] } {
  const listed = new Map(destination.folders.map((f) => [f.path.normalize('NFC'), f]));
  const ok: FolderTask[] = [];
  const unsendable: UnsendableFolder[] = [];
  for (const job of jobs) {
    const why = unsendableName(listed.get(job.destination.normalize('NFC')) ?? { path: job.destination });
    if (!why) ok.push(job);
    else {
      unsendable.push({
        folder: job.source,
        reason: `its destination folder's ${why} (${JSON.stringify(job.destination)}); give it another destination with the plan's folders.map or rename`,
      });
    }
  }
  return { jobs: ok, unsendable };
}

/**
 * Whether a decision copies a source folder that an earlier decision copies already: a resolved
 * plan written from a listing in which an unsendable name decoded to another folder's name holds
 * two decisions for that name, and the one folder it names is copied once.
 */
export function copiedTwice(decisions: readonly FolderDecision[]): (d: FolderDecision) => boolean {
  const first = new Map<string, FolderDecision>();
  for (const d of decisions) if (d.action === 'copy' && !first.has(d.source)) first.set(d.source, d);
  return (d) => d.action === 'copy' && first.get(d.source) !== d;
}
