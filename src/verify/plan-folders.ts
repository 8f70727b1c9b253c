/**
 * Turns the folder mapping into verification work. Pure: source folders mapped to one destination
 * folder are compared together (a merge asked for with folders.map puts several into one), and
 * folders decided without reading them (skipped by the plan, gone from the source, unknown to a
 * resolved plan) are settled here.
 */
import type { FolderDecision, FolderListing, SideListing } from '../core/folders.js';
import { folderResult } from './counts.js';
import type { FolderResult } from './types.js';

/** Source folders that share one destination folder. */
export interface FolderGroup {
  destination: string;
  /** False when the destination folder is absent (or cannot hold messages). */
  exists: boolean;
  /** Source folder paths, in listing order. */
  sources: string[];
  /** Messages of the sources as LIST-STATUS showed them: big groups are started first. */
  messages: number;
  /** Source path -> where the last run copied it, for folders the plan now maps elsewhere. */
  lastCopiedTo: Map<string, string>;
}

/** The work of one account: groups to compare, and folders already settled. */
export interface FolderPlan {
  groups: FolderGroup[];
  settled: FolderResult[];
  /** Source folder paths in listing order, to sort the results like the client sees them. */
  order: string[];
}

function selectable(f: FolderListing): boolean {
  return !f.flags.some((flag) => /^\\(Noselect|NonExistent)$/i.test(flag));
}

/**
 * Plans the comparison of one account.
 * @param decisions the folder mapping (resolved plan, or proposed from both listings)
 * @param source the source listing now
 * @param destination the destination listing now
 * @param lastDestination source path -> destination path of the last completed sync of each folder
 */
export function planFolders(
  decisions: readonly FolderDecision[],
  source: SideListing,
  destination: SideListing,
  lastDestination: ReadonlyMap<string, string> = new Map(),
): FolderPlan {
  const listed = new Map(source.folders.map((f) => [f.path, f]));
  const destFolders = new Map(destination.folders.map((f) => [f.path.normalize('NFC'), f]));
  const groups = new Map<string, FolderGroup>();
  const settled: FolderResult[] = [];
  const decided = new Set<string>();

  for (const d of decisions) {
    decided.add(d.source);
    const listing = listed.get(d.source);
    const messages = listing?.messages ?? listing?.status?.messages ?? 0;
    if (d.action === 'skip') {
      settled.push(
        folderResult(d.source, null, 'skipped-by-plan', {
          detail: d.detail,
          counts: { source: messages, skipped: messages },
        }),
      );
      continue;
    }
    if (!listing) {
      settled.push(folderResult(d.source, d.destination, 'source-gone'));
      continue;
    }
    const key = d.destination.normalize('NFC');
    const target = destFolders.get(key);
    const group = groups.get(key) ?? {
      destination: d.destination,
      exists: target !== undefined && selectable(target),
      sources: [],
      messages: 0,
      lastCopiedTo: new Map<string, string>(),
    };
    group.sources.push(d.source);
    group.messages += messages;
    const last = lastDestination.get(d.source);
    if (last !== undefined && last.normalize('NFC') !== key) group.lastCopiedTo.set(d.source, last);
    groups.set(key, group);
  }

  for (const f of source.folders) {
    if (decided.has(f.path) || !selectable(f)) continue;
    const messages = f.messages ?? f.status?.messages ?? 0;
    settled.push(
      folderResult(f.path, null, 'not-in-plan', { counts: { source: messages, notYetCopied: messages } }),
    );
  }

  return {
    groups: [...groups.values()].sort((a, b) => b.messages - a.messages),
    settled,
    order: source.folders.map((f) => f.path),
  };
}
