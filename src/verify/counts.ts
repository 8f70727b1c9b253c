/**
 * Folder counts: the zero value, a sum, and the empty folder result they start from.
 */
import type { FolderCounts, FolderResult, FolderStatusKind } from './types.js';

/** All counts zero. */
export function emptyCounts(): FolderCounts {
  return {
    source: 0,
    destination: 0,
    matched: 0,
    matchedByCheckpoint: 0,
    matchedByIdentity: 0,
    missing: 0,
    notYetCopied: 0,
    skipped: 0,
    extra: 0,
    flagDifferences: 0,
    dateDifferences: 0,
    contentChecked: 0,
    contentDifferences: 0,
  };
}

/** Adds `b` into `a` field by field; returns `a`. */
export function addCounts<T extends FolderCounts>(a: T, b: FolderCounts): T {
  for (const k of Object.keys(b) as (keyof FolderCounts)[]) a[k] += b[k];
  return a;
}

/** A folder result with no message listed, for folders decided without reading them. */
export function folderResult(
  source: string,
  destination: string | null,
  status: FolderStatusKind,
  extra: { detail?: string; counts?: Partial<FolderCounts> } = {},
): FolderResult {
  return {
    source,
    destination,
    status,
    ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
    counts: { ...emptyCounts(), ...extra.counts },
    missing: [],
    notYetCopied: [],
    skipped: [],
    extra: [],
    flagDifferences: [],
    dateDifferences: [],
    contentDifferences: [],
  };
}
