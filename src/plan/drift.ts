/**
 * Drift: what changed on either server since the folder mapping was decided and since the last
 * complete sync, and the rule that handles each change. Users keep working on the old server until
 * the cutover, and providers re-provision mailboxes; a run must see both before it can call itself
 * complete. Pure: it compares the decisions, both live listings (with STATUS) and what the state
 * recorded of each folder, and says what to copy and what to tell the user.
 *
 * Rules (README, "Drift"):
 * - a selectable source folder the decisions do not know is new: mapped by the same rules as
 *   `mailshift plan` and copied, or, with `options.newFolders: review`, left out and named;
 * - a synced source folder gone from the listing while a new one has its UIDVALIDITY was renamed
 *   (RFC 3501 section 6.3.5 keeps UIDVALIDITY on RENAME where the server can): the new name follows
 *   the old one to its destination folder and its recorded messages, so nothing is copied twice;
 * - a synced source folder gone without such a successor was deleted on the source: named, and
 *   what was copied stays on the destination;
 * - a destination folder the state relies on that is missing, or exists with another UIDVALIDITY,
 *   was deleted or recreated (a wiped mailbox recreates them all): its messages are found again by
 *   identity and the missing ones copied again;
 * - a destination folder holding fewer messages than were copied into it lost messages after the
 *   copy (users delete mail on the new server): named, and not copied again.
 */
import {
  isSelectable,
  type FolderDecision,
  type FolderListing,
  type FolderStatus,
  type SideListing,
} from '../core/folders.js';
import type { Drift } from '../core/drift.js';

/** What the state recorded of a folder after its last complete sync. */
export interface SyncedFolder {
  source: string;
  destination: string;
  uidvalidity: number;
  /** The destination folder's UIDVALIDITY then; null when an older mailshift did not record it. */
  destUidValidity: number | null;
  /** Messages the state says are in the destination folder (copied or found there). */
  destMessages: number;
}

/** What reconciling found: the decisions to work with, and the changes to tell the user. */
export interface Reconciled {
  decisions: FolderDecision[];
  drift: Drift[];
  /** Renames found: the state's rows of `from` belong to `to` from now on. */
  renames: { from: string; to: string }[];
}

/** The inputs of {@link reconcile}. */
export interface DriftInput {
  decisions: FolderDecision[];
  source: SideListing;
  /** The destination's live listing, with STATUS; undefined when it was not listed. */
  destination: SideListing | undefined;
  synced: SyncedFolder[];
  /** Decisions for every folder of the live listings, by the plan's rules (as `mailshift plan` would). */
  propose: () => FolderDecision[];
  /** `copy` (default): new source folders are copied; `review`: they are left out and named. */
  newFolders: 'copy' | 'review';
}

/**
 * Compares the decisions and the state with both servers as they are now.
 * @returns the decisions extended by new and renamed folders, and every change found.
 */
export function reconcile(input: DriftInput): Reconciled {
  const live = new Map(input.source.folders.map((f) => [f.path, f]));
  const known = new Set(input.decisions.map((d) => d.source));
  const synced = new Map(input.synced.map((s) => [s.source, s]));
  const unknown = input.source.folders.filter((f) => !known.has(f.path) && isSelectable(f));
  const out: Reconciled = { decisions: [...input.decisions], drift: [], renames: [] };
  // A folder the plan does not know but an earlier run synced (renamed or new then, and said so
  // then) stays where that run put it.
  for (const f of unknown) {
    const s = synced.get(f.path);
    if (s) out.decisions.push(followState(f.path, s.destination));
  }
  const fresh = unknown.filter((f) => !synced.has(f.path));
  const gone = input.synced.filter((s) => !live.has(s.source) && known.has(s.source));
  const renamed = matchRenames(fresh, gone);
  for (const [to, from] of renamed) {
    out.renames.push({ from: from.source, to });
    out.drift.push({ kind: 'source-folder-renamed', from: from.source, to, destination: from.destination });
    out.decisions.push(followRename(to, from.destination, input.decisions, from.source));
  }
  for (const s of gone) {
    if (![...renamed.values()].includes(s)) {
      out.drift.push({ kind: 'source-folder-gone', source: s.source, destination: s.destination });
    }
  }
  const unplanned = fresh.filter((f) => !renamed.has(f.path));
  if (unplanned.length > 0) addNewFolders(out, unplanned, input);
  if (input.destination) checkDestination(out, input.destination, synced);
  return out;
}

/** New folders whose UIDVALIDITY equals a vanished synced folder's: that folder under a new name. */
function matchRenames(fresh: FolderListing[], gone: SyncedFolder[]): Map<string, SyncedFolder> {
  const byValidity = new Map<number, SyncedFolder[]>();
  for (const g of gone) byValidity.set(g.uidvalidity, [...(byValidity.get(g.uidvalidity) ?? []), g]);
  const found = new Map<string, SyncedFolder>();
  for (const f of fresh) {
    const v = f.status?.uidValidity;
    const candidates = v === undefined ? undefined : byValidity.get(v);
    // Two vanished folders with one UIDVALIDITY (servers that number them per account) say nothing.
    if (candidates?.length === 1 && ![...found.values()].includes(candidates[0]!)) {
      found.set(f.path, candidates[0]!);
    }
  }
  return found;
}

function followState(source: string, destination: string): FolderDecision {
  return {
    action: 'copy',
    source,
    destination,
    reason: 'renamed-on-source',
    exists: true,
    warnings: [`not in the plan: it stays in "${destination}", where an earlier run put it`],
  };
}

function followRename(
  to: string,
  destination: string,
  decisions: FolderDecision[],
  from: string,
): FolderDecision {
  const old = decisions.find((d) => d.source === from);
  return {
    action: 'copy',
    source: to,
    destination,
    reason: 'renamed-on-source',
    ...(old?.action === 'copy' && old.specialUse ? { specialUse: old.specialUse } : {}),
    exists: true,
    warnings: [`renamed on the source from "${from}": its mail stays in "${destination}"`],
  };
}

function addNewFolders(out: Reconciled, folders: FolderListing[], input: DriftInput): void {
  const proposed = new Map(input.propose().map((d) => [d.source, d]));
  for (const f of folders) {
    const d = proposed.get(f.path);
    if (!d) continue;
    if (d.action === 'skip') {
      out.decisions.push(d);
      continue;
    }
    const copied = input.newFolders === 'copy';
    out.drift.push({ kind: 'new-source-folder', source: f.path, destination: d.destination, copied });
    out.decisions.push(
      copied
        ? { ...d, warnings: [...d.warnings, 'new on the source since the plan: review the resolved plan'] }
        : {
            action: 'skip',
            source: f.path,
            reason: 'needs-review',
            detail: `new on the source since the plan (would go to "${d.destination}"): run mailshift plan and review it`,
          },
    );
  }
}

function checkDestination(
  out: Reconciled,
  destination: SideListing,
  synced: Map<string, SyncedFolder>,
): void {
  const status = new Map<string, FolderStatus | undefined>(
    destination.folders.map((f) => [f.path.normalize('NFC'), f.status]),
  );
  // Folders merged into one destination folder: it must hold what all of them put there.
  const expected = new Map<string, number>();
  for (const s of synced.values()) {
    const key = s.destination.normalize('NFC');
    expected.set(key, (expected.get(key) ?? 0) + s.destMessages);
  }
  const shrunk = new Set<string>();
  const renamedFrom = new Map(out.renames.map((r) => [r.to, r.from]));
  for (const d of out.decisions) {
    if (d.action !== 'copy') continue;
    const s = synced.get(renamedFrom.get(d.source) ?? d.source);
    if (!s || s.destination !== d.destination) continue;
    const path = d.destination.normalize('NFC');
    const names = { source: d.source, destination: d.destination };
    if (!status.has(path)) {
      out.drift.push({ kind: 'destination-folder-missing', ...names });
      continue;
    }
    const now = status.get(path);
    if (!now) continue;
    const recorded = expected.get(path) ?? 0;
    if (s.destUidValidity !== null && now.uidValidity !== s.destUidValidity) {
      out.drift.push({
        kind: 'destination-folder-recreated',
        ...names,
        was: s.destUidValidity,
        now: now.uidValidity,
      });
    } else if (now.messages < recorded && !shrunk.has(path)) {
      shrunk.add(path);
      out.drift.push({ kind: 'destination-messages-deleted', ...names, recorded, now: now.messages });
    }
  }
}
