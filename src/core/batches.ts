/**
 * Splits the messages of a folder into APPEND batches capped by count and bytes: one batch is
 * one MULTIAPPEND command and one pair of checkpoint transactions. The destination's commit per
 * APPEND command dominates a copy's cost (measured: README, "Speed"), so batches, not messages,
 * are the unit.
 */

/** Groups items in order; a batch closes when adding the next item would pass either cap. */
export function makeBatches<T extends { size: number }>(
  items: T[],
  maxCount: number,
  maxBytes: number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxCount || bytes + item.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * A burst's bounds when many folders are read in one round trip (verify, the dry-run report):
 * folders written at once, and messages (as listed) whose metadata is held at once.
 */
export const FOLDER_BURST = { folders: 100, messages: 2000 };

/**
 * Cuts items into bursts, in order, each within `bound` by the folders and messages `weight`
 * counts for each item; an item bigger than the bound is a burst of its own.
 */
export function cutBursts<T>(
  items: readonly T[],
  weight: (item: T) => { folders: number; messages: number },
  bound = FOLDER_BURST,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let folders = 0;
  let messages = 0;
  for (const item of items) {
    const w = weight(item);
    if (
      current.length > 0 &&
      (folders + w.folders > bound.folders || messages + w.messages > bound.messages)
    ) {
      out.push(current);
      current = [];
      folders = 0;
      messages = 0;
    }
    current.push(item);
    folders += w.folders;
    messages += w.messages;
  }
  if (current.length > 0) out.push(current);
  return out;
}
