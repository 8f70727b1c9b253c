/**
 * The copy-time estimate: the measured speed beats the configured one, which beats the default;
 * unusable figures are ignored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THROUGHPUT, estimateDuration } from '../../../src/report/dry-run-estimate.js';
import { formatDuration } from '../../../src/core/units.js';

describe('estimateDuration', () => {
  const work = { messages: 36_000, bytes: 2_000_000_000 };

  it('uses the throughput learned from earlier runs first', () => {
    const e = estimateDuration(work, { learned: 40, configured: 10 });
    assert.deepEqual(e, {
      messages: 36_000,
      bytes: 2_000_000_000,
      throughput: 40,
      basis: 'learned',
      seconds: 900,
    });
  });

  it("then the plan's report.throughput, then the default", () => {
    assert.equal(estimateDuration(work, { configured: 12 }).basis, 'plan');
    assert.equal(estimateDuration(work, { configured: 12 }).seconds, 3000);
    const d = estimateDuration(work, {});
    assert.equal(d.basis, 'default');
    assert.equal(d.throughput, DEFAULT_THROUGHPUT);
  });

  it('ignores zero, negative or missing figures and never estimates negative work', () => {
    assert.equal(estimateDuration(work, { learned: 0, configured: Number.NaN }).basis, 'default');
    assert.equal(estimateDuration({ messages: -5, bytes: -1 }, { learned: 3 }).seconds, 0);
  });

  it('reads as a person would say it, in both languages', () => {
    assert.equal(formatDuration('en', 30), 'under a minute');
    assert.equal(formatDuration('en', 900), '15 min');
    assert.equal(formatDuration('en', 3 * 3600 + 20 * 60), '3 h 20 min');
    assert.equal(formatDuration('pl', 3 * 3600), '3 godz.');
    assert.equal(formatDuration('pl', 20), 'poni\u017cej minuty');
  });
});
