/**
 * Which matched pairs deep verification reads. A sample is random in the sense that matters (no
 * folder, date or UID range is favoured) yet deterministic: a message is in it when a hash of the
 * seed and its key falls below the percentage, so the same seed picks the same messages on every
 * run, in any order, and a larger percentage picks a superset of a smaller one.
 */
import { createHash } from 'node:crypto';
import type { VerifyMode } from './types.js';

/** Identifies one source message for sampling. */
export interface SampleKey {
  account: string;
  folder: string;
  uidValidity: number;
  uid: number;
}

/**
 * Whether the pair of this source message is read in the given mode.
 * @returns false in headers mode, true in deep mode, the seeded draw in sample mode
 */
export function isSampled(mode: VerifyMode, key: SampleKey): boolean {
  if (mode.kind === 'headers') return false;
  if (mode.kind === 'deep' || mode.percent >= 100) return true;
  if (mode.percent <= 0) return false;
  const h = createHash('sha256')
    .update(`${mode.seed}\0${key.account}\0${key.folder}\0${key.uidValidity}\0${key.uid}`)
    .digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < mode.percent / 100;
}
