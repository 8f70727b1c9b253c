/**
 * The order of the copy (`options.newestFirst`, on by default): users who move to the new host see
 * this month's mail within minutes and the archive follows. Within a folder the messages go newest
 * first; across an account's folders INBOX goes first, then the biggest (so the last lane does not
 * finish long after the others). Nothing else depends on the order: every batch keeps its own
 * intent -> APPEND -> commit, and a resume scans what is not recorded, whatever was copied first.
 */
import type { MessageMeta } from '../core/messages.js';
import type { FolderTask } from './folder-context.js';

/** The messages newest first by INTERNALDATE, the later UID first on a tie; unchanged when off. */
export function copyOrder(metas: MessageMeta[], newestFirst: boolean): MessageMeta[] {
  if (!newestFirst) return metas;
  return [...metas].sort((a, b) => b.internalDate - a.internalDate || b.uid - a.uid);
}

/** INBOX is INBOX in any case (RFC 3501 5.1). */
const isInbox = (path: string) => path.toUpperCase() === 'INBOX';

/** The folders of an account in the order the lanes take them: INBOX first when newest first, then biggest first. */
export function folderOrder<T extends Pick<FolderTask, 'source' | 'listing'>>(
  jobs: T[],
  newestFirst: boolean,
): T[] {
  const first = (j: T) => (newestFirst && isInbox(j.source) ? 0 : 1);
  return [...jobs].sort(
    (a, b) => first(a) - first(b) || (b.listing.messages ?? 0) - (a.listing.messages ?? 0),
  );
}
