/**
 * Verifies one destination folder against the source folders mapped to it, on one source and one
 * destination connection: EXAMINE both (read-only), scan metadata and identity headers of every
 * message in one UID range each, match, compare, then read bodies only where needed (deep mode,
 * and the header details of the messages the report names). A destination read ahead without its
 * identity header fields (verify-burst.ts) gets them for the messages no checkpoint row names.
 */
import type { RepairPolicy } from '../core/repair.js';
import type { FolderReader } from '../core/ports.js';
import { identityRead, type MessageMeta } from '../core/messages.js';
import { messagesIn } from '../core/range-scan.js';
import { uidRanges } from '../core/uid-ranges.js';
import type { FolderStatus } from '../core/folders.js';
import type { CheckpointStore, VerifyRow } from '../state/checkpoint-store.js';
import type { ResolvedWindow } from '../plan/window.js';
import { compareContent, type ContentResult } from './compare-content.js';
import { comparePairs } from './compare-pairs.js';
import { isSampled } from './deep-sample.js';
import { folderResults } from './folder-results.js';
import type { HeaderDetails } from './header-details.js';
import {
  matchMessages,
  unnamedByCheckpoint,
  type DestinationSide,
  type MatchInput,
  type MatchOutcome,
  type SourceSide,
} from './match-messages.js';
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
  /** Source messages per slice of a big folder (verify-slices.ts); tests make it small. */
  sliceMessages?: number;
}

/** A folder as a burst read it (verify-burst.ts): its status on opening and its messages. */
export interface ScannedFolder {
  status: FolderStatus;
  messages: MessageMeta[];
}

/** A group's folders read ahead in a burst: each source folder's scan, and the destination's. */
export interface GroupScans {
  sources: ScannedFolder[];
  /** Absent when the destination folder does not exist. */
  destination?: ScannedFolder;
}

/** Examines a source folder and reads its messages (unless read ahead) with what the checkpoint knows of them. */
async function readSource(
  src: FolderReader,
  folder: string,
  deps: GroupDeps,
  ahead?: ScannedFolder,
): Promise<SourceSide> {
  const uidValidity = ahead ? ahead.status.uidValidity : (await src.examine(folder)).status.uidValidity;
  const scanned = ahead ? ahead.messages : await src.scan(1);
  const gmail = deps.gmail;
  const messages = gmail ? scanned.map((m) => expectedFlags(gmail, folder, m)) : scanned;
  return sourceSide(
    deps,
    folder,
    uidValidity,
  )(messages, deps.store.verifyRows(deps.account, folder, uidValidity));
}

/**
 * A source folder's messages (all of them, or of a slice) with their checkpoint rows, the UIDNEXT
 * of its last completed sync and the account's window, as matching takes them.
 */
export function sourceSide(
  deps: GroupDeps,
  folder: string,
  uidValidity: number,
): (messages: MessageMeta[], rows: VerifyRow[]) => SourceSide {
  const synced = deps.store.folder(deps.account, folder);
  return (messages, rows) => ({
    folder,
    uidValidity,
    messages,
    rows,
    ...(synced && synced.uidvalidity === uidValidity ? { syncedUidNext: synced.uidnext } : {}),
    ...(deps.window ? { window: deps.window } : {}),
  });
}

async function readDestination(
  dst: FolderReader,
  folder: string,
  ahead?: ScannedFolder,
): Promise<DestinationSide> {
  if (ahead) return { folder, uidValidity: ahead.status.uidValidity, messages: ahead.messages };
  const opened = await dst.examine(folder);
  return { folder, uidValidity: opened.status.uidValidity, messages: await dst.scan(1) };
}

/**
 * The destination with the identity of every message no checkpoint row names, where a lean scan
 * left it out (one more round trip, only for a folder that has such messages: usually none). A
 * message expunged meanwhile is left out: it is not on the destination as it is now.
 * @throws MailshiftError UIDVALIDITY_CHANGED when the folder was recreated in between
 */
async function withIdentities(
  dst: FolderReader,
  sources: SourceSide[],
  destination: DestinationSide,
): Promise<DestinationSide> {
  const lean = unnamedByCheckpoint({ sources, destination }).filter((m) => !identityRead(m));
  if (lean.length === 0) return destination;
  const read = await messagesIn(dst, destination.folder, uidRanges(lean.map((m) => m.uid)), {
    side: 'destination',
    uidValidity: destination.uidValidity,
    during: 'verify',
  });
  const full = new Map(read.map((m) => [m.uid, m]));
  const wanted = new Set(lean.map((m) => m.uid));
  const messages = destination.messages.flatMap((m) => (wanted.has(m.uid) ? (full.get(m.uid) ?? []) : [m]));
  return { ...destination, messages };
}

/** The folder a reader has examined, so that bodies are read where they are (examined again when not). */
function examined(reader: FolderReader, at: string | undefined): (folder: string) => Promise<void> {
  return async (folder) => {
    if (at === folder) return;
    await reader.examine(folder);
    at = folder;
  };
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
  ahead?: GroupScans,
): Promise<FolderResult[]> {
  const sources: SourceSide[] = [];
  for (const [i, folder] of group.sources.entries())
    sources.push(await readSource(src, folder, deps, ahead?.sources[i]));
  const gmail = deps.gmail && group.sources.some((f) => byPresence(deps.gmail!, f)) ? deps.gmail : undefined;
  // Read before this group's own folder, which the details below need examined.
  const elsewhere = gmail ? await readElsewhere(gmail, dst, deps.existing ?? new Set()) : undefined;
  const destination = group.exists
    ? await withIdentities(dst, sources, await readDestination(dst, group.destination, ahead?.destination))
    : undefined;
  const input = { sources, destination };
  const matched = matchMessages(input);
  const outcome = elsewhere ? presentElsewhere(matched, elsewhere) : matched;
  // Read ahead, neither reader is known to have examined anything of this group.
  const at = ahead ? {} : { source: group.sources.at(-1), destination: destination && group.destination };
  return describeGroup(src, dst, group, deps, { input, outcome }, at);
}

/** The folder each reader has examined, where known. */
export interface Examined {
  source?: string | undefined;
  destination?: string | undefined;
}

/**
 * What the report says of a matched group: pairs compared (flags, dates, and bytes in deep mode),
 * and the header details of every message it names read from its folder.
 * @param at what the readers have examined: a folder is examined again only when it is not that one
 */
export async function describeGroup(
  src: FolderReader,
  dst: FolderReader,
  group: FolderGroup,
  deps: GroupDeps,
  { input, outcome }: { input: MatchInput; outcome: MatchOutcome },
  at: Examined,
): Promise<FolderResult[]> {
  const { sources, destination } = input;
  const openSource = examined(src, at.source);
  const openDestination = examined(dst, at.destination);
  const pairs = outcome.sources.map((o) => comparePairs(o.pairs));

  const content: (ContentResult | undefined)[] = [];
  const sourceDetails = new Map<string, Map<number, HeaderDetails>>();
  for (const [i, o] of outcome.sources.entries()) {
    const side = sources[i]!;
    const sampled = o.pairs.filter((p) =>
      isSampled(deps.mode, {
        account: deps.account,
        folder: o.folder,
        uidValidity: side.uidValidity,
        uid: p.source.uid,
      }),
    );
    // With several sources on one connection, the one to read from must be examined again.
    if (sampled.length > 0) {
      await Promise.all([openSource(o.folder), destination && openDestination(group.destination)]);
    }
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
    const details = selectForDetails(wanted);
    if (details.length > 0) await openSource(o.folder);
    sourceDetails.set(o.folder, await readDetails(src, details));
  }
  const extraDetails = selectForDetails(outcome.extra.map((x) => x.meta));
  if (destination && extraDetails.length > 0) await openDestination(group.destination);
  const destDetails = destination ? await readDetails(dst, extraDetails) : new Map();

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
