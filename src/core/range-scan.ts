/**
 * A folder's messages in UID ranges, where a lean scan or the checkpoint left them out (verify's
 * unnamed destination messages, a pass's unclaimed ones) or where a big folder is read a slice at
 * a time (verify-slices.ts). Each needs the folder still to be the one it saw.
 */
import { folderRecreated } from './errors.js';
import type { MessageMeta } from './messages.js';
import type { FolderReader } from './ports.js';
import type { UidRange } from './uid-ranges.js';

/** The folder as it was seen, and what the read is for. */
export interface SeenFolder {
  side: 'source' | 'destination';
  uidValidity: number;
  during: 'run' | 'verify';
  /** Read the identity header fields (default true); false for a lean read. */
  identity?: boolean;
}

/**
 * The messages of folder `path` in these UID ranges, through {@link FolderReader.scanUids},
 * provided its UIDVALIDITY is still `seen.uidValidity`.
 * @throws the server's refusal of the folder; MailshiftError UIDVALIDITY_CHANGED when the folder
 *   was recreated since it was seen
 */
export async function messagesIn(
  reader: FolderReader,
  path: string,
  ranges: readonly UidRange[],
  seen: SeenFolder,
): Promise<MessageMeta[]> {
  // Callers ask only where the reader can (a reader that cannot is scanned whole).
  if (!reader.scanUids) throw new Error('reading by UID ranges needs a reader with scanUids');
  const read = await reader.scanUids(path, ranges, { identity: seen.identity !== false });
  if ('error' in read) throw read.error;
  if (read.status.uidValidity !== seen.uidValidity) throw folderRecreated(seen.side, path, seen.during);
  return read.messages;
}
