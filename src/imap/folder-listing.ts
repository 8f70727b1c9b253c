/**
 * A side's folder listing in one burst on mailshift's own connection: after the login, NAMESPACE
 * and `LIST "" "*" RETURN (STATUS (...) SPECIAL-USE CHILDREN SUBSCRIBED)` (RFC 5258, RFC 5819,
 * RFC 6154) are written together, so a side costs its login and one round trip (LOGOUT is not
 * waited for). imapflow's session sends ID, NAMESPACE and ENABLE one after the other first, each a
 * round trip (about seven per side at 30 ms, most of a no-op re-run).
 *
 * It reads only servers that offer all of LIST-EXTENDED, LIST-STATUS and NAMESPACE, and gives the
 * listing only when the answer settles every question imapflow's listing settles with more
 * commands (a subscription state, a STATUS per selectable folder); otherwise `undefined`, and the
 * caller lists the imapflow way. The listing is built as mailbox-reader.ts's `listFolders` builds
 * imapflow's: same paths, attributes, subscription and status for the same server.
 */
import type { FolderListing, FolderStatus, NamespaceInfo } from '../core/folders.js';
import { decodeModifiedUtf7 } from '../shared/modified-utf7.js';
import { ImapConnection, type ConnectOptions } from './imap-connection.js';
import type { ImapResponse } from './imap-response-parser.js';
import { namesItselfBack, type CommandPart } from './imap-syntax.js';
import { parseListLine, parseNamespaceLine, parseStatusLine, type ListLine } from './list-syntax.js';
import { headerRoom } from './scan-items.js';
import { SPECIAL_USES } from './mailbox-reader.js';

/** A side's listing as FolderReader.listFolders gives it (a SideListing). */
export interface Listing {
  namespace: NamespaceInfo;
  folders: FolderListing[];
  capabilities: string[];
}

/** What the server answered to the burst, before it is shaped into folders. */
export interface Answers {
  namespace?: { prefix: string; delimiter: string | null };
  lines: ListLine[];
  status: Map<string, Map<string, string>>;
  /** A response this reader could not read: leave the listing to imapflow. */
  unreadable?: boolean;
}

/**
 * Logs in, lists every folder with its status in one burst, and logs out.
 * @returns the listing, or undefined when the server lacks an extension the burst needs or its
 *   answer leaves something open (then list with imapflow)
 * @throws StoreError `connection`, `tls`, `auth` from the login; `connection` when the link drops
 */
export async function readListing(opts: ConnectOptions): Promise<Listing | undefined> {
  // Literals (a name the server sends as one) are kept, in rooms bounded like header literals.
  const conn = await ImapConnection.open(opts, (size) => headerRoom(size, opts.host, 'in a folder listing'));
  try {
    return await listOn(conn);
  } finally {
    // LOGOUT is not waited for: the listing is read. (Sent with the burst, a server's close
    // after it could cut the answers still on their way.)
    void conn.close();
  }
}

/**
 * The listing burst on a logged-in connection that keeps literals. Other untagged responses go
 * on to the connection's own handler (a scan burst may be under way: it sends no LIST, STATUS or
 * NAMESPACE).
 * @param first a command written ahead of the burst, whose refusal discards the listing (UNSELECT)
 * @returns as {@link readListing}
 * @throws StoreError `connection` when the link drops
 */
export async function listOn(conn: ImapConnection, first?: CommandPart[]): Promise<Listing | undefined> {
  const caps = conn.capabilities;
  if (!['LIST-EXTENDED', 'LIST-STATUS', 'NAMESPACE'].every((c) => caps.has(c))) return undefined;
  // imapflow lists with XLIST on a server that has it and not SPECIAL-USE: leave that one to it.
  if (caps.has('XLIST') && !caps.has('SPECIAL-USE')) return undefined;
  const answers: Answers = { lines: [], status: new Map() };
  const others = conn.onUntagged;
  conn.onUntagged = (r) => (LISTING.has(r.keyword) ? collect(answers, r) : others?.(r));
  try {
    const replies = await Promise.all(
      conn.send([...(first ? [first] : []), ['NAMESPACE'], [listCommand(caps)]]),
    );
    if (replies.some((r) => r.status !== 'OK')) return undefined;
    return shape(answers, [...caps]);
  } finally {
    conn.onUntagged = others;
  }
}

/** The untagged responses of the listing burst. */
const LISTING = new Set(['LIST', 'STATUS', 'NAMESPACE']);

/** The STATUS items imapflow's listing asks for, as a parenthesized list. */
export function statusItems(caps: ReadonlySet<string>): string {
  const items = ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY'];
  if (caps.has('CONDSTORE')) items.push('HIGHESTMODSEQ');
  if (caps.has('STATUS=SIZE')) items.push('SIZE');
  return `(${items.join(' ')})`;
}

/** The LIST with everything imapflow's listing asks for, as one command. */
function listCommand(caps: ReadonlySet<string>): string {
  const extra = caps.has('SPECIAL-USE') ? ' SPECIAL-USE' : '';
  return `LIST "" "*" RETURN (STATUS ${statusItems(caps)}${extra} CHILDREN SUBSCRIBED)`;
}

function collect(a: Answers, r: ImapResponse & { kind: 'untagged' }): void {
  try {
    if (r.keyword === 'LIST') a.lines.push(parseListLine(r.text, r.literals));
    else if (r.keyword === 'STATUS') {
      const { name, items } = parseStatusLine(r.text, r.literals);
      a.status.set(name, items);
    } else if (r.keyword === 'NAMESPACE') a.namespace = parseNamespaceLine(r.text);
  } catch {
    a.unreadable = true;
  }
}

/** The folders as imapflow's listing shapes them (see the file comment), or undefined. */
export function shape(a: Answers, capabilities: string[]): Listing | undefined {
  if (a.unreadable) return undefined;
  const prefix = a.namespace?.prefix ?? '';
  const path = (listed: string) => normalized(decodeModifiedUtf7(listed), prefix);
  const status = new Map([...a.status].map(([name, items]) => [path(name), items]));
  const folders = a.lines.map((line) => folder(line, path(line.name), status));
  // RETURN (SUBSCRIBED) ignored, or LIST-STATUS ignored: imapflow would ask LSUB or STATUS.
  if (!a.lines.some((l) => l.flags.includes('\\Subscribed'))) return undefined;
  if (status.size === 0 && folders.some((f) => !f.flags.includes('\\Noselect'))) return undefined;
  const delimiter = a.namespace?.delimiter ?? folders.find((f) => f.delimiter)?.delimiter ?? '/';
  return { namespace: { prefix, delimiter }, folders, capabilities };
}

/** imapflow's path: INBOX upper-cased, the namespace prefix added where a name lacks it. */
function normalized(decoded: string, prefix: string): string {
  if (decoded.toUpperCase() === 'INBOX') return 'INBOX';
  return prefix && !decoded.startsWith(prefix) ? prefix + decoded : decoded;
}

function folder(line: ListLine, fullPath: string, status: Map<string, Map<string, string>>): FolderListing {
  const flags = new Set(line.flags);
  // RFC 5258: \NonExistent implies \Noselect; \Subscribed is the subscription, not an attribute.
  if (flags.has('\\NonExistent')) flags.add('\\Noselect');
  const subscribed = flags.delete('\\Subscribed') || fullPath === 'INBOX';
  const delimiter = line.delimiter ?? '/';
  // Some servers put the delimiter in front of every name.
  const path = line.delimiter && fullPath.startsWith(line.delimiter) ? fullPath.slice(1) : fullPath;
  const list = [...flags];
  const items = flags.has('\\Noselect') ? undefined : status.get(fullPath);
  const st = items && toStatus(items);
  return {
    path,
    delimiter,
    flags: list,
    specialUse: SPECIAL_USES.find((u) => list.includes(u)),
    subscribed,
    messages: st?.messages,
    size: st?.size,
    status: st,
    ...(namesItselfBack(line.name, false) ? {} : { listedAs: line.name }),
  };
}

/** A folder's status from its STATUS items (names upper-cased). */
export function toStatus(items: Map<string, string>): FolderStatus {
  const num = (k: string) => (items.has(k) ? Number(items.get(k)) : undefined);
  const modseq = items.get('HIGHESTMODSEQ');
  return {
    messages: num('MESSAGES') ?? 0,
    uidNext: num('UIDNEXT') ?? 1,
    uidValidity: num('UIDVALIDITY') ?? 0,
    highestModseq: modseq,
    size: num('SIZE'),
  };
}
