/**
 * Compares the metadata of matched pairs: flags and INTERNALDATE, each reported on its own,
 * apart from missing messages (a message whose flags differ has still arrived).
 */
import { datesDiffer } from './compare-dates.js';
import { compareFlags, parseFlagList, type FlagDelta } from './compare-flags.js';
import type { MatchedPair } from './match-messages.js';

/** The differences found among pairs. */
export interface PairFindings {
  flags: { pair: MatchedPair; delta: FlagDelta }[];
  dates: MatchedPair[];
}

/**
 * Compares flags (against the flags the run recorded, to tell which side changed) and
 * INTERNALDATE of every pair.
 */
export function comparePairs(pairs: readonly MatchedPair[]): PairFindings {
  const out: PairFindings = { flags: [], dates: [] };
  for (const pair of pairs) {
    const recorded = parseFlagList(pair.row?.flags);
    const dropped = parseFlagList(pair.row?.dropped_flags) ?? [];
    const delta = compareFlags(pair.source.flags, pair.dest.flags, recorded, dropped);
    if (delta) out.flags.push({ pair, delta });
    if (datesDiffer(pair.source.internalDate, pair.dest.internalDate)) out.dates.push(pair);
  }
  return out;
}
