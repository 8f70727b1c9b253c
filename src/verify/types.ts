/**
 * What `mailshift verify` finds, as plain data: the JSON report is this, serialised. The console,
 * Markdown and HTML reports are views of it. Dates are ISO 8601 strings so the JSON is stable.
 */

/** Version of the verification report JSON; a reader refuses any other. */
export const VERIFY_REPORT_VERSION = 1;

/** How much of the content was compared. */
export type VerifyMode =
  | { kind: 'headers' }
  | { kind: 'deep' }
  /** A deterministic random sample of the matched pairs, `percent` of them, chosen by `seed`. */
  | { kind: 'sample'; percent: number; seed: string };

/** What is known of one message for people: enough to find it in a mail client. */
export interface MessageRef {
  /** Server path of the folder the message is in. */
  folder: string;
  uid: number;
  size: number;
  /** INTERNALDATE (when the server received it). */
  internalDate: string;
  /** The Date header, when the headers were read. */
  date?: string;
  from?: string;
  subject?: string;
  messageId?: string;
}

/** Why a source message is not on the destination. */
export type MissingCause =
  /** The checkpoint says it was copied (or found there), and the destination no longer has it. */
  | 'deleted-on-destination'
  /** The destination folder the plan maps to does not exist. */
  | 'destination-folder-missing'
  /** The run tried and the destination refused it; `reason` has the server's words. */
  | 'copy-failed'
  /** Older than the last completed run of its folder, yet nothing records it. */
  | 'not-recorded';

/** A source message that should be on the destination and is not: a loss. */
export interface MissingMessage extends MessageRef {
  cause: MissingCause;
  reason?: string;
  /** The destination UID the checkpoint recorded for it, when there was one. */
  recordedDestUid?: number;
}

/** A source message the plan left out on purpose (over the size limit, ...). */
export interface SkippedMessage extends MessageRef {
  reason: string;
}

/** Why a destination message matches no source message. */
export type ExtraCause =
  /** The run copied it, and its source message has since been deleted on the source. */
  | 'expunged-on-source'
  /** Nothing of this migration put it there (earlier mail, a user's new mail, a stray copy). */
  | 'not-from-source';

/** A destination message with no source counterpart. Not a loss; listed for completeness. */
export interface ExtraMessage extends MessageRef {
  cause: ExtraCause;
  /** The source UID the checkpoint copied it from, for `expunged-on-source`. */
  sourceUid?: number;
}

/** Where a flag difference comes from, judged against the flags the run recorded. */
export type FlagChangeSide = 'destination' | 'source' | 'both' | 'unknown';

/** A matched pair whose flags differ. */
export interface FlagDifference {
  source: MessageRef;
  destUid: number;
  sourceFlags: string[];
  destFlags: string[];
  /** On the source, not on the destination. */
  onlyOnSource: string[];
  /** On the destination, not on the source. */
  onlyOnDestination: string[];
  changedOn: FlagChangeSide;
}

/** A matched pair whose INTERNALDATE differs. */
export interface DateDifference {
  source: MessageRef;
  destUid: number;
  sourceDate: string;
  destDate: string;
}

/** A matched pair whose bytes differ (deep mode). */
export interface ContentDifference {
  source: MessageRef;
  destUid: number;
  sourceSha256: string;
  destSha256: string;
}

/** Outcome of one source folder. */
export type FolderStatusKind =
  /** Compared message by message. */
  | 'compared'
  /** The plan skips it (excluded, not selectable, ...). */
  | 'skipped-by-plan'
  /** The plan maps it, and the destination folder does not exist. */
  | 'destination-missing'
  /** The plan maps it, and it no longer exists on the source. */
  | 'source-gone'
  /** It exists on the source, and the resolved plan does not know it. */
  | 'not-in-plan'
  /** The comparison failed (the server refused a command). */
  | 'error';

/** Counts of one source folder, the per-folder table. */
export interface FolderCounts {
  source: number;
  destination: number;
  matched: number;
  /** Matched through the checkpoint's destination UID. */
  matchedByCheckpoint: number;
  /** Matched through the message identity. */
  matchedByIdentity: number;
  missing: number;
  notYetCopied: number;
  skipped: number;
  extra: number;
  flagDifferences: number;
  dateDifferences: number;
  /** Pairs whose bytes were compared (deep mode). */
  contentChecked: number;
  contentDifferences: number;
}

/** Everything verify found about one source folder. */
export interface FolderResult {
  source: string;
  /** Destination folder the plan maps it to; null when skipped or unknown. */
  destination: string | null;
  status: FolderStatusKind;
  /** Why skipped, the error, ... */
  detail?: string;
  counts: FolderCounts;
  missing: MissingMessage[];
  notYetCopied: MessageRef[];
  skipped: SkippedMessage[];
  /** Extra destination messages; for a destination shared by several source folders, on the first. */
  extra: ExtraMessage[];
  flagDifferences: FlagDifference[];
  dateDifferences: DateDifference[];
  contentDifferences: ContentDifference[];
  /** Other source folders mapped into the same destination folder (the destination count is shared). */
  mergedWith?: string[];
  /** Where the last run copied this folder, when the plan now maps it elsewhere. */
  lastCopiedTo?: string;
}

/** Outcome of one account. */
export interface AccountResult {
  account: string;
  /** Destination login that verify performed; its failure is a finding. */
  destinationUser: string;
  sourceLogin: { ok: true } | { ok: false; error: string };
  destinationLogin: { ok: true } | { ok: false; error: string };
  /** Set when the account could not be compared at all (after a login, the listing failed...). */
  error?: string;
  folders: FolderResult[];
}

/** One address of the plan and where its mail goes on the new host. */
export interface AddressResult {
  address: string;
  kind: 'mailbox' | 'alias' | 'forward';
  /** A destination mailbox of the plan or the address's `target`, or null when it has none. */
  destination: string | null;
}

/** Totals over the whole report. */
export type VerifyTotals = FolderCounts & {
  accounts: number;
  accountsFailed: number;
  folders: number;
  foldersMissing: number;
  foldersFailed: number;
  addressesWithoutDestination: number;
};

/**
 * The verdict: `passed` when nothing is missing; `incomplete` when nothing is lost but the run has
 * not caught up (new mail, folders not yet copied); `failed` when something is lost, altered or
 * could not be checked.
 */
export type Verdict = 'passed' | 'incomplete' | 'failed';

/** The verification report (JSON `version: 1`). */
export interface VerifyReport {
  version: typeof VERIFY_REPORT_VERSION;
  plan: string;
  client?: string;
  generatedAt: string;
  seconds: number;
  mode: VerifyMode;
  lang: 'pl' | 'en';
  verdict: Verdict;
  totals: VerifyTotals;
  accounts: AccountResult[];
  addresses: AddressResult[];
}
