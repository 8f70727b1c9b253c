/**
 * Totals and verdict: only a loss fails; new mail makes it incomplete; differences are reported.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { folderResult } from '../../../src/verify/counts.js';
import type { AccountResult, FolderCounts } from '../../../src/verify/types.js';
import { verdictOf, verifyTotals } from '../../../src/verify/verdict.js';

function account(counts: Partial<FolderCounts>[], extra: Partial<AccountResult> = {}): AccountResult {
  return {
    account: 'a',
    destinationUser: 'a',
    sourceLogin: { ok: true },
    destinationLogin: { ok: true },
    folders: counts.map((c, i) => folderResult(`F${i}`, `F${i}`, 'compared', { counts: c })),
    ...extra,
  };
}

describe('verdict', () => {
  it('passes with flag and date differences and extra messages', () => {
    const t = verifyTotals(
      [account([{ source: 3, matched: 3, flagDifferences: 1, dateDifferences: 1, extra: 2 }])],
      [],
    );
    assert.equal(t.matched, 3);
    assert.equal(verdictOf(t), 'passed');
  });

  it('is incomplete with mail not yet copied, failed with a loss, an altered copy or a refused login', () => {
    assert.equal(verdictOf(verifyTotals([account([{ notYetCopied: 1 }])], [])), 'incomplete');
    assert.equal(verdictOf(verifyTotals([account([{ notYetCopied: 1 }, { missing: 1 }])], [])), 'failed');
    assert.equal(verdictOf(verifyTotals([account([{ contentDifferences: 1 }])], [])), 'failed');
    const refused = account([], { destinationLogin: { ok: false, error: 'login refused' } });
    assert.equal(verifyTotals([refused], []).accountsFailed, 1);
    assert.equal(verdictOf(verifyTotals([refused], [])), 'failed');
  });

  it('fails when an address has no destination', () => {
    const t = verifyTotals([account([])], [{ address: 'x@acme.example', kind: 'alias', destination: null }]);
    assert.equal(t.addressesWithoutDestination, 1);
    assert.equal(verdictOf(t), 'failed');
  });
});
