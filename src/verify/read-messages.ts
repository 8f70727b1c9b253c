/**
 * Reads message bodies from an examined folder for verification: the header details of the
 * messages the report names, and the SHA-256 of pairs in deep mode. Bodies are fetched with
 * BODY.PEEK (the reader's fetchBodies) in UID sets bounded by count and bytes, and dropped as
 * soon as they are parsed or hashed, so memory stays at one batch per connection.
 */
import { makeBatches } from '../core/batches.js';
import type { FolderReader } from '../core/ports.js';
import { contentHash } from '../core/identity.js';
import { headerDetails, type HeaderDetails } from './header-details.js';

/** Messages per FETCH, and bytes per FETCH. */
export const FETCH_BATCH = { messages: 200, bytes: 8 * 1024 * 1024 };

/** Which messages to read and how big they are (to bound each FETCH). */
export interface SizedUid {
  uid: number;
  size: number;
}

/**
 * Header details of messages of the folder the reader has examined.
 * @returns details by UID; a message expunged meanwhile is simply absent
 */
export async function readDetails(
  reader: FolderReader,
  messages: SizedUid[],
): Promise<Map<number, HeaderDetails>> {
  const out = new Map<number, HeaderDetails>();
  for (const batch of makeBatches(messages, FETCH_BATCH.messages, FETCH_BATCH.bytes)) {
    const bodies = await reader.fetchBodies(batch.map((m) => m.uid));
    for (const [uid, m] of bodies) out.set(uid, await headerDetails(m.raw));
  }
  return out;
}

/**
 * SHA-256 of the raw bytes of messages of the folder the reader has examined.
 * @param transform applied to the bytes before hashing (the repair a message got on its way)
 * @returns hashes by UID; a message expunged meanwhile is simply absent
 */
export async function readHashes(
  reader: FolderReader,
  messages: SizedUid[],
  transform: (uid: number, raw: Buffer) => Buffer = (_uid, raw) => raw,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const batch of makeBatches(messages, FETCH_BATCH.messages, FETCH_BATCH.bytes)) {
    const bodies = await reader.fetchBodies(batch.map((m) => m.uid));
    for (const [uid, m] of bodies) out.set(uid, contentHash(transform(uid, m.raw)));
  }
  return out;
}
