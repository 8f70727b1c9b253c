/**
 * Pairs the messages of source folders with those of the destination folder they are mapped to.
 * Pure: it takes what both servers listed and what the checkpoint recorded, and returns matched
 * pairs plus every message left over, each with the reason it is left over.
 *
 * The checkpoint is trusted first: a destination UID recorded from APPENDUID (RFC 4315) under the
 * same UIDVALIDITY names exactly the copy the run made, even when a repair changed its size. What
 * remains is matched by identity as a multiset (two copies of an exact duplicate need two copies),
 * which also accounts for messages that were on the destination before the run.
 */
import { IdentityPool } from '../core/identity-pool.js';
import type { MessageMeta } from '../core/messages.js';
import type { VerifyRow } from '../state/checkpoint-store.js';
import type { ExtraCause, MissingCause } from './types.js';
import { isDone } from '../core/messages.js';
import { outsideWindow, windowSkipReason, type ResolvedWindow } from '../plan/window.js';

/** One source folder as it is now, with what the checkpoint knows of it. */
export interface SourceSide {
  folder: string;
  uidValidity: number;
  messages: MessageMeta[];
  /** Checkpoint rows of this folder under the current UIDVALIDITY. */
  rows: VerifyRow[];
  /** UIDNEXT at the last completed sync of this folder, when it was under the current UIDVALIDITY. */
  syncedUidNext?: number;
  /** The account's date window: a message outside it that no run recorded is skipped on purpose. */
  window?: ResolvedWindow;
}

/** The destination folder as it is now. */
export interface DestinationSide {
  folder: string;
  uidValidity: number;
  messages: MessageMeta[];
}

/** Source folders that share one destination folder (usually one), and that folder. */
export interface MatchInput {
  sources: SourceSide[];
  /** Undefined when the destination folder does not exist. */
  destination: DestinationSide | undefined;
}

/** A source message and its copy. */
export interface MatchedPair {
  source: MessageMeta;
  dest: MessageMeta;
  via: 'checkpoint' | 'identity';
  /** The checkpoint row of the source message, when there is one. */
  row?: VerifyRow;
}

/** Where the messages of one source folder stand. */
export interface SourceOutcome {
  folder: string;
  pairs: MatchedPair[];
  missing: { meta: MessageMeta; cause: MissingCause; reason?: string; recordedDestUid?: number }[];
  notYetCopied: MessageMeta[];
  skipped: { meta: MessageMeta; reason: string }[];
}

/** The matching of one destination folder. */
export interface MatchOutcome {
  sources: SourceOutcome[];
  extra: { meta: MessageMeta; cause: ExtraCause; sourceUid?: number }[];
}

/**
 * Matches source messages to destination messages: checkpoint UIDs first, identities for the rest.
 * @returns one outcome per source folder (in input order) and the destination's extra messages.
 */
export function matchMessages(input: MatchInput): MatchOutcome {
  const dest = input.destination;
  const { claim, unclaimed } = claims(dest);
  const states = claimByCheckpoint(input, claim);
  const open = states.some((s) => s.open.length > 0);
  const pool = new IdentityPool(open ? unclaimed() : []);
  const sources = states.map((s): SourceOutcome => {
    const out: SourceOutcome = {
      folder: s.side.folder,
      pairs: s.pairs,
      missing: [],
      notYetCopied: [],
      skipped: [],
    };
    for (const meta of s.open) {
      const row = findUid(s.rows, meta.uid);
      const copy = claim(pool.take(meta.identity));
      if (copy) {
        out.pairs.push({ source: meta, dest: copy, via: 'identity', ...(row ? { row } : {}) });
      } else classifyUnmatched(out, meta, row, s.side, dest !== undefined);
    }
    out.pairs.sort((a, b) => a.source.uid - b.source.uid);
    return out;
  });

  return { sources, extra: extras(input, unclaimed()) };
}

/** One source folder after the checkpoint's claims: its pairs, and the messages left open. */
export interface CheckpointClaims {
  side: SourceSide;
  /** The side's rows sorted by UID. */
  rows: readonly VerifyRow[];
  pairs: MatchedPair[];
  open: MessageMeta[];
}

/**
 * The first half of {@link matchMessages}: every source message whose checkpoint row names a copy
 * on the destination as it is now is paired with it; the others are left open, for matching by
 * identity. A big folder verified a slice at a time (verify-slices.ts) claims slice by slice.
 * @param claim takes a destination message by UID (once), as {@link matchMessages} shares it
 */
export function claimByCheckpoint(
  input: MatchInput,
  claim: (uid: number | undefined) => MessageMeta | undefined = claims(input.destination).claim,
): CheckpointClaims[] {
  const dest = input.destination;
  return input.sources.map((side) => {
    const rows = byUid(side.rows);
    const pairs: MatchedPair[] = [];
    const open: MessageMeta[] = [];
    for (const meta of side.messages) {
      const row = findUid(rows, meta.uid);
      const copy = claim(dest && row ? checkpointUid(row, dest) : undefined);
      if (copy) pairs.push({ source: meta, dest: copy, via: 'checkpoint', row });
      else open.push(meta);
    }
    return { side, rows, pairs, open };
  });
}

/** Claiming destination messages by UID, each once, and what is left unclaimed. */
function claims(dest: DestinationSide | undefined) {
  // Lookups by UID over arrays sorted by UID, and the destination's claimed copies as one byte
  // each: a 30,000-message folder needs no maps of 30,000 entries on top of its messages.
  const destMessages = byUid(dest?.messages ?? []);
  const taken = new Uint8Array(destMessages.length);
  return {
    /** Claims the destination message with this UID, unless there is none or it is claimed. */
    claim: (uid: number | undefined): MessageMeta | undefined => {
      const i = uid === undefined ? -1 : indexOfUid(destMessages, uid);
      if (i < 0 || taken[i] === 1) return undefined;
      taken[i] = 1;
      return destMessages[i];
    },
    unclaimed: () => destMessages.filter((_, i) => taken[i] === 0),
  };
}

/**
 * The destination messages that no checkpoint row names (for the folder as it is now): the only
 * ones matching by identity can concern, so the only ones whose identity must be read.
 */
export function unnamedByCheckpoint(input: MatchInput): MessageMeta[] {
  const dest = input.destination;
  if (!dest) return [];
  const destMessages = byUid(dest.messages);
  const named = new Uint8Array(destMessages.length);
  for (const side of input.sources) {
    const rows = byUid(side.rows);
    // As matchMessages claims: the row of a message still on the source (the copy of one expunged
    // there may be matched by identity to the same message appended again).
    for (const meta of side.messages) {
      const row = findUid(rows, meta.uid);
      const uid = row ? checkpointUid(row, dest) : undefined;
      const i = uid === undefined ? -1 : indexOfUid(destMessages, uid);
      if (i >= 0) named[i] = 1;
    }
  }
  return destMessages.filter((_, i) => named[i] === 0);
}

/** Items sorted by UID (as scans and the state give them; sorted here when they are not). */
function byUid<T extends { uid: number }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++)
    if (items[i - 1]!.uid > items[i]!.uid) return [...items].sort((a, b) => a.uid - b.uid);
  return items;
}

/** The position of this UID in a UID-sorted array (binary search), or -1. */
function indexOfUid(sorted: readonly { uid: number }[], uid: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = sorted[mid]!.uid;
    if (at === uid) return mid;
    if (at < uid) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The item with this UID in a UID-sorted array, or undefined. */
function findUid<T extends { uid: number }>(sorted: readonly T[], uid: number): T | undefined {
  const i = indexOfUid(sorted, uid);
  return i < 0 ? undefined : sorted[i];
}

/** The destination UID a done row recorded, when it is valid for the folder as it is now. */
export function checkpointUid(
  row: VerifyRow,
  dest: Pick<DestinationSide, 'folder' | 'uidValidity'>,
): number | undefined {
  if (!isDone(row.state) || row.dest_uid === null) return undefined;
  // A recreated folder gets a new UIDVALIDITY (RFC 3501 2.3.1.1): its old UIDs name nothing.
  if (row.dest_folder !== dest.folder || row.dest_uidvalidity !== dest.uidValidity) return undefined;
  return row.dest_uid;
}

/** Decides whether a source message without a copy is lost, skipped on purpose or simply new. */
function classifyUnmatched(
  out: SourceOutcome,
  meta: MessageMeta,
  row: VerifyRow | undefined,
  side: SourceSide,
  destinationExists: boolean,
): void {
  if (row?.state === 'skipped') {
    out.skipped.push({ meta, reason: row.reason ?? 'skipped' });
    return;
  }
  if (row?.state === 'failed') {
    out.missing.push({ meta, cause: 'copy-failed', ...(row.reason ? { reason: row.reason } : {}) });
    return;
  }
  // Outside the window and never recorded (new since the last pass): left out, as a run would.
  const window = side.window;
  const outside = !row && window ? outsideWindow(window, meta.internalDate) : undefined;
  if (window && outside) {
    out.skipped.push({ meta, reason: windowSkipReason(window, outside) });
    return;
  }
  if (row && isDone(row.state)) {
    out.missing.push({
      meta,
      cause: destinationExists ? 'deleted-on-destination' : 'destination-folder-missing',
      ...(row.dest_uid !== null ? { recordedDestUid: row.dest_uid } : {}),
    });
    return;
  }
  // No row, or a row left "appending" by an interrupted run: the next run deals with it, unless
  // the folder's last completed sync already saw this UID (UIDs only grow, RFC 3501 2.3.1.1).
  const seenByLastSync = side.syncedUidNext !== undefined && meta.uid < side.syncedUidNext;
  if (!seenByLastSync || row?.state === 'appending') out.notYetCopied.push(meta);
  else out.missing.push({ meta, cause: destinationExists ? 'not-recorded' : 'destination-folder-missing' });
}

/** Destination messages nothing matched (`untaken`), with whether the run put them there. */
function extras(input: MatchInput, untaken: readonly MessageMeta[]): MatchOutcome['extra'] {
  const dest = input.destination;
  // Usually none: the maps below (one entry per source message) are made only when needed.
  if (!dest || untaken.length === 0) return [];
  const claims = new Map<number, VerifyRow>();
  for (const side of input.sources) {
    for (const r of side.rows) {
      const uid = checkpointUid(r, dest);
      if (uid !== undefined) claims.set(uid, r);
    }
  }
  const current = new Set(input.sources.flatMap((s) => s.messages.map((m) => `${s.folder}\0${m.uid}`)));
  return untaken.map((meta) => {
    const row = claims.get(meta.uid);
    if (row && !current.has(`${row.folder}\0${row.uid}`)) {
      return { meta, cause: 'expunged-on-source' as const, sourceUid: row.uid };
    }
    return { meta, cause: 'not-from-source' as const };
  });
}
