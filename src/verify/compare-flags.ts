/**
 * Flag comparison of a matched pair. IMAP flags and keywords are compared case-insensitively
 * (RFC 3501 2.3.2 treats flag names as atoms; servers differ in the case they return), and
 * \Recent is left out: it belongs to the session that sees the message first and cannot be set.
 */
import type { FlagChangeSide } from './types.js';
import { isRecent } from '../core/flags.js';

/** What differs between two flag lists, or undefined when they hold the same flags. */
export interface FlagDelta {
  onlyOnSource: string[];
  onlyOnDestination: string[];
  changedOn: FlagChangeSide;
}

function normalised(flags: readonly string[], without: ReadonlySet<string> = new Set()): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of flags) {
    const key = f.toLowerCase();
    if (isRecent(key) || without.has(key)) continue;
    if (!out.has(key)) out.set(key, f);
  }
  return out;
}

function sameKeys(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a.keys()].every((k) => b.has(k));
}

/**
 * Compares the flags of a source message and its copy.
 * @param source flags on the source now
 * @param dest flags on the destination now
 * @param recorded the source flags the run recorded (after its last flag sync), when known: tells
 *   a change made on the destination after the run from one made on the source
 * @param dropped flags the destination refused at APPEND (PERMANENTFLAGS); not a difference
 * @returns undefined when both hold the same flags
 */
export function compareFlags(
  source: readonly string[],
  dest: readonly string[],
  recorded?: readonly string[],
  dropped: readonly string[] = [],
): FlagDelta | undefined {
  const refused = new Set(dropped.map((f) => f.toLowerCase()));
  const s = normalised(source, refused);
  const d = normalised(dest);
  if (sameKeys(s, d)) return undefined;
  const onlyOnSource = [...s].filter(([k]) => !d.has(k)).map(([, f]) => f);
  const onlyOnDestination = [...d].filter(([k]) => !s.has(k)).map(([, f]) => f);
  let changedOn: FlagChangeSide = 'unknown';
  if (recorded) {
    const r = normalised(recorded, refused);
    const sourceChanged = !sameKeys(s, r);
    const destChanged = !sameKeys(d, r);
    changedOn = sourceChanged && destChanged ? 'both' : destChanged ? 'destination' : 'source';
  }
  return { onlyOnSource: onlyOnSource.sort(), onlyOnDestination: onlyOnDestination.sort(), changedOn };
}

/** Parses a JSON list of flags as the checkpoint stores it; undefined for null or garbage. */
export function parseFlagList(json: string | null | undefined): string[] | undefined {
  if (!json) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string') : undefined;
  } catch {
    return undefined;
  }
}
