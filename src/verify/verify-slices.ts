/**
 * Verifies a big folder a slice of UIDs at a time, so that what verify holds follows the slice,
 * not the folder: one INBOX of 120,000 messages held both sides' metadata whole (178 MiB). The
 * slices come from the checkpoint (its rows counted by SQLite, none read), so each holds about
 * {@link SLICE_MESSAGES} source messages, whatever gaps expunges left in the UIDs.
 *
 * Each slice reads the source messages of its UIDs, the destination copies its checkpoint rows
 * name (a lean read), and pairs them as {@link matchMessages} would first (claimByCheckpoint); the
 * pairs are compared and only the findings kept. What no row accounts for (usually nothing) is
 * carried to the end: source messages left open, rows of messages since expunged on the source,
 * and the destination UIDs claimed. The destination messages no slice claimed are read last, with
 * their identity, and matched against the open source messages exactly as a whole folder is.
 */
import { messagesIn, type SeenFolder } from '../core/range-scan.js';
import type { FolderStatus } from '../core/folders.js';
import type { FolderReader } from '../core/ports.js';
import { cutRanges, uidGaps, uidRanges, type UidRange } from '../core/uid-ranges.js';
import type { MessageMeta } from '../core/messages.js';
import type { VerifyRow } from '../state/checkpoint-store.js';
import { addCounts, emptyCounts } from './counts.js';
import { checkpointUid, claimByCheckpoint, matchMessages, type DestinationSide } from './match-messages.js';
import type { FolderGroup } from './plan-folders.js';
import type { FolderResult, MessageRef } from './types.js';
import { describeGroup, sourceSide, verifyGroup, type GroupDeps } from './verify-folder-group.js';

/** Source messages per slice: about 10 MB of both sides' metadata at once. */
export const SLICE_MESSAGES = 10_000;

/**
 * Whether a group is verified in slices: one source folder bigger than a slice, into a destination
 * folder that exists, on readers that read by UID ranges. A Gmail source (labels read across
 * folders) and merged folders are compared whole.
 */
export function inSlices(src: FolderReader, dst: FolderReader, group: FolderGroup, deps: GroupDeps): boolean {
  return (
    group.exists &&
    group.sources.length === 1 &&
    group.messages > sliceSize(deps) &&
    !deps.gmail &&
    src.scanUids !== undefined &&
    dst.scanUids !== undefined
  );
}

function sliceSize(deps: GroupDeps): number {
  return deps.sliceMessages ?? SLICE_MESSAGES;
}

/** What the slices leave for the end. */
interface Carried {
  sourceMessages: number;
  /** Source messages no checkpoint row paired, with their rows. */
  open: MessageMeta[];
  openRows: VerifyRow[];
  /** Rows naming a copy whose source message is gone: they say why that copy is extra. */
  orphans: VerifyRow[];
  /** Destination UIDs paired (a row naming one twice, after a broken state, counts it once). */
  claimed: number[];
  results: FolderResult[];
}

/**
 * Compares a group, a slice at a time when {@link inSlices} says so and the checkpoint has rows
 * enough to cut; whole (verifyGroup) otherwise.
 * @returns one result per source folder of the group
 * @throws the readers' errors (a refused EXAMINE, a lost connection, a folder recreated meanwhile)
 */
export async function verifyInSlices(
  src: FolderReader,
  dst: FolderReader,
  group: FolderGroup,
  deps: GroupDeps,
): Promise<FolderResult[]> {
  if (!inSlices(src, dst, group, deps)) return verifyGroup(src, dst, group, deps);
  const folder = group.sources[0]!;
  const [source, destination] = await Promise.all([opened(src, folder), opened(dst, group.destination)]);
  const uidValidity = source.uidValidity;
  const starts = deps.store.sliceStarts(deps.account, folder, uidValidity, sliceSize(deps));
  // Never copied (or recreated since): nothing says where to cut, and nothing will pair.
  if (starts.length === 0) return verifyGroup(src, dst, group, deps);

  const side = sourceSide(deps, folder, uidValidity);
  const dest = { folder: group.destination, uidValidity: destination.uidValidity };
  const read = (reader: FolderReader, path: string, ranges: readonly UidRange[], seen: SeenFolder) =>
    ranges.length === 0 ? Promise.resolve([]) : messagesIn(reader, path, ranges, seen);
  const seenSource: SeenFolder = { side: 'source', uidValidity, during: 'verify' };
  const seenDestination: SeenFolder = {
    side: 'destination',
    uidValidity: dest.uidValidity,
    during: 'verify',
  };

  /** A slice's rows, its source messages and the copies its rows name (a lean read). */
  const readSlice = async (range: UidRange) => {
    const rows = deps.store.verifyRows(deps.account, folder, uidValidity, range);
    const named = rows.flatMap((r) => checkpointUid(r, dest) ?? []);
    const [messages, copies] = await Promise.all([
      read(src, folder, [range], seenSource),
      read(dst, dest.folder, uidRanges(named), { ...seenDestination, identity: false }),
    ]);
    return { rows, messages, copies };
  };

  const carried: Carried = {
    sourceMessages: 0,
    open: [],
    openRows: [],
    orphans: [],
    claimed: [],
    results: [],
  };
  // Each side has the next slice asked for while this one is read: its server sends without a
  // pause, and the client holds two slices at most.
  // The slices begin at `starts`, the first from UID 1.
  const ranges = cutRanges(1, starts);
  const reads = new Map<number, ReturnType<typeof readSlice>>();
  const ask = (i: number) => {
    if (i >= ranges.length || reads.has(i)) return;
    const reading = readSlice(ranges[i]!);
    reading.catch(() => {}); // awaited in its turn, unless a slice before it fails first
    reads.set(i, reading);
  };
  for (let i = 0; i < ranges.length; i++) {
    ask(i);
    ask(i + 1);
    const { rows, messages, copies } = await reads.get(i)!;
    reads.delete(i);
    const input = { sources: [side(messages, rows)], destination: { ...dest, messages: copies } };
    const [claimed] = claimByCheckpoint(input);
    const outcome = {
      sources: [{ folder, pairs: claimed!.pairs, missing: [], notYetCopied: [], skipped: [] }],
      extra: [],
    };
    carried.results.push(...(await describeGroup(src, dst, group, deps, { input, outcome }, {})));
    carry(carried, messages, rows, claimed!.open, claimed!.pairs, dest);
  }

  const unclaimed = await read(dst, dest.folder, uidGaps(carried.claimed), seenDestination);
  const rest: DestinationSide = { ...dest, messages: unclaimed };
  const input = {
    sources: [side(carried.open, [...carried.openRows, ...carried.orphans])],
    destination: rest,
  };
  const [last] = await describeGroup(src, dst, group, deps, { input, outcome: matchMessages(input) }, {});
  return [
    merged([...carried.results, last!], {
      source: carried.sourceMessages,
      destination: new Set(carried.claimed).size + unclaimed.length,
    }),
  ];
}

/**
 * A folder's status from an EXAMINE on the connection that reads its slices (no message read), so
 * that the first slice needs no other: `examine` may be another connection, logged in for it.
 * @throws the server's refusal of the folder
 */
async function opened(reader: FolderReader, path: string): Promise<FolderStatus> {
  const read = await reader.scanUids!(path, []);
  if ('error' in read) throw read.error;
  return read.status;
}

/** Keeps what a slice leaves for the end (see {@link Carried}). */
function carry(
  carried: Carried,
  messages: readonly MessageMeta[],
  rows: readonly VerifyRow[],
  open: readonly MessageMeta[],
  pairs: readonly { dest: MessageMeta }[],
  dest: Pick<DestinationSide, 'folder' | 'uidValidity'>,
): void {
  carried.sourceMessages += messages.length;
  carried.open.push(...open);
  const current = new Set(messages.map((m) => m.uid));
  const left = new Set(open.map((m) => m.uid));
  for (const r of rows) {
    if (left.has(r.uid)) carried.openRows.push(r);
    else if (!current.has(r.uid) && checkpointUid(r, dest) !== undefined) carried.orphans.push(r);
  }
  for (const p of pairs) carried.claimed.push(p.dest.uid);
}

/**
 * The slices' results and the last one's as one result of the folder: counts added (but the
 * messages of each side, given), findings in source UID order as a whole comparison lists them.
 */
function merged(
  parts: readonly FolderResult[],
  sides: { source: number; destination: number },
): FolderResult {
  const counts = parts.reduce((sum, p) => addCounts(sum, p.counts), emptyCounts());
  const bySource = <T extends { source: MessageRef }>(items: T[]) =>
    items.sort((a, b) => a.source.uid - b.source.uid);
  return {
    ...parts.at(-1)!,
    counts: { ...counts, ...sides },
    missing: parts.flatMap((p) => p.missing),
    notYetCopied: parts.flatMap((p) => p.notYetCopied),
    skipped: parts.flatMap((p) => p.skipped),
    extra: parts.flatMap((p) => p.extra),
    flagDifferences: bySource(parts.flatMap((p) => p.flagDifferences)),
    dateDifferences: bySource(parts.flatMap((p) => p.dateDifferences)),
    contentDifferences: bySource(parts.flatMap((p) => p.contentDifferences)),
  };
}
