/**
 * Verifies one account: log in on both sides (a refused login is itself a finding), list both,
 * take the folder mapping, then compare the destination folders over a few lanes of one reader per
 * side (core/account-pool.ts), biggest first, in bursts of folders read in one round trip where
 * the readers can (verify-burst.ts). A folder the server refuses to open is reported and
 * the others go on; a dropped connection is reopened and the folder compared again, per the plan's
 * `limits.retry`; a throttling server leaves fewer lanes. When the account's connections keep
 * failing, the folders not compared say why.
 */
import { AccountPool } from '../core/account-pool.js';
import type { RetryPolicy } from '../core/backoff.js';
import { describeError, MailshiftError } from '../core/errors.js';
import type { FolderDecision, SideListing } from '../core/folders.js';
import type { FolderMapper, FolderReader, ReaderConnectors } from '../core/ports.js';
import type { RepairPolicy } from '../core/repair.js';
import type { PlanAccount } from '../plan/load-plan.js';
import type { Logger } from '../shared/logger.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { ResolvedWindow } from '../plan/window.js';
import { folderResult } from './counts.js';
import { planFolders, type FolderGroup } from './plan-folders.js';
import type { AccountResult, FolderResult, VerifyMode } from './types.js';
import { verifyInSlices } from './verify-slices.js';
import { bursts, verifyBurst } from './verify-burst.js';
import { reconcile } from '../plan/drift.js';
import { gmailView, readLabelIndex, type GmailSettings } from '../plan/gmail-labels.js';
import { gmailDestinations, type GmailVerify } from './gmail-presence.js';

/** What verifying an account needs. */
export interface AccountVerifyDeps {
  connect: ReaderConnectors;
  store: CheckpointStore;
  mapper: FolderMapper;
  mode: VerifyMode;
  repair: RepairPolicy;
  /** Lanes (a reader on each side) this account may use at once (core/connection-caps.ts). */
  lanes: number;
  /** The plan's `limits.retry`. */
  retry: RetryPolicy;
  signal: AbortSignal;
  logger: Logger;
  /** How a Gmail source was copied (the plan's `gmail` section and the source's provider). */
  gmail?: GmailSettings;
  /** The account's date window: what it leaves out counts as skipped on purpose. */
  window?: ResolvedWindow;
  /** Source messages per slice of a big folder (verify-slices.ts). */
  sliceMessages?: number;
}

/** One lane's connections: a reader on each side. */
interface ReaderLane {
  source: FolderReader;
  destination: FolderReader;
}

function loginError(err: unknown): string {
  return err instanceof MailshiftError ? err.message : describeError(err);
}

/**
 * Verifies an account; never throws for the account's own problems (they are in the result).
 * @throws MailshiftError INTERRUPTED when the signal is aborted, or a bug's error
 */
export async function verifyAccount(account: PlanAccount, deps: AccountVerifyDeps): Promise<AccountResult> {
  const result: AccountResult = {
    account: account.id,
    destinationUser: account.destination.user,
    sourceLogin: { ok: true },
    destinationLogin: { ok: true },
    folders: [],
  };
  // Both logins are tried even when one fails: each refused login is a finding of its own.
  const [src, dst] = await Promise.allSettled([deps.connect.source(), deps.connect.destination()]);
  if (src.status === 'rejected') result.sourceLogin = { ok: false, error: loginError(src.reason) };
  if (dst.status === 'rejected') result.destinationLogin = { ok: false, error: loginError(dst.reason) };
  const pool = new AccountPool<ReaderLane, FolderGroup[]>({
    account: account.id,
    lanes: deps.lanes,
    retry: deps.retry,
    signal: deps.signal,
    connect: { source: () => deps.connect.source(), destination: () => deps.connect.destination() },
    log: deps.logger,
  });
  // Lane 0 takes over the connections used for logging in and listing, and closes them with its own.
  pool.adopt({
    ...(src.status === 'fulfilled' ? { source: src.value } : {}),
    ...(dst.status === 'fulfilled' ? { destination: dst.value } : {}),
  });
  try {
    if (src.status === 'rejected' || dst.status === 'rejected') {
      result.error = 'cannot log in; nothing of this account was compared';
      return result;
    }
    result.folders = await verifyFolders(account.id, pool, deps);
  } catch (err) {
    // The account's own problems are findings; a run-wide stop or a bug is not.
    if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
    result.error = describeError(err);
  } finally {
    await pool.close();
  }
  return result;
}

/** Lists both sides, then compares every folder group over the lanes. */
async function verifyFolders(
  id: string,
  pool: AccountPool<ReaderLane, FolderGroup[]>,
  deps: AccountVerifyDeps,
): Promise<FolderResult[]> {
  let canBurst = false;
  const [source, destination] = await pool.setup('listing folders', ['source', 'destination'], (c) => {
    canBurst = c.source.scanFolders !== undefined && c.destination.scanFolders !== undefined;
    return Promise.all([c.source.listFolders(), c.destination.listFolders()]);
  });
  const { plan, decisions } = planFor(id, source, destination, deps);
  const done: FolderResult[] = [...plan.settled];
  const gmail = await gmailVerify(pool, deps.gmail, decisions, source);
  const group = {
    account: id,
    store: deps.store,
    mode: deps.mode,
    repair: deps.repair,
    ...(gmail ? { gmail, existing: new Set(destination.folders.map((f) => f.path.normalize('NFC'))) } : {}),
    ...(deps.window ? { window: deps.window } : {}),
    ...(deps.sliceMessages ? { sliceMessages: deps.sliceMessages } : {}),
  };
  // Readers that scan many folders in one round trip take the groups a burst at a time (a Gmail
  // source reads its labels and All Mail folder by folder); others one group at a time.
  const bursty = canBurst && !gmail;
  try {
    await pool.run({
      jobs: bursty ? bursts(plan.groups) : plan.groups.map((g) => [g]),
      name: (b) => b.map((g) => g.destination).join(', '),
      work: async (b, lane) => {
        const { source: src, destination: dst } = lane.conns;
        if (bursty) {
          done.push(...(await verifyBurst(src, dst, b, group)));
          return;
        }
        for (const g of b) {
          try {
            done.push(...(await verifyInSlices(src, dst, g, group)));
          } catch (err) {
            // A folder the server refuses is a finding of that folder; the others go on.
            if (!(err instanceof MailshiftError) || err.scope !== 'folder') throw err;
            done.push(...failedGroup(g, err.message));
          }
        }
      },
    });
  } catch (err) {
    if (deps.signal.aborted) throw interrupted();
    if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
    // The account stopped (connections that kept failing, a login refused on reconnect): the
    // folders not compared say why.
    for (const g of pool.left.flat()) done.push(...failedGroup(g, err.message));
  }
  if (deps.signal.aborted) throw interrupted();
  const position = new Map(plan.order.map((p, i) => [p, i]));
  return done.sort(
    (a, b) =>
      (position.get(a.source) ?? Infinity) - (position.get(b.source) ?? Infinity) ||
      a.source.localeCompare(b.source),
  );
}

/**
 * The folders to compare: the mapping, extended by the same drift rules as a run (a source folder
 * created after the plan is expected where the plan's rules put it; a renamed one where its old
 * name went), so verify and run agree on where every source folder belongs.
 */
function planFor(id: string, source: SideListing, destination: SideListing, deps: AccountVerifyDeps) {
  const propose = () => deps.mapper.propose(id, source, destination);
  const { decisions } = reconcile({
    decisions: deps.mapper.resolved(id) ?? propose(),
    source,
    destination,
    synced: deps.store.syncedFolders(id),
    propose,
    newFolders: 'copy',
  });
  const last = new Map(deps.store.folders(id).map((f) => [f.source_path, f.dest_path]));
  return { plan: planFolders(decisions, source, destination, last), decisions };
}

/** A Gmail source's labels, read once per account (plan/gmail-labels.ts), or undefined. */
async function gmailVerify(
  pool: AccountPool<ReaderLane, FolderGroup[]>,
  settings: GmailSettings | undefined,
  decisions: readonly FolderDecision[],
  source: SideListing,
): Promise<GmailVerify | undefined> {
  const view = settings && gmailView(settings, decisions, source);
  if (!view) return undefined;
  const index = await pool.setup('reading Gmail labels', ['source'], (c) =>
    readLabelIndex(c.source, view.folders, 'all'),
  );
  return { view, index, destinations: gmailDestinations(view, decisions) };
}

function failedGroup(group: FolderGroup, detail: string): FolderResult[] {
  return group.sources.map((s) => folderResult(s, group.destination, 'error', { detail }));
}

function interrupted(): MailshiftError {
  return new MailshiftError('verification stopped before the end; nothing was changed', {
    code: 'INTERRUPTED',
    scope: 'run',
    hint: 'run verify again; it reads both sides afresh',
  });
}
