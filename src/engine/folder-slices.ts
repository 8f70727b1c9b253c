/**
 * Where a big folder's copy is cut: a folder with more source messages than a slice is scanned and
 * copied one UID range after the other (folder-prepare.ts, folder-copy.ts), so that the metadata
 * held is one slice's, whatever the folder's size.
 */
import type { FolderStatus } from '../core/folders.js';
import type { BodyReader } from '../core/ports.js';
import { cutRanges, MAX_UID, type UidRange } from '../core/uid-ranges.js';

/**
 * Source messages a folder's copy holds the metadata of at once (~0.25 KB each): a folder with
 * more is scanned and copied a slice at a time, so that its size does not set the memory. One
 * INBOX of 120,000 messages peaked at 127 MiB read whole, 110 MiB in slices.
 */
export const COPY_SLICE_MESSAGES = 20_000;

/** Opens a big folder and finds where to cut it; no message is read yet. */
export async function openToCut(
  bodies: BodyReader,
  path: string,
  slice: number,
): Promise<{ status: FolderStatus; cuts: number[] }> {
  const status = await bodies.open(path);
  return { status, cuts: await cutsOf(bodies, status.messages, slice) };
}

/** Where the open folder is cut into slices: the UIDs of its `slice`+1-th, 2`slice`+1-th... messages. */
export function cutsOf(bodies: BodyReader, messages: number, slice: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = slice + 1; n <= messages; n += slice) seqs.push(n);
  return bodies.uidsAt!(seqs);
}

/**
 * The UID ranges a folder is copied in, from `fromUid` up, cut before each of `cuts`: the newest
 * slice first when the copy goes newest first (copy-order.ts). One range when nothing cuts it.
 */
export function copySlices(fromUid: number, cuts: readonly number[], newestFirst: boolean): UidRange[] {
  const ranges = cutRanges(fromUid, cuts);
  return newestFirst ? ranges.reverse() : ranges;
}

/** The last UID a slice scans, or undefined for the one that runs to the end (`n:*`). */
export function sliceEnd(range: UidRange): number | undefined {
  return range[1] === MAX_UID ? undefined : range[1];
}
