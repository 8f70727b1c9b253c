/**
 * UID sets as ranges (src/core/uid-ranges.ts): runs of UIDs become one range each, and the gaps
 * between claimed UIDs are every UID a folder may hold besides them, up to the largest UID, and a
 * folder is cut into slices at given UIDs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutRanges, MAX_UID, uidGaps, uidRanges } from '../../../src/core/uid-ranges.js';

describe('UID ranges', () => {
  it('makes runs of UIDs one range each, in any order and with repeats', () => {
    assert.deepEqual(uidRanges([9, 3, 4, 5, 5, 12, 11, 1]), [
      [1, 1],
      [3, 5],
      [9, 9],
      [11, 12],
    ]);
    assert.deepEqual(uidRanges([]), []);
  });

  it('names every UID not taken, the last gap open to the largest UID', () => {
    assert.deepEqual(uidGaps([2, 3, 4, 7, 8]), [
      [1, 1],
      [5, 6],
      [9, MAX_UID],
    ]);
    assert.deepEqual(uidGaps([]), [[1, MAX_UID]]);
    assert.deepEqual(uidGaps([1, MAX_UID]), [[2, MAX_UID - 1]]);
  });

  it('cuts the UIDs from a first one before each cut above it, the last range open', () => {
    assert.deepEqual(cutRanges(1, [51, 101]), [
      [1, 50],
      [51, 100],
      [101, MAX_UID],
    ]);
    assert.deepEqual(cutRanges(51, [20, 51, 101]), [
      [51, 100],
      [101, MAX_UID],
    ]);
    assert.deepEqual(cutRanges(7, []), [[7, MAX_UID]]);
  });
});
