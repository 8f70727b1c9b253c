/**
 * The destination refused to store more (NO [OVERQUOTA]): the account stops, saying how much more
 * space the rest needs, from the quota (RFC 9208 GETQUOTAROOT) and the source folder sizes.
 */
import { MailshiftError } from '../core/errors.js';
import type { FolderListing } from '../core/folders.js';
import { isDone } from '../core/messages.js';
import type { FolderReader } from '../core/ports.js';
import { formatSize } from '../core/units.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';

/** A folder being synced, with the size its source listing gave (STATUS=SIZE), if any. */
export interface SizedFolder {
  source: string;
  listing: Pick<FolderListing, 'size'>;
}

/**
 * Source bytes of the folders being synced not yet copied or found on the destination: what a
 * full destination still needs, or undefined when the source does not report folder sizes.
 */
export function remainingBytes(
  state: CheckpointStore,
  account: string,
  jobs: readonly SizedFolder[],
): number | undefined {
  if (jobs.some((j) => j.listing.size === undefined)) return undefined;
  const total = jobs.reduce((s, j) => s + (j.listing.size ?? 0), 0);
  const folders = new Set(jobs.map((j) => j.source));
  let done = 0;
  for (const r of state.accountMessages(account)) {
    if (folders.has(r.folder) && isDone(r.state)) done += r.size;
  }
  return Math.max(0, total - done);
}

/**
 * The account-scope error that stops an account whose destination is full.
 * @param remaining bytes still to copy (see {@link remainingBytes})
 * @param err the server's refusal, kept as the cause
 */
export async function quotaStop(
  account: string,
  dst: FolderReader,
  remaining: number | undefined,
  err: unknown,
): Promise<MailshiftError> {
  const quota = await dst.quota().catch(() => undefined);
  const used = quota ? ` (${formatSize('en', quota.usage)} of ${formatSize('en', quota.limit)} used)` : '';
  const needed =
    remaining === undefined
      ? undefined
      : Math.max(0, remaining - (quota ? Math.max(0, quota.limit - quota.usage) : 0));
  const need =
    needed === undefined
      ? 'at least as much free space as the mail still to copy'
      : `about ${formatSize('en', needed)} more space for the ${formatSize('en', remaining ?? 0)} still to copy`;
  return new MailshiftError(`the destination mailbox of ${account} is full${used}: it needs ${need}`, {
    code: 'DEST_OVERQUOTA',
    scope: 'account',
    hint:
      needed === undefined
        ? 'raise its quota on the destination or free space there, then run again: the copy continues where it stopped'
        : `raise its quota on the destination by at least ${formatSize('en', needed)} (or free that much), then run again: the copy continues where it stopped`,
    cause: err,
  });
}
