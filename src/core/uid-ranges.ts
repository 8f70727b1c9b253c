/**
 * Sets of UIDs as ranges, as IMAP writes them (RFC 3501 section 9, sequence-set). A folder's UIDs
 * mostly come in runs (a run appends in batches), so thousands of UIDs are usually a few ranges.
 */

/** The largest UID (RFC 3501 section 2.3.1.1: a 32-bit value greater than zero). */
export const MAX_UID = 0xffffffff;

/** The UIDs from `from` to `to`, both included. */
export type UidRange = readonly [from: number, to: number];

/** UIDs (in any order, repeats allowed) as ranges, in order. */
export function uidRanges(uids: Iterable<number>): UidRange[] {
  const sorted = [...uids].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const uid of sorted) {
    const last = out.at(-1);
    if (last && uid <= last[1] + 1) last[1] = Math.max(last[1], uid);
    else out.push([uid, uid]);
  }
  return out;
}

/**
 * Every UID from 1 to {@link MAX_UID} that is not in `taken`, as ranges: where the messages of a
 * folder that `taken` does not name can be, whatever arrived since.
 */
export function uidGaps(taken: Iterable<number>): UidRange[] {
  const out: UidRange[] = [];
  let next = 1;
  for (const [from, to] of uidRanges(taken)) {
    if (from > next) out.push([next, from - 1]);
    next = to + 1;
  }
  if (next <= MAX_UID) out.push([next, MAX_UID]);
  return out;
}

/**
 * The UIDs from `from` up, cut before each of `cuts` (ascending; those at or below `from` ignored),
 * the last range open to {@link MAX_UID}: how a big folder is read or copied a slice at a time.
 */
export function cutRanges(from: number, cuts: readonly number[]): UidRange[] {
  const out: UidRange[] = [];
  let start = from;
  for (const cut of cuts) {
    if (cut <= start) continue;
    out.push([start, cut - 1]);
    start = cut;
  }
  out.push([start, MAX_UID]);
  return out;
}
