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
