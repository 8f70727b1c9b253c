/**
 * Totals and the verdict of a verification. Pure. Only a loss fails it: a message missing, a
 * copy whose bytes differ, an account or folder that could not be checked, an address with no
 * destination. Flag and date differences and extra destination messages are reported but do not
 * fail it (people read and file mail on the new server as soon as they can).
 */
import { addCounts, emptyCounts } from './counts.js';
import type { AccountResult, AddressResult, Verdict, VerifyTotals } from './types.js';

/** Sums the folder counts of every account and counts the account-level findings. */
export function verifyTotals(
  accounts: readonly AccountResult[],
  addresses: readonly AddressResult[],
): VerifyTotals {
  const totals: VerifyTotals = {
    ...emptyCounts(),
    accounts: accounts.length,
    accountsFailed: 0,
    folders: 0,
    foldersMissing: 0,
    foldersFailed: 0,
    addressesWithoutDestination: addresses.filter((a) => a.destination === null).length,
  };
  for (const a of accounts) {
    if (a.error || !a.sourceLogin.ok || !a.destinationLogin.ok) totals.accountsFailed++;
    for (const f of a.folders) {
      totals.folders++;
      addCounts(totals, f.counts);
      if (f.status === 'destination-missing') totals.foldersMissing++;
      if (f.status === 'error') totals.foldersFailed++;
    }
  }
  return totals;
}

/**
 * The verdict from the totals.
 * @returns `failed` for any loss or anything unchecked, `incomplete` when only mail not yet
 *   copied remains, `passed` otherwise
 */
export function verdictOf(t: VerifyTotals): Verdict {
  const lost =
    t.missing > 0 ||
    t.contentDifferences > 0 ||
    t.accountsFailed > 0 ||
    t.foldersFailed > 0 ||
    t.addressesWithoutDestination > 0;
  if (lost) return 'failed';
  return t.notYetCopied > 0 ? 'incomplete' : 'passed';
}
