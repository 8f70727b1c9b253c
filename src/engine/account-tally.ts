/**
 * What happened to one account: its folders done and failed, its totals, and the events that say
 * so. The one place a folder's completion is counted and reported, whether the account's setup
 * found it unchanged or a worker synced it.
 */
import { MailshiftError } from '../core/errors.js';
import { addTotals, emptyTotals, type FolderTotals, type Reporter } from '../core/events.js';
import type { FolderJob } from './folder-context.js';
import type { Drift } from '../core/drift.js';

/** What happened to an account. */
export interface AccountResult {
  account: string;
  ok: boolean;
  totals: FolderTotals;
  folders: number;
  failedFolders: { folder: string; error: string }[];
  skippedFolders: { folder: string; reason: string }[];
  /** What changed on either server since the plan or the last sync (handled by a documented rule). */
  drift: Drift[];
  /** What both servers show now that keeps the account from being complete (account-check.ts). */
  unverified: string[];
  error?: string;
  /** The code of the error that stopped the account (AUTH_FAILED, DEST_OVERQUOTA...). */
  code?: string;
  hint?: string;
}

/** The folders an account's setup decided on (see account-setup.ts). */
export interface PlannedFolders {
  /** Folders to sync. */
  jobs: readonly (FolderJob & { listing: { messages?: number; size?: number } })[];
  /** Folders unchanged since their last complete sync. */
  unchanged: readonly FolderJob[];
  /** Folders the mapping leaves out, with why. */
  skipped: readonly { folder: string; reason: string }[];
}

/** Counts and reports one account's outcome as its parts end. */
export class AccountTally {
  private readonly result: AccountResult;

  constructor(
    account: string,
    private readonly reporter: Reporter,
  ) {
    this.result = {
      account,
      ok: true,
      totals: emptyTotals(),
      folders: 0,
      failedFolders: [],
      skippedFolders: [],
      drift: [],
      unverified: [],
    };
  }

  /** Source folders that failed in this run, or left messages behind that the server refused. */
  readonly incompleteFolders = new Set<string>();

  /** A change on either server, and the rule that handles it. */
  drifted(drift: Drift): void {
    this.result.drift.push(drift);
    this.reporter.emit({ type: 'drift', account: this.result.account, drift });
  }

  /** A part of the account's claim that the servers do not show (account-check.ts). */
  notShown(problem: string): void {
    this.result.unverified.push(problem);
    this.reporter.emit({ type: 'account-unverified', account: this.result.account, problem });
  }

  /** Records the setup's decisions: unchanged folders are done, the others announced. */
  planned(plan: PlannedFolders): void {
    const { account } = this.result;
    this.result.skippedFolders.push(...plan.skipped);
    this.result.folders = plan.jobs.length + plan.unchanged.length;
    for (const job of plan.unchanged) this.folderDone(job, emptyTotals(), true);
    this.reporter.emit({
      type: 'account-planned',
      account,
      folders: this.result.folders,
      messages: plan.jobs.reduce((s, j) => s + (j.listing.messages ?? 0), 0),
      bytes: plan.jobs.reduce((s, j) => s + (j.listing.size ?? 0), 0),
    });
  }

  /** A folder ended (synced, unchanged, or stopped by an interruption): its totals count. */
  folderDone(job: FolderJob, totals: FolderTotals, unchanged: boolean): void {
    addTotals(this.result.totals, totals);
    if (totals.failed > 0) this.incompleteFolders.add(job.source);
    this.reporter.emit({
      type: 'folder-done',
      account: this.result.account,
      folder: job.source,
      destination: job.destination,
      totals,
      unchanged,
    });
  }

  /** A folder failed on its own (the server refused it); the account goes on. */
  folderFailed(folder: string, error: string): void {
    this.result.failedFolders.push({ folder, error });
    this.incompleteFolders.add(folder);
    this.reporter.emit({ type: 'folder-failed', account: this.result.account, folder, error });
  }

  /** The account stopped (login, quota, connections that kept failing). */
  accountFailed(err: MailshiftError): void {
    this.result.ok = false;
    this.result.error = err.message;
    this.result.code = err.code;
    this.result.hint = err.hint;
    this.reporter.emit({
      type: 'account-failed',
      account: this.result.account,
      error: err.message,
      hint: err.hint,
      code: err.code,
    });
  }

  /** The outcome: complete only when nothing failed and the run was not interrupted. */
  outcome(interrupted: boolean): AccountResult {
    const r = this.result;
    if (r.failedFolders.length > 0 || r.totals.failed > 0 || r.unverified.length > 0 || interrupted)
      r.ok = false;
    return r;
  }
}
