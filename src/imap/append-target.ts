/**
 * Opening a destination folder for appending without selecting it. APPEND needs no selected
 * folder (RFC 3501 section 6.3.11), and what the copy needs of the folder before its first APPEND
 * is its UIDVALIDITY, its UIDNEXT (the bound in-doubt batches are resolved from) and its message
 * count, which STATUS gives without a SELECT (section 6.3.10). A SELECT costs more here: imapflow
 * lists the folder before selecting it (two round trips) and Dovecot opens its index read-write.
 *
 * What STATUS cannot say is PERMANENTFLAGS, which only a read-write SELECT reports. The first
 * folder of a connection is selected, and when its answer admits any keyword (`\*`) the later
 * folders take that answer: a server that admits new keywords in one folder is taken to admit
 * them in its others (Dovecot, Gmail, Exchange answer the same for every folder). An answer
 * without `\*` says the server restricts flags, perhaps per folder: each folder is then selected.
 */
import type { ImapFlow } from 'imapflow';
import type { FolderStatus, OpenedFolder } from '../core/folders.js';
import { folderStatus, openedFolder } from './mailbox-reader.js';
import { connectionLost } from './store-errors.js';

/** What opening folders for appending needs of a connection (imapflow's, or folder-control.ts). */
export interface TargetConnection {
  /** The folder selected now, if any. */
  readonly selected: string | undefined;
  select(path: string): Promise<OpenedFolder>;
  status(path: string): Promise<FolderStatus>;
}

/** How one destination connection opens folders for appending. */
export function appendTargets(conn: TargetConnection): (path: string) => Promise<OpenedFolder> {
  let anyKeyword: string[] | undefined;
  return async (path) => {
    // STATUS of the selected folder is what RFC 3501 advises against: that one is selected anew.
    if (!anyKeyword || conn.selected === path) {
      const opened = await conn.select(path);
      if (opened.permanentFlags.includes('\\*')) anyKeyword = opened.permanentFlags;
      return opened;
    }
    return { status: await conn.status(path), permanentFlags: anyKeyword };
  };
}

/** An imapflow connection as {@link appendTargets} uses it. */
export function imapflowTargets(client: ImapFlow): TargetConnection {
  return {
    get selected() {
      return client.mailbox ? client.mailbox.path : undefined;
    },
    select: (path) => select(client, path),
    status: (path) => folderStatus(client, path),
  };
}

/** SELECT: the folder's status and PERMANENTFLAGS. */
async function select(client: ImapFlow, path: string): Promise<OpenedFolder> {
  const lock = await client.getMailboxLock(path);
  try {
    if (!client.mailbox) throw connectionLost(`SELECT ${path}`);
    return openedFolder(client.mailbox);
  } finally {
    lock.release();
  }
}
