/**
 * Deep verification of matched pairs: both copies are fetched and their raw bytes compared by
 * SHA-256. A message the run repaired (line endings, NUL bytes, header lines, 8-bit header text:
 * see core/repair.ts) is compared with the same repairs, those its state row names, applied to its
 * source bytes, so an intended change is not a difference and any other one is.
 */
import { makeBatches } from '../core/batches.js';
import { applyRepairs, repairForRetry, repairsNamed, type RepairPolicy } from '../core/repair.js';
import type { FolderReader } from '../core/ports.js';
import type { MatchedPair } from './match-messages.js';
import { FETCH_BATCH, readHashes } from './read-messages.js';

/** A pair whose bytes differ. */
export interface ContentMismatch {
  pair: MatchedPair;
  sourceSha256: string;
  destSha256: string;
}

/** What deep verification of a folder's pairs found. */
export interface ContentResult {
  /** Pairs whose both copies were read and compared. */
  checked: number;
  differences: ContentMismatch[];
}

/**
 * Compares the bytes of matched pairs. The source reader must have examined the pairs' source
 * folder and the destination reader their destination folder.
 * @returns how many pairs were compared and which differ; a message expunged meanwhile is not counted
 */
export async function compareContent(
  src: FolderReader,
  dst: FolderReader,
  pairs: MatchedPair[],
  repair: RepairPolicy,
): Promise<ContentResult> {
  const result: ContentResult = { checked: 0, differences: [] };
  const repaired = new Map(
    pairs.flatMap((p) => (p.row?.repaired ? [[p.source.uid, repairsNamed(p.row.repaired)] as const] : [])),
  );
  const asCopied = (uid: number, raw: Buffer) => {
    const kinds = repaired.get(uid);
    // A row from before repairs were named: the policy's repairs, as that run applied them.
    if (kinds?.length === 0) return repairForRetry(raw, repair)?.raw ?? raw;
    return kinds ? applyRepairs(raw, kinds) : raw;
  };
  const sized = pairs.map((p) => ({ pair: p, size: Math.max(p.source.size, p.dest.size) }));
  for (const batch of makeBatches(sized, FETCH_BATCH.messages, FETCH_BATCH.bytes)) {
    // Two connections: both sides of a batch are read at once.
    const [a, b] = await Promise.all([
      readHashes(
        src,
        batch.map(({ pair }) => ({ uid: pair.source.uid, size: pair.source.size })),
        asCopied,
      ),
      readHashes(
        dst,
        batch.map(({ pair }) => ({ uid: pair.dest.uid, size: pair.dest.size })),
      ),
    ]);
    for (const { pair } of batch) {
      const sourceSha256 = a.get(pair.source.uid);
      const destSha256 = b.get(pair.dest.uid);
      if (sourceSha256 === undefined || destSha256 === undefined) continue;
      result.checked++;
      if (sourceSha256 !== destSha256) result.differences.push({ pair, sourceSha256, destSha256 });
    }
  }
  return result;
}
