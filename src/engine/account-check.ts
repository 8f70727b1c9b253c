/**
 * "Complete" is a claim about both servers as they are now, not about what the state remembers.
 * At the end of an account's run this checks it: every selectable source folder of the listing is
 * synced (in this run, or unchanged since a complete sync) or left out by a rule the user can see;
 * every destination folder the state relies on exists, with the UIDVALIDITY the state recorded and
 * at least the messages recorded there. Whatever does not hold is named, and the account is not
 * complete.
 */
import type { Drift } from '../core/drift.js';
import { isSelectable, type FolderDecision, type SideListing } from '../core/folders.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';

/** What the check compares. */
export interface ClaimInput {
  account: string;
  decisions: readonly FolderDecision[];
  /** The source as the setup listed it (folders created during the run are the next run's). */
  source: SideListing;
  /** The destination as it is now. */
  destination: SideListing;
  /** Changes the setup found, some of which a documented rule accepts (mail deleted on the destination). */
  drift: readonly Drift[];
  /** Source folders that failed in this run: already reported, not repeated here. */
  failed: ReadonlySet<string>;
  state: CheckpointStore;
}

/**
 * The problems that keep the account from being complete, one sentence each, naming the folder.
 * @returns an empty list when both servers show what the run claims
 */
export function claimProblems(input: ClaimInput): string[] {
  return [...sourceProblems(input), ...destinationProblems(input)];
}

function sourceProblems({ decisions, source, state, account, failed }: ClaimInput): string[] {
  const decided = new Map(decisions.map((d) => [d.source, d]));
  const problems: string[] = [];
  for (const f of source.folders) {
    if (!isSelectable(f) || failed.has(f.path)) continue;
    const d = decided.get(f.path);
    if (!d) {
      problems.push(`source folder "${f.path}" has no place in the mapping: run mailshift plan again`);
    } else if (d.action === 'skip') {
      if (d.reason === 'needs-review') problems.push(`source folder "${f.path}": ${d.detail}`);
    } else {
      const row = state.folder(account, f.path);
      const validity = f.status?.uidValidity;
      if (
        !row ||
        row.dest_path !== d.destination ||
        (validity !== undefined && row.uidvalidity !== validity)
      ) {
        problems.push(`source folder "${f.path}" was not synced completely into "${d.destination}"`);
      }
    }
  }
  return problems;
}

function destinationProblems({ destination, drift, state, account, decisions }: ClaimInput): string[] {
  const now = new Map(destination.folders.map((f) => [f.path.normalize('NFC'), f.status]));
  const copied = new Set(decisions.flatMap((d) => (d.action === 'copy' ? [d.source] : [])));
  // Mail users deleted on the new server before this run is not copied again (README, "Drift").
  const acceptedLoss = new Set(
    drift.flatMap((d) => (d.kind === 'destination-messages-deleted' ? [d.destination.normalize('NFC')] : [])),
  );
  const expected = new Map<string, { validity: number | null; messages: number }>();
  for (const s of state.syncedFolders(account)) {
    if (!copied.has(s.source)) continue;
    const key = s.destination.normalize('NFC');
    const e = expected.get(key) ?? { validity: s.destUidValidity, messages: 0 };
    e.messages += s.destMessages;
    expected.set(key, e);
  }
  const problems: string[] = [];
  for (const [path, e] of expected) {
    if (!now.has(path)) {
      problems.push(`destination folder "${path}" does not exist any more: run again to refill it`);
      continue;
    }
    const st = now.get(path);
    if (!st) continue; // listed without STATUS: existence is all this server shows
    if (e.validity !== null && st.uidValidity !== e.validity) {
      problems.push(`destination folder "${path}" was recreated during the run: run again to refill it`);
    } else if (st.messages < e.messages && !acceptedLoss.has(path)) {
      problems.push(
        `destination folder "${path}" holds ${st.messages} messages where ${e.messages} were copied or found: run verify to name the missing ones`,
      );
    }
  }
  return problems;
}
