/**
 * Read operations shared by both sides, on an imapflow connection: LIST with special-use and
 * subscription, STATUS, and metadata scans. Every folder is opened read-only (EXAMINE) and every
 * body part is fetched with BODY.PEEK, so reading never changes \Seen or anything else.
 */
import type { ImapFlow, ListResponse, MailboxObject } from 'imapflow';
import type { FolderListing, NamespaceInfo, SpecialUse } from '../core/folders.js';
import { detached, IDENTITY_HEADERS, identityFields, parseHeaderFields } from '../core/identity.js';
import { connectionLost, refusalError } from './store-errors.js';
import { namesItselfBack } from './imap-syntax.js';
import { StoreError } from '../core/errors.js';
import type { FetchedMessage, MessageMeta } from '../core/messages.js';
import type { FolderScan, ScanOptions } from '../core/ports.js';
import { uidRanges, type UidRange } from '../core/uid-ranges.js';
import type { FolderStatus, OpenedFolder } from '../core/folders.js';

/** The special uses a folder may carry, as LIST attributes (RFC 6154). */
export const SPECIAL_USES: SpecialUse[] = [
  '\\Sent',
  '\\Drafts',
  '\\Trash',
  '\\Junk',
  '\\Archive',
  '\\All',
  '\\Flagged',
];

/**
 * The personal namespace as the server announces it (RFC 2342), or what LIST shows. imapflow keeps
 * the NAMESPACE answer in an undocumented `namespaces` field: package.json pins imapflow's exact
 * version for this; the planner's tests against Dovecot's `INBOX.` namespace exercise it.
 */
export function personalNamespace(client: ImapFlow, folders: ListResponse[]): NamespaceInfo {
  const ns = (client as unknown as { namespaces?: { personal?: { prefix?: string; delimiter?: string }[] } })
    .namespaces?.personal?.[0];
  const delimiter = ns?.delimiter ?? folders.find((f) => f.delimiter)?.delimiter ?? '/';
  return { prefix: ns?.prefix ?? '', delimiter };
}

/** LIST every folder with attributes, special use as announced by the server, and subscription. */
export async function listFolders(
  client: ImapFlow,
): Promise<{ namespace: NamespaceInfo; folders: FolderListing[]; capabilities: string[] }> {
  // With LIST-STATUS (RFC 5819) this is one round trip for every folder's STATUS.
  const raw = await client.list({ statusQuery: statusQuery(client) });
  // Names are UTF-8 on the wire once UTF8=ACCEPT or IMAP4rev2 is enabled (imapflow enables both).
  const utf8 = client.enabled.has('UTF8=ACCEPT') || client.enabled.has('IMAP4REV2');
  const folders = raw.map((f): FolderListing => {
    const flags = [...f.flags];
    // imapflow also guesses special use from names; only what the server said counts here.
    const specialUse = SPECIAL_USES.find((u) => flags.includes(u));
    const st = f.status && !('error' in f.status) ? toStatus(f.status) : undefined;
    return {
      path: f.path,
      delimiter: f.delimiter ?? '/',
      flags,
      specialUse,
      subscribed: !!f.subscribed,
      messages: st?.messages,
      size: st?.size,
      status: st,
      ...(namesItselfBack(f.pathAsListed, utf8) ? {} : { listedAs: f.pathAsListed }),
    };
  });
  return { namespace: personalNamespace(client, raw), folders, capabilities: capabilityList(client) };
}

/** The capabilities the server announced after login, upper-cased, `NAME=value` kept whole. */
export function capabilityList(client: ImapFlow): string[] {
  return [...client.capabilities].map(([k, v]) => (typeof v === 'number' ? `${k}=${v}` : k));
}

/** Gmail's IMAP extensions (X-GM-MSGID, X-GM-LABELS), https://developers.google.com/workspace/gmail/imap/imap-extensions */
function hasGmailExtensions(client: ImapFlow): boolean {
  return client.capabilities.has('X-GM-EXT-1');
}

function statusQuery(client: ImapFlow): Parameters<ImapFlow['status']>[1] {
  const caps = client.capabilities;
  return {
    messages: true,
    uidNext: true,
    uidValidity: true,
    highestModseq: caps.has('CONDSTORE') || undefined,
    size: caps.has('STATUS=SIZE') || undefined,
  } as Parameters<ImapFlow['status']>[1];
}

function toStatus(st: {
  messages?: number;
  uidNext?: number;
  uidValidity?: bigint | number;
  highestModseq?: bigint | number;
  size?: number;
}): FolderStatus {
  return {
    messages: st.messages ?? 0,
    uidNext: st.uidNext ?? 1,
    uidValidity: Number(st.uidValidity ?? 0),
    highestModseq: st.highestModseq !== undefined ? String(st.highestModseq) : undefined,
    size: st.size,
  };
}

/** STATUS of a folder (HIGHESTMODSEQ and SIZE where the server has them). */
export async function folderStatus(client: ImapFlow, path: string): Promise<FolderStatus> {
  const st = await client.status(path, statusQuery(client));
  if (!st) {
    // imapflow answers false, not an error, for a lost connection as for a refused STATUS.
    if (!client.usable) throw connectionLost(`STATUS ${path}`);
    throw refusalError(`STATUS "${path}"`, { status: 'NO', text: 'refused by the server' });
  }
  return toStatus(st as Parameters<typeof toStatus>[0]);
}

/** Opens a folder read-only (EXAMINE) and reports its status and PERMANENTFLAGS. */
export async function examine(client: ImapFlow, path: string): Promise<OpenedFolder> {
  return openedFolder(await client.mailboxOpen(path, { readOnly: true }));
}

/** What imapflow knows of the selected or examined folder, as the engine reads it. */
export function openedFolder(box: MailboxObject): OpenedFolder {
  return {
    status: {
      messages: box.exists,
      uidNext: box.uidNext,
      uidValidity: Number(box.uidValidity),
      highestModseq: box.highestModseq !== undefined ? String(box.highestModseq) : undefined,
    },
    permanentFlags: [...(box.permanentFlags ?? [])],
  };
}

/**
 * Lists metadata of messages with UID >= fromUid in an opened folder: flags, INTERNALDATE, size
 * and (unless `opts.identity` is false) the identity header fields. Collects first, so no other
 * command runs inside the fetch loop.
 */
export async function scanMessages(
  client: ImapFlow,
  fromUid = 1,
  opts: ScanOptions = {},
): Promise<MessageMeta[]> {
  if (!client.mailbox || client.mailbox.exists === 0) return [];
  const out: MessageMeta[] = [];
  for await (const meta of fetchMetas(client, `${fromUid}:*`, opts)) {
    if (meta.uid < fromUid) continue; // "N:*" still matches the last message when N is past it
    out.push(meta);
  }
  return out.sort((a, b) => a.uid - b.uid);
}

/**
 * UID ranges per FETCH: a range takes up to 21 bytes, and servers bound a command line (Dovecot:
 * imap_max_line_length, 64 kB).
 */
const RANGES_PER_FETCH = 1000;

/** UID ranges as the sets of FETCH commands, at most {@link RANGES_PER_FETCH} ranges each. */
export function rangeSets(ranges: readonly UidRange[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ranges.length; i += RANGES_PER_FETCH)
    out.push(rangeSet(ranges.slice(i, i + RANGES_PER_FETCH)));
  return out;
}

/**
 * EXAMINE of a folder and the metadata of its messages in these UID ranges, the identity header
 * fields included unless `opts.identity` is false. A UID no message has is simply absent.
 */
export async function scanUids(
  client: ImapFlow,
  path: string,
  ranges: readonly UidRange[],
  opts: Pick<ScanOptions, 'identity'> = {},
): Promise<FolderScan> {
  const opened = await examine(client, path);
  const out: MessageMeta[] = [];
  if (opened.status.messages > 0) {
    for (const set of rangeSets(ranges))
      for await (const meta of fetchMetas(client, set, opts)) out.push(meta);
  }
  return { path, status: opened.status, messages: out.sort((a, b) => a.uid - b.uid) };
}

/** The metadata of the messages of a UID range or set of the opened folder, as they arrive. */
async function* fetchMetas(
  client: ImapFlow,
  range: string,
  opts: ScanOptions = {},
): AsyncGenerator<MessageMeta> {
  const gmail = hasGmailExtensions(client);
  // imapflow asks for X-GM-MSGID by itself under X-GM-EXT-1 (as `emailId`, a string) unless the
  // server also has OBJECTID; labels only when asked (they are the longest item of the answer).
  const query = {
    uid: true,
    flags: true,
    internalDate: true,
    size: true,
    ...(opts.identity === false ? {} : { headers: IDENTITY_HEADERS }),
    ...(gmail && opts.gmailLabels ? { labels: true } : {}),
  };
  for await (const m of client.fetch(range, query, { uid: true })) {
    checkUid(client, m.uid);
    const meta = messageMeta(
      m.uid,
      [...(m.flags ?? [])],
      toDate(m.internalDate).getTime(),
      m.size ?? 0,
      opts.identity === false ? undefined : (m.headers ?? ''),
    );
    if (gmail && typeof m.emailId === 'string' && /^\d+$/.test(m.emailId)) meta.gmMsgId = m.emailId;
    if (gmail && m.labels) meta.gmLabels = [...m.labels];
    yield meta;
  }
}

/** One frozen array per distinct flag list, shared by every message that has it (bounded). */
const FLAG_LISTS = new Map<string, readonly string[]>();
const MAX_FLAG_LISTS = 10_000;

/**
 * The shared array for this flag list. Verify and the copy hold the metadata of every message of a
 * folder, and most messages have one of a few flag lists: one array each, not one per message with
 * its own strings (~200 bytes a message). Frozen, so that a change meant for one message throws
 * instead of reaching every message that shares it.
 */
export function sharedFlags(flags: readonly string[]): readonly string[] {
  const key = flags.join(' ');
  const known = FLAG_LISTS.get(key);
  if (known) return known;
  // Its own strings: a flag cut from a response line would keep that line alive as long as the list.
  const list = Object.freeze(flags.map(detached));
  if (FLAG_LISTS.size < MAX_FLAG_LISTS) FLAG_LISTS.set(key, list);
  return list;
}

/**
 * A scanned message's metadata, its identity from the identity header fields (the raw block), or
 * none (`''`) when a lean scan did not ask for them (`headers` undefined).
 */
export function messageMeta(
  uid: number,
  flags: readonly string[],
  internalDate: number,
  size: number,
  headers: Buffer | string | undefined,
): MessageMeta {
  if (headers === undefined) return { uid, flags: sharedFlags(flags), internalDate, size, identity: '' };
  const { identity, messageId } = identityFields(parseHeaderFields(headers), size);
  return { uid, flags: sharedFlags(flags), internalDate, size, messageId, identity };
}

/** Flags of every message in an opened folder (only those changed since `changedSince` with CONDSTORE). */
export async function scanFlags(client: ImapFlow, changedSince?: string): Promise<Map<number, string[]>> {
  const flags = new Map<number, string[]>();
  if (!client.mailbox || client.mailbox.exists === 0) return flags;
  const opts = changedSince ? { uid: true, changedSince: BigInt(changedSince) } : { uid: true };
  for await (const m of client.fetch('1:*', { uid: true, flags: true }, opts))
    flags.set(checkUid(client, m.uid), [...(m.flags ?? [])]);
  return flags;
}

/** Fetches raw bodies (BODY.PEEK[]) of the given UIDs of an opened folder, keyed by UID. */
export async function fetchBodies(client: ImapFlow, uids: number[]): Promise<Map<number, FetchedMessage>> {
  const out = new Map<number, FetchedMessage>();
  if (uids.length === 0) return out;
  const query = { uid: true, source: true, flags: true, internalDate: true };
  // Attribute by UID, never by order: servers may answer out of order.
  for await (const m of client.fetch(uidSet(uids), query, { uid: true })) {
    if (!m.source) continue;
    out.set(checkUid(client, m.uid), {
      uid: m.uid,
      raw: m.source,
      flags: [...(m.flags ?? [])],
      internalDate: toDate(m.internalDate),
    });
  }
  return out;
}

/** Compresses sorted or unsorted UIDs into an IMAP sequence set ("1:5,9,12:13"). */
export function uidSet(uids: number[]): string {
  return rangeSet(uidRanges(uids));
}

/** UID ranges as an IMAP sequence set ("1:5,9,12:13"). */
function rangeSet(ranges: readonly UidRange[]): string {
  return ranges.map(([from, to]) => (from === to ? `${from}` : `${from}:${to}`)).join(',');
}

function toDate(d: Date | string | undefined): Date {
  return d instanceof Date ? d : new Date(d ?? 0);
}

/**
 * A UID as RFC 3501 defines it (section 2.3.1.1: a 32-bit value greater than zero), or a protocol
 * error of the open folder: a server that sends another cannot be trusted with this folder.
 */
function checkUid(client: ImapFlow, uid: number): number {
  if (Number.isInteger(uid) && uid >= 1 && uid <= 0xffffffff) return uid;
  throw new StoreError(
    `the server sent UID ${uid} in folder "${client.mailbox ? client.mailbox.path : '?'}", outside 1..4294967295`,
    {
      kind: 'protocol',
      scope: 'folder',
      hint: 'the server is broken for this folder; report this to its administrator',
    },
  );
}
