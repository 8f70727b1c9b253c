/**
 * Verifies one destination folder against the source folders mapped to it, on one source and one
 * destination connection: EXAMINE both (read-only), scan metadata and identity headers of every
 * message in one UID range each, match, compare, then read bodies only where needed (deep mode,
 * and the header details of the messages the report names).
 */
import type { RepairPolicy } from '../core/repair.js';
import type { FolderReader } from '../core/ports.js';
import type { MessageMeta } from '../core/messages.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { ResolvedWindow } from '../plan/window.js';
import { compareContent, type ContentResult } from './compare-content.js';
import { comparePairs } from './compare-pairs.js';
import { isSampled } from './deep-sample.js';
import { folderResults } from './folder-results.js';
import type { HeaderDetails } from './header-details.js';
import { matchMessages, type DestinationSide, type SourceSide } from './match-messages.js';
import type { FolderGroup } from './plan-folders.js';
import { readDetails } from './read-messages.js';
import { selectForDetails } from './select-details.js';
import type { FolderResult, VerifyMode } from './types.js';
import {
  byPresence,
  expectedFlags,
  presentElsewhere,
  readElsewhere,
  type GmailVerify,
} from './gmail-presence.js';

/** What verifying a group needs besides its two connections. */
export interface GroupDeps {
  account: string;
  store: CheckpointStore;
  mode: VerifyMode;
  repair: RepairPolicy;
  /** A Gmail source: labels, All Mail and keywords (gmail-presence.ts). */
  gmail?: GmailVerify;
  /** Destination folders that exist (NFC paths), for a Gmail source's reading of them. */
  existing?: ReadonlySet<string>;
  /** The account's date window (what a run leaves out on purpose). */
  window?: ResolvedWindow;
}

/** Examines a source folder and reads its messages with what the checkpoint knows of them. */
async function readSource(src: FolderReader, folder: string, deps: GroupDeps): Promise<SourceSide> {
  const opened = await src.examine(folder);
  const uidValidity = opened.status.uidValidity;
  const scanned = await src.scan(1);
  const gmail = deps.gmail;
  const messages = gmail ? scanned.map((m) => expectedFlags(gmail, folder, m)) : scanned;
  const rows = deps.store.folderMessages(deps.account, folder).filter((r) => r.uidvalidity === uidValidity);
  const synced = deps.store.folder(deps.account, folder);
  return {
    folder,
    uidValidity,
    messages,
    rows,
    ...(synced && synced.uidvalidity === uidValidity ? { syncedUidNext: synced.uidnext } : {}),
    ...(deps.window ? { window: deps.window } : {}),
  };
}

async function readDestination(dst: FolderReader, folder: string): Promise<DestinationSide> {
  const opened = await dst.examine(folder);
  return { folder, uidValidity: opened.status.uidValidity, messages: await dst.scan(1) };
}

/**
 * Compares a destination folder with its source folders.
 * @returns one result per source folder of the group
 * @throws the readers' errors (a refused EXAMINE, a lost connection) for the caller to classify
 */
export async function verifyGroup(
  src: FolderReader,
  dst: FolderReader,
  group: FolderGroup,
  deps: GroupDeps,
): Promise<FolderResult[]> {
  const sources: SourceSide[] = [];
  for (const folder of group.sources) sources.push(await readSource(src, folder, deps));
  const gmail = deps.gmail && group.sources.some((f) => byPresence(deps.gmail!, f)) ? deps.gmail : undefined;
  // Read before this group's own folder, which the details below need examined.
  const elsewhere = gmail ? await readElsewhere(gmail, dst, deps.existing ?? new Set()) : undefined;
  const destination = group.exists ? await readDestination(dst, group.destination) : undefined;
  const input = { sources, destination };
  const matched = matchMessages(input);
  const outcome = elsewhere ? presentElsewhere(matched, elsewhere) : matched;
  const pairs = outcome.sources.map((o) => comparePairs(o.pairs));

  const content: (ContentResult | undefined)[] = [];
  const sourceDetails = new Map<string, Map<number, HeaderDetails>>();
  const several = sources.length > 1;
  for (const [i, o] of outcome.sources.entries()) {
    const side = sources[i]!;
    // With several sources on one connection, the one to read from must be examined again.
    if (several) await src.examine(o.folder);
    const sampled = o.pairs.filter((p) =>
      isSampled(deps.mode, {
        account: deps.account,
        folder: o.folder,
        uidValidity: side.uidValidity,
        uid: p.source.uid,
      }),
    );
    const deep = sampled.length > 0 ? await compareContent(src, dst, sampled, deps.repair) : undefined;
    content.push(deep);
    const found = pairs[i]!;
    const wanted: MessageMeta[] = [
      ...o.missing.map((m) => m.meta),
      ...(deep?.differences ?? []).map((d) => d.pair.source),
      ...found.flags.map((f) => f.pair.source),
      ...found.dates.map((p) => p.source),
      ...o.notYetCopied,
    ];
    sourceDetails.set(o.folder, await readDetails(src, selectForDetails(wanted)));
  }
  const destDetails = destination
    ? await readDetails(dst, selectForDetails(outcome.extra.map((x) => x.meta)))
    : new Map();

  return folderResults({
    input,
    outcome,
    pairs,
    content,
    sourceDetails,
    destDetails,
    lastCopiedTo: group.lastCopiedTo,
    destinationFolder: group.destination,
  });
}
