/**
 * Assembles the report's folder results from what the comparison of one destination folder
 * found. Pure: the reading is done by verify-folder-group.ts.
 */
import type { MessageMeta } from '../core/messages.js';
import type { PairFindings } from './compare-pairs.js';
import type { ContentResult } from './compare-content.js';
import { emptyCounts } from './counts.js';
import type { HeaderDetails } from './header-details.js';
import type { MatchInput, MatchOutcome } from './match-messages.js';
import type { FolderResult, MessageRef } from './types.js';
import { storableFlags } from '../core/flags.js';

/** Everything found about one destination folder and its source folders. */
export interface GroupEvidence {
  input: MatchInput;
  outcome: MatchOutcome;
  /** Per source folder, in the order of `input.sources`. */
  pairs: PairFindings[];
  /** Per source folder; absent when content was not compared. */
  content: (ContentResult | undefined)[];
  /** Header details by source folder, then UID. */
  sourceDetails: Map<string, Map<number, HeaderDetails>>;
  destDetails: Map<number, HeaderDetails>;
  /** Source path -> where the last run copied it, for folders the plan now maps elsewhere. */
  lastCopiedTo: Map<string, string>;
  /** The destination folder's path, also when it does not exist. */
  destinationFolder: string;
}

/** The reference to a message that the report shows. */
export function messageRef(folder: string, meta: MessageMeta, details?: HeaderDetails): MessageRef {
  return {
    folder,
    uid: meta.uid,
    size: meta.size,
    internalDate: new Date(meta.internalDate).toISOString(),
    ...(details?.date ? { date: details.date } : {}),
    ...(details?.from ? { from: details.from } : {}),
    ...(details?.subject !== undefined ? { subject: details.subject } : {}),
    ...((details?.messageId ?? meta.messageId) ? { messageId: details?.messageId ?? meta.messageId } : {}),
  };
}

/**
 * One result per source folder. Extra destination messages go to the first source folder, so a
 * merged destination lists them once.
 */
export function folderResults(e: GroupEvidence): FolderResult[] {
  const dest = e.input.destination;
  return e.outcome.sources.map((o, i): FolderResult => {
    const side = e.input.sources[i]!;
    const details = e.sourceDetails.get(o.folder) ?? new Map<number, HeaderDetails>();
    const ref = (m: MessageMeta) => messageRef(o.folder, m, details.get(m.uid));
    const pairs = e.pairs[i] ?? { flags: [], dates: [] };
    const content = e.content[i];
    const extra =
      i === 0
        ? e.outcome.extra.map((x) => ({
            ...messageRef(e.destinationFolder, x.meta, e.destDetails.get(x.meta.uid)),
            cause: x.cause,
            ...(x.sourceUid !== undefined ? { sourceUid: x.sourceUid } : {}),
          }))
        : [];
    const byCheckpoint = o.pairs.filter((p) => p.via === 'checkpoint').length;
    const mergedWith = e.input.sources.filter((s) => s.folder !== o.folder).map((s) => s.folder);
    const lastCopiedTo = e.lastCopiedTo.get(o.folder);
    return {
      source: o.folder,
      destination: e.destinationFolder,
      status: dest ? 'compared' : 'destination-missing',
      counts: {
        ...emptyCounts(),
        source: side.messages.length,
        destination: dest?.messages.length ?? 0,
        matched: o.pairs.length,
        matchedByCheckpoint: byCheckpoint,
        matchedByIdentity: o.pairs.length - byCheckpoint,
        missing: o.missing.length,
        notYetCopied: o.notYetCopied.length,
        skipped: o.skipped.length,
        extra: extra.length,
        flagDifferences: pairs.flags.length,
        dateDifferences: pairs.dates.length,
        contentChecked: content?.checked ?? 0,
        contentDifferences: content?.differences.length ?? 0,
      },
      missing: o.missing.map((m) => ({
        ...ref(m.meta),
        cause: m.cause,
        ...(m.reason !== undefined ? { reason: m.reason } : {}),
        ...(m.recordedDestUid !== undefined ? { recordedDestUid: m.recordedDestUid } : {}),
      })),
      notYetCopied: o.notYetCopied.map(ref),
      skipped: o.skipped.map((s) => ({ ...ref(s.meta), reason: s.reason })),
      extra,
      flagDifferences: pairs.flags.map(({ pair, delta }) => ({
        source: ref(pair.source),
        destUid: pair.dest.uid,
        sourceFlags: storableFlags(pair.source.flags).sort(),
        destFlags: storableFlags(pair.dest.flags).sort(),
        ...delta,
      })),
      dateDifferences: pairs.dates.map((pair) => ({
        source: ref(pair.source),
        destUid: pair.dest.uid,
        sourceDate: new Date(pair.source.internalDate).toISOString(),
        destDate: new Date(pair.dest.internalDate).toISOString(),
      })),
      contentDifferences: (content?.differences ?? []).map((c) => ({
        source: ref(c.pair.source),
        destUid: c.pair.dest.uid,
        sourceSha256: c.sourceSha256,
        destSha256: c.destSha256,
      })),
      ...(mergedWith.length > 0 ? { mergedWith } : {}),
      ...(lastCopiedTo !== undefined ? { lastCopiedTo } : {}),
    };
  });
}
