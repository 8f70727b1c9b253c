/**
 * Flag and date comparison of matched pairs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datesDiffer } from '../../../src/verify/compare-dates.js';
import { compareFlags, parseFlagList } from '../../../src/verify/compare-flags.js';

describe('compareFlags', () => {
  it('sees no difference in case, order, duplicates or \\Recent', () => {
    assert.equal(compareFlags(['\\Seen', '$Label1', '\\Recent'], ['$label1', '\\SEEN', '\\Seen']), undefined);
  });

  it('names the flags on one side only', () => {
    assert.deepEqual(compareFlags(['\\Seen', '$Work'], ['\\Seen', '\\Flagged']), {
      onlyOnSource: ['$Work'],
      onlyOnDestination: ['\\Flagged'],
      changedOn: 'unknown',
    });
  });

  it('ignores flags the destination refused at APPEND', () => {
    assert.equal(
      compareFlags(['\\Seen', '$Custom'], ['\\Seen'], ['\\Seen', '$Custom'], ['$custom']),
      undefined,
    );
  });

  it('tells which side changed from the flags the run recorded', () => {
    assert.equal(compareFlags(['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Seen'])?.changedOn, 'destination');
    assert.equal(compareFlags(['\\Seen', '\\Answered'], ['\\Seen'], ['\\Seen'])?.changedOn, 'source');
    assert.equal(compareFlags(['\\Answered'], ['\\Flagged'], ['\\Seen'])?.changedOn, 'both');
  });

  it('reads the checkpoint JSON lists, and nothing from garbage', () => {
    assert.deepEqual(parseFlagList('["\\\\Seen",3]'), ['\\Seen']);
    assert.equal(parseFlagList(null), undefined);
    assert.equal(parseFlagList('{'), undefined);
  });
});

describe('datesDiffer', () => {
  it('compares INTERNALDATE to the second, whatever the zone', () => {
    assert.equal(
      datesDiffer(Date.parse('2024-01-01T10:00:00.400Z'), Date.parse('2024-01-01T11:00:00.000+01:00')),
      false,
    );
    assert.equal(datesDiffer(Date.parse('2024-01-01T10:00:00Z'), Date.parse('2024-01-01T10:00:01Z')), true);
  });
});
