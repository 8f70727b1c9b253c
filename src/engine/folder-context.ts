/**
 * What syncing one folder works with: the folder, a lane's connections (an account's pool of them)
 * and the run's shared parts, and what preparing a folder (folder-prepare.ts) hands to copying it
 * (folder-copy.ts).
 */
import type { FolderTotals, Reporter } from '../core/events.js';
import type { FolderListing, FolderStatus } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import type { AccountPool } from '../core/account-pool.js';
import type { IdentityPool } from '../core/identity-pool.js';
import type { UidRange } from '../core/uid-ranges.js';
import type { Appender, BodyReader, DestinationStore, SourceStore } from '../core/ports.js';
import type { RepairPolicy } from '../core/repair.js';
import type { PlanLimits } from '../plan/schema.js';
import type { ResolvedWindow } from '../plan/window.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { ByteBudget } from './byte-budget.js';
import type { RateLimit } from './rate-limit.js';
import type { DailyBudget } from './daily-budget.js';

/**
 * A provider's rule for the messages of one folder (a Gmail source: gmail-source.ts): which of the
 * scanned messages this folder copies, and the flags their copies carry.
 */
export interface MessagePolicy {
  /**
   * The messages this folder copies, with their flags completed (keywords from labels); the others
   * are left to the folder that holds their copy (they get no state row here).
   */
  select(metas: MessageMeta[]): MessageMeta[];
  /** The flags a copy of the message with this identity carries, for its source flags (flag sync). */
  flags(identity: string, flags: string[]): string[];
}

/** One folder to sync. */
export interface FolderJob {
  source: string;
  destination: string;
  /** The source folder's STATUS from the account's LIST-STATUS, saving one round trip. */
  status?: FolderStatus;
  /**
   * The destination folder is missing or was recreated (drift): what the state recorded of it no
   * longer holds, so its messages are found again by identity and the missing ones copied again.
   */
  refill?: boolean;
  /** A provider's rule for this folder's messages (a Gmail source), when there is one. */
  policy?: MessagePolicy;
}

/** One lane's connections: source control and body reader, destination control and appender. */
export interface CopyLane {
  source: SourceStore;
  bodies: BodyReader;
  destination: DestinationStore;
  appender: Appender;
}

/** A folder to sync, with what the account's listing said of it (subscription, size). */
export type FolderTask = FolderJob & { listing: FolderListing };

/** An account's pool of copy lanes. */
export type CopyPool = AccountPool<CopyLane, FolderTask, PreparedFolder>;

/** What a folder sync works with: a lane's connections and the run's shared parts. */
export interface FolderContext {
  account: string;
  src: SourceStore;
  /** The source connection that opens, scans and reads bodies, several batches in flight. */
  bodies: BodyReader;
  appender: Appender;
  dst: DestinationStore;
  state: CheckpointStore;
  budget: ByteBudget;
  limits: PlanLimits;
  syncFlags: boolean;
  repair: RepairPolicy;
  /** Largest message the destination accepts (APPENDLIMIT), if it says. */
  appendLimit?: number;
  reporter: Reporter;
  signal: AbortSignal;
  /** The account's optional messages/bytes per second caps. */
  rate?: RateLimit;
  /** The account's bytes per day on the destination (limits.maxBytesPerDay, Gmail's 500 MB). */
  daily?: DailyBudget;
  /** The account's date window for this pass (date-window.ts); every message when absent. */
  window?: ResolvedWindow;
  /** Copy each folder's messages newest first (copy-order.ts). */
  newestFirst?: boolean;
  /** Messages per slice of a big folder's copy (folder-prepare.ts; tests make it small). */
  sliceMessages?: number;
  /** Counts a committed batch: progress, after which a failure starts its retries afresh. */
  committed(): void;
}

/** The work key of a folder's messages: account, source folder and its UIDVALIDITY. */
export type FolderKey = { account: string; folder: string; uidvalidity: number };

/**
 * One slice of a folder's copy: the messages it has to copy, and the UID ranges still to scan after
 * it. A folder is one slice unless it is big (folder-prepare.ts, COPY_SLICE_MESSAGES).
 */
export interface CopySlice {
  key: FolderKey;
  metas: MessageMeta[];
  destStatus: FolderStatus;
  permitted: string[];
  /** The UID ranges of the folder still to scan and copy after this slice, in the order of the copy. */
  rest: UidRange[];
  /**
   * The destination's messages no state row claimed when the folder's first slice needed them, by
   * identity (null: none); read once for the whole folder.
   */
  unclaimed: { pool?: IdentityPool | null };
}

/** A folder looked at and ready to copy: what prepareFolder found, for finishFolder. */
export interface PreparedFolder {
  job: FolderJob;
  totals: FolderTotals;
  srcStatus: FolderStatus;
  /** Undefined when the folder is unchanged since its last complete sync. */
  copy?: CopySlice;
}
