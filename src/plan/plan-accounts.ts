/**
 * `mailshift plan`: for every account, list both sides read-only and propose the folder mapping.
 * An account that cannot log in on either side is recorded with its reason; the others are
 * still planned.
 */
import PQueue from 'p-queue';
import type { FolderReader } from '../core/ports.js';
import { describeError } from '../core/errors.js';
import type { FolderListing, SideListing } from '../core/folders.js';
import type { Plan, PlanAccount } from './load-plan.js';
import { proposeMapping } from './mapping.js';
import { profileFor, rulesFor, type ResolvedAccount } from './resolved-plan.js';

/** Read-only connections to both sides of one account. */
export interface AccountReaders {
  source(): Promise<FolderReader>;
  destination(): Promise<FolderReader>;
}

/** One planned account: its resolved mapping and the source listing it came from. */
export interface PlannedAccount extends ResolvedAccount {
  id: string;
  sourceFolders: FolderListing[];
}

async function listSide(open: () => Promise<FolderReader>): Promise<SideListing> {
  const reader = await open();
  try {
    return await reader.listFolders();
  } finally {
    await reader.close();
  }
}

/** Plans one account; never throws for login or network failures (they are in `error`). */
export async function planAccount(
  plan: Plan,
  account: PlanAccount,
  readers: AccountReaders,
): Promise<PlannedAccount> {
  const [src, dst] = await Promise.allSettled([listSide(readers.source), listSide(readers.destination)]);
  const errors = [src, dst]
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => describeError(r.reason));
  if (src.status === 'rejected' || dst.status === 'rejected') {
    return {
      id: account.id,
      source: src.status === 'fulfilled' ? { namespace: src.value.namespace } : null,
      destination: dst.status === 'fulfilled' ? { namespace: dst.value.namespace } : null,
      error: errors.join('; '),
      folders: [],
      sourceFolders: src.status === 'fulfilled' ? src.value.folders : [],
    };
  }
  return {
    id: account.id,
    source: { namespace: src.value.namespace },
    destination: { namespace: dst.value.namespace },
    folders: proposeMapping(
      src.value,
      dst.value,
      rulesFor(plan, account),
      profileFor(plan, src.value, dst.value),
    ),
    sourceFolders: src.value.folders,
  };
}

/** Plans every account, a few at a time. */
export async function planAccounts(
  plan: Plan,
  readersFor: (account: PlanAccount) => AccountReaders,
  concurrency = 4,
): Promise<PlannedAccount[]> {
  const queue = new PQueue({ concurrency });
  return Promise.all(plan.accounts.map((a) => queue.add(() => planAccount(plan, a, readersFor(a)))));
}
