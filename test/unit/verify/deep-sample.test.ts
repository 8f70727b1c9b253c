/**
 * The deep-verification sample: seeded, order-independent, of about the asked size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSampled } from '../../../src/verify/deep-sample.js';

const keys = Array.from({ length: 4000 }, (_, i) => ({
  account: 'a',
  folder: `F${i % 7}`,
  uidValidity: 1,
  uid: i,
}));

describe('isSampled', () => {
  it('reads nothing in normal mode and everything in deep mode', () => {
    assert.equal(isSampled({ kind: 'headers' }, keys[0]!), false);
    assert.equal(isSampled({ kind: 'deep' }, keys[0]!), true);
  });

  it('picks about the asked share, the same messages for the same seed, others for another', () => {
    const pick = (seed: string, percent: number) =>
      keys.filter((k) => isSampled({ kind: 'sample', percent, seed }, k)).map((k) => k.uid);
    const ten = pick('acme', 10);
    assert.ok(ten.length > 320 && ten.length < 480, `~400 of 4000, got ${ten.length}`);
    assert.deepEqual(pick('acme', 10), ten);
    assert.notDeepEqual(pick('other', 10), ten);
    const twenty = new Set(pick('acme', 20));
    assert.ok(
      ten.every((uid) => twenty.has(uid)),
      'a larger sample contains the smaller one',
    );
  });
});
