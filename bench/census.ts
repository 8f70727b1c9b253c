/**
 * What a mailbox holds, folder by folder: messages, unseen and flagged counts. A run's time
 * counts only when the destination's census equals the source's. Folder names are normalised
 * to "levels joined by /" without the namespace prefix, so `INBOX.Projects.Apollo` on the
 * source and `Projects/Apollo` on the destination are the same folder.
 */
import { connectPlain } from '../test/harness/dovecot.js';

/** Counts of one folder. */
export interface FolderCensus {
  messages: number;
  unseen: number;
  flagged: number;
}

/** Folder (normalised name) -> counts. */
export type Census = Map<string, FolderCensus>;

/** A plain-text login on a loopback server. */
export interface Login {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** `INBOX.Projects.Apollo` (prefix `INBOX.`, delimiter `.`) -> `Projects/Apollo`; INBOX stays INBOX. */
export function normaliseFolder(path: string, prefix: string, delimiter: string): string {
  if (path.toUpperCase() === 'INBOX') return 'INBOX';
  const bare = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
  return delimiter ? bare.split(delimiter).join('/') : bare;
}

/**
 * Counts every selectable folder of a mailbox: STATUS (MESSAGES UNSEEN), and SEARCH FLAGGED in
 * the folders that hold messages. Read-only (EXAMINE).
 */
export async function takeCensus(login: Login): Promise<Census> {
  const client = await connectPlain(login, login.user, login.password);
  const out: Census = new Map();
  try {
    const boxes = await client.list();
    const prefix = client.namespace?.prefix ?? '';
    for (const box of boxes) {
      if (box.flags.has('\\Noselect') || box.flags.has('\\NonExistent')) continue;
      const st = await client.status(box.path, { messages: true, unseen: true });
      const messages = (st && st.messages) || 0;
      let flagged = 0;
      if (messages > 0) {
        await client.mailboxOpen(box.path, { readOnly: true });
        const found = await client.search({ flagged: true }, { uid: true });
        flagged = Array.isArray(found) ? found.length : 0;
      }
      const name = normaliseFolder(box.path, prefix, box.delimiter ?? '');
      out.set(name, { messages, unseen: (st && st.unseen) || 0, flagged });
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return out;
}

/** Total messages of a census. */
export function censusMessages(c: Census): number {
  let n = 0;
  for (const f of c.values()) n += f.messages;
  return n;
}

/**
 * Compares a destination with its source.
 * @returns one line per difference (empty when the copy is complete); folders only on the
 *   destination are fine when empty (special-use folders the server creates by itself).
 */
export function compareCensus(source: Census, destination: Census, label: string): string[] {
  const problems: string[] = [];
  for (const [name, s] of source) {
    const d = destination.get(name);
    if (!d) {
      if (s.messages > 0)
        problems.push(`${label}: folder "${name}" missing (source has ${s.messages} messages)`);
      continue;
    }
    for (const field of ['messages', 'unseen', 'flagged'] as const) {
      if (s[field] !== d[field])
        problems.push(`${label}: "${name}" ${field} source ${s[field]} destination ${d[field]}`);
    }
  }
  for (const [name, d] of destination) {
    if (!source.has(name) && d.messages > 0)
      problems.push(`${label}: "${name}" on the destination only, ${d.messages} messages`);
  }
  return problems;
}
