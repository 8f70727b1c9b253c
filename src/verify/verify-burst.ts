/**
 * Verifies folder groups a burst at a time: every source folder of the burst is examined and
 * scanned in one round trip (`FolderReader.scanFolders`), every existing destination folder of it
 * likewise on the other side at the same time, then each group is compared exactly as
 * verify-folder-group.ts compares it, bodies read only where a finding or deep mode needs them.
 * One EXAMINE and one FETCH after the other cost two round trips per folder and side; at 30 ms, 200
 * small folders took 20 s. A burst is bounded by folders and by the messages LIST-STATUS showed,
 * so the metadata held at once stays bounded too (a folder bigger than that is a burst of its own).
 */
import { cutBursts, FOLDER_BURST } from '../core/batches.js';
import { MailshiftError } from '../core/errors.js';
import type { FolderReader, FolderScan } from '../core/ports.js';
import { folderResult } from './counts.js';
import type { FolderGroup } from './plan-folders.js';
import type { FolderResult } from './types.js';
import { verifyGroup, type GroupDeps, type ScannedFolder } from './verify-folder-group.js';
import { inSlices, verifyInSlices } from './verify-slices.js';

/**
 * Cuts the groups (biggest first) into bursts, in order, each within `bound` (a group bigger than
 * the bound alone): a group counts its source folders and its destination folder.
 */
export function bursts(groups: readonly FolderGroup[], bound = FOLDER_BURST): FolderGroup[][] {
  return cutBursts(groups, (g) => ({ folders: g.sources.length + 1, messages: g.messages }), bound);
}

/**
 * Compares every group of a burst; a folder the server refuses to open fails its group only.
 * @param src,dst readers that offer `scanFolders`
 * @returns the results of every group of the burst
 * @throws the readers' other errors (a lost connection, throttling) for the pool to retry the burst
 */
export async function verifyBurst(
  src: FolderReader,
  dst: FolderReader,
  all: readonly FolderGroup[],
  deps: GroupDeps,
): Promise<FolderResult[]> {
  if (!src.scanFolders || !dst.scanFolders) throw new Error('verifyBurst needs readers with scanFolders');
  // A folder bigger than a slice (alone in its burst: a slice is bigger than a burst's bound) is
  // read a slice at a time, not whole.
  const big = all.filter((g) => inSlices(src, dst, g, deps));
  const burst = all.filter((g) => !big.includes(g));
  const out = await groupByGroup(src, dst, big, deps);
  if (burst.length === 0) return out;
  const wanted = burst.filter((g) => g.exists).map((g) => g.destination);
  let sources: FolderScan[];
  let destinations: FolderScan[];
  try {
    [sources, destinations] = await Promise.all([
      src.scanFolders(burst.flatMap((g) => g.sources)),
      // Lean where the identities can be read afterwards for the few that need them (verifyGroup).
      wanted.length > 0 ? dst.scanFolders(wanted, { identity: !dst.scanUids }) : Promise.resolve([]),
    ]);
  } catch (err) {
    if (!folderScoped(err)) throw err;
    // A folder of the burst sent what the scan refuses (a UID out of range, a huge literal), which
    // ends the scan connection without saying which folder: the groups are read one by one, so
    // that folder fails alone, as it would without bursts.
    return [...out, ...(await groupByGroup(src, dst, burst, deps))];
  }
  const bySource = new Map(sources.map((s) => [s.path, s]));
  const byDestination = new Map(destinations.map((s) => [s.path, s]));
  for (const g of burst) {
    const scans = g.sources.map((s) => bySource.get(s));
    const destination = g.exists ? byDestination.get(g.destination) : undefined;
    const refused = [...scans, destination].find((s) => s !== undefined && 'error' in s);
    try {
      if (refused && 'error' in refused) throw refused.error;
      const ahead = {
        sources: scans.map((s) => read(s)),
        ...(destination ? { destination: read(destination) } : {}),
      };
      out.push(...(await verifyGroup(src, dst, g, deps, ahead)));
    } catch (err) {
      // A folder the server refuses is a finding of that folder; the others go on.
      if (!folderScoped(err)) throw err;
      out.push(...failed(g, err.message));
    }
    // What this group held is not needed any more: the burst's memory shrinks as it is compared.
    for (const s of g.sources) bySource.delete(s);
    byDestination.delete(g.destination);
  }
  return out;
}

/** Groups read and compared one after the other, each folder on its own (a big one in slices). */
async function groupByGroup(
  src: FolderReader,
  dst: FolderReader,
  burst: readonly FolderGroup[],
  deps: GroupDeps,
): Promise<FolderResult[]> {
  const out: FolderResult[] = [];
  for (const g of burst) {
    try {
      out.push(...(await verifyInSlices(src, dst, g, deps)));
    } catch (err) {
      if (!folderScoped(err)) throw err;
      out.push(...failed(g, err.message));
    }
  }
  return out;
}

function folderScoped(err: unknown): err is MailshiftError {
  return err instanceof MailshiftError && err.scope === 'folder';
}

function failed(g: FolderGroup, detail: string): FolderResult[] {
  return g.sources.map((s) => folderResult(s, g.destination, 'error', { detail }));
}

function read(scan: FolderScan | undefined): ScannedFolder {
  if (!scan || 'error' in scan) throw new Error('a burst scan is missing or refused');
  return { status: scan.status, messages: scan.messages };
}
