/**
 * Which messages the report describes with sender and subject. Reading them costs a body fetch
 * each (the reader has no header-only fetch by UID), so the choice is bounded: the most important
 * first (losses, then altered content, then flag and date differences, then mail not yet copied),
 * up to a count and a byte budget per folder. The rest are listed by UID, date and size.
 */
import type { MessageMeta } from '../core/messages.js';
import type { SizedUid } from './read-messages.js';

/** Messages and bytes per folder side whose headers are read for the report. */
export const DETAIL_LIMIT = { messages: 1000, bytes: 64 * 1024 * 1024 };

/**
 * Picks messages in the order given, each once, within the limit; a message too big for what is
 * left of the byte budget is passed over so smaller ones after it still get their details.
 */
export function selectForDetails(
  candidates: readonly MessageMeta[],
  limit: { messages: number; bytes: number } = DETAIL_LIMIT,
): SizedUid[] {
  const picked = new Map<number, SizedUid>();
  let bytes = 0;
  for (const m of candidates) {
    if (picked.size >= limit.messages) break;
    if (picked.has(m.uid) || bytes + m.size > limit.bytes) continue;
    picked.set(m.uid, { uid: m.uid, size: m.size });
    bytes += m.size;
  }
  return [...picked.values()];
}
