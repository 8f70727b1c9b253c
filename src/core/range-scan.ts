/**
 * A folder's messages in UID ranges, read whole (identity header fields included) where a lean
 * scan or the checkpoint left them out: verify's unnamed destination messages, a pass's unclaimed
 * ones. Both need the folder still to be the one they saw.
 */
import { folderRecreated } from './errors.js';
import type { MessageMeta } from './messages.js';
import type { FolderReader } from './ports.js';
import type { UidRange } from './uid-ranges.js';

/**
 * The messages of the destination folder `path` in these UID ranges, through
 * {@link FolderReader.scanUids}, provided its UIDVALIDITY is still `uidValidity`.
 * @throws the server's refusal of the folder; MailshiftError UIDVALIDITY_CHANGED when the folder
 *   was recreated since it was seen
 */
export async function destinationMessagesIn(
  reader: FolderReader,
  path: string,
  ranges: readonly UidRange[],
  seen: { uidValidity: number; during: 'run' | 'verify' },
): Promise<MessageMeta[]> {
  // Callers ask only where the reader can (a reader that cannot is scanned whole).
  if (!reader.scanUids) throw new Error('reading by UID ranges needs a reader with scanUids');
  const read = await reader.scanUids(path, ranges);
  if ('error' in read) throw read.error;
  if (read.status.uidValidity !== seen.uidValidity) throw folderRecreated('destination', path, seen.during);
  return read.messages;
}
