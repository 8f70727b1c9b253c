/**
 * One line per change found on either server (core/drift.ts), saying what happened and what the
 * run does about it, for the console and the run summary (English, like the rest of the CLI).
 */
import type { Drift } from '../core/drift.js';

/** The sentence for one change. */
export function driftText(d: Drift): string {
  switch (d.kind) {
    case 'new-source-folder':
      return d.copied
        ? `new source folder "${d.source}" since the plan: copied to "${d.destination}" by the plan's rules (review with mailshift plan)`
        : `new source folder "${d.source}" since the plan: not copied, options.newFolders is review (run mailshift plan and review it)`;
    case 'source-folder-renamed':
      return `source folder "${d.from}" was renamed to "${d.to}": it stays in "${d.destination}", nothing is copied twice`;
    case 'source-folder-gone':
      return `source folder "${d.source}" was deleted on the source: what was copied stays in "${d.destination}"`;
    case 'destination-folder-missing':
      return `destination folder "${d.destination}" was deleted: it is created again and "${d.source}" copied into it again`;
    case 'destination-folder-recreated':
      return `destination folder "${d.destination}" was recreated (UIDVALIDITY ${d.was} -> ${d.now}): its mail is found again by identity and what is missing copied again`;
    case 'destination-messages-deleted':
      return `destination folder "${d.destination}" holds ${d.now} of the ${d.recorded} messages copied there: deleted on the new server, not copied again (verify names them)`;
  }
}

/**
 * A line for a destination mailbox whose every synced folder was recreated or deleted: it was
 * emptied or re-provisioned by the new host.
 */
export function wipedText(
  account: string,
  drift: readonly Drift[],
  syncedFolders: number,
): string | undefined {
  const lost = drift.filter(
    (d) => d.kind === 'destination-folder-recreated' || d.kind === 'destination-folder-missing',
  );
  if (syncedFolders === 0 || lost.length < syncedFolders) return undefined;
  return `the destination mailbox of ${account} was emptied or re-provisioned (all ${lost.length} synced folders are new): its mail is found again by identity and what is missing is copied again`;
}
