/**
 * What happened to one account: its folders done and failed, its totals, and the events that say
 * so. The one place a folder's completion is counted and reported, whether the account's setup
 * found it unchanged or a worker synced it.
 */
import { MailshiftError } from '../core/errors.js';
import { addTotals, emptyTotals, type FolderTotals, type Reporter } from '../core/events.js';
import type { FolderJob } from './folder-context.js';

/** What happened to an account. */
export interface AccountResult {
  account: string;
  ok: boolean;
  totals: FolderTotals;
  folders: number;
  failedFolders: { folder: string; error: string }[];
  skippedFolders: { folder: string; reason: string }[];
  error?: string;
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
    };
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
    this.reporter.emit({ type: 'folder-failed', account: this.result.account, folder, error });
  }

  /** The account stopped (login, quota, connections that kept failing). */
  accountFailed(err: MailshiftError): void {
    this.result.ok = false;
    this.result.error = err.message;
    this.result.hint = err.hint;
    this.reporter.emit({
      type: 'account-failed',
      account: this.result.account,
      error: err.message,
      hint: err.hint,
    });
  }

  /** The outcome: complete only when nothing failed and the run was not interrupted. */
  outcome(interrupted: boolean): AccountResult {
    const r = this.result;
    if (r.failedFolders.length > 0 || r.totals.failed > 0 || interrupted) r.ok = false;
    return r;
  }
}
