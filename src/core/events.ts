/**
 * Events the engine emits while it works. Reporters (console line, NDJSON, log) decide how they
 * look; the engine never formats for people.
 */
import type { Drift } from './drift.js';

export interface FolderTotals {
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  flagsUpdated: number;
  bytes: number;
}

export type EngineEvent =
  | { type: 'run-start'; accounts: number }
  | { type: 'account-start'; account: string }
  | { type: 'account-planned'; account: string; folders: number; messages: number; bytes: number }
  | {
      type: 'folder-start';
      account: string;
      folder: string;
      destination: string;
      toCopy: number;
      bytes: number;
      /** Connection pairs the folder's copy runs on (more than one for a large folder). */
      pipes: number;
    }
  | { type: 'progress'; account: string; folder: string; messages: number; bytes: number }
  | {
      type: 'message-failed';
      account: string;
      folder: string;
      uid: number;
      reason: string;
    }
  | { type: 'message-skipped'; account: string; folder: string; uid: number; reason: string }
  | {
      type: 'folder-done';
      account: string;
      folder: string;
      destination: string;
      totals: FolderTotals;
      unchanged: boolean;
    }
  | { type: 'folder-failed'; account: string; folder: string; error: string }
  | { type: 'account-done'; account: string; totals: FolderTotals; folders: number; failedFolders: number }
  /** The account stopped; `code` says why (AUTH_FAILED, DEST_OVERQUOTA, CONN_LOST...), for notices and the dashboard. */
  | { type: 'account-failed'; account: string; error: string; hint?: string; code?: string }
  /** Connections the run holds open now, per side, after one was opened or closed (the dashboard shows `open`). */
  | { type: 'connections'; source: number; destination: number; open: number }
  /** A change on either server since the plan or the last sync, and what the run does about it. */
  | { type: 'drift'; account: string; drift: Drift }
  /** Something the servers show now that keeps the account from being complete (checked at its end). */
  | { type: 'account-unverified'; account: string; problem: string }
  | { type: 'run-done'; seconds: number; totals: FolderTotals; interrupted: boolean };

/** Receives engine events. */
export interface Reporter {
  emit(event: EngineEvent): void;
}

/** A fresh zeroed totals record. */
export function emptyTotals(): FolderTotals {
  return { copied: 0, present: 0, skipped: 0, failed: 0, flagsUpdated: 0, bytes: 0 };
}

/** Adds b into a. */
export function addTotals(a: FolderTotals, b: FolderTotals): FolderTotals {
  a.copied += b.copied;
  a.present += b.present;
  a.skipped += b.skipped;
  a.failed += b.failed;
  a.flagsUpdated += b.flagsUpdated;
  a.bytes += b.bytes;
  return a;
}
