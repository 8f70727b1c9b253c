/**
 * The fast read path: the source's message metadata and bodies on mailshift's own connection.
 *
 * Why it exists: imapflow keeps one command in flight per connection, builds objects for every
 * token and assembles each literal from a list of chunks, so every body is copied several times and
 * a 30 ms round trip stalls the reader before each FETCH. Here several `UID FETCH <set> (UID
 * BODY.PEEK[])` commands are written back to back on one connection, each literal is copied once,
 * from the socket into blocks of the body pool (body-pool.ts), and every message is attributed by its UID,
 * never by command order (Dovecot answers pipelined FETCHes of one folder out of order).
 *
 * Read-only by construction: the folder is opened with EXAMINE and everything is fetched with
 * BODY.PEEK, so not even \Seen changes on the source. imapflow still does the rest on the source
 * (LIST, STATUS, flag scans of a delta run).
 */
import { IDENTITY_HEADERS } from '../core/identity.js';
import type { Body } from '../core/body.js';
import { type BodyPool } from './body-pool.js';
import { ImapConnection, type ConnectOptions } from './imap-connection.js';
import { LITERAL_MARK, type ImapResponse } from './imap-response-parser.js';
import { mailboxArgument } from './imap-syntax.js';
import { refusalError } from './store-errors.js';
import {
  applyStatusResponse,
  checkedUid,
  isBody,
  MAX_HEADER_LITERAL,
  scannedMeta,
  type FetchValue,
} from './scan-items.js';
import { StoreError } from '../core/errors.js';
import { uidSet } from './mailbox-reader.js';
import type { FolderStatus } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import { MAX_UID } from '../core/uid-ranges.js';

/**
 * The metadata scan of the open folder from `fromUid` (or of a UID set): flags, date, size and
 * identity headers (unless `identity` is false: a lean scan), and Gmail's account-wide message id
 * where offered, so that All Mail is matched with the label folders exactly
 * (https://developers.google.com/workspace/gmail/imap/imap-extensions).
 */
export function scanCommand(from: number | string, gmail: boolean, identity = true): string {
  const gmId = gmail ? ' X-GM-MSGID' : '';
  const set = typeof from === 'number' ? `${from}:*` : from;
  return `UID FETCH ${set} (UID FLAGS INTERNALDATE RFC822.SIZE${gmId}${identity ? ` ${HEADER_ITEM}` : ''})`;
}

/** The cap for a body whose size no scan reported (RFC 5322 mail of this size is not plausible). */
const MAX_UNSCANNED_BODY = 512 * 1024 * 1024;

/** A literal before login: none is expected, so anything large is refused. */
function small(size: number, host: string): Body {
  if (size > MAX_HEADER_LITERAL) {
    throw new StoreError(`${host} announced a literal of ${size} bytes before login`, { kind: 'protocol' });
  }
  return Buffer.allocUnsafe(size);
}

/** One body FETCH in flight: the UIDs it asked for and the bodies received so far. */
interface BodyRequest {
  uids: ReadonlySet<number>;
  bodies: Map<number, Body>;
  /** Settles with the command's tagged reply (or the connection's end). */
  done?: Promise<unknown>;
}

/** The header fields the scan asks for, as one FETCH item (Message-ID and what identifies mail without one). */
const HEADER_ITEM = `BODY.PEEK[HEADER.FIELDS (${IDENTITY_HEADERS.map((h) => h.toUpperCase()).join(' ')})]`;

/**
 * A read-only source connection for one folder at a time: open (EXAMINE), scan metadata, and fetch
 * bodies with many requests in flight. A lost connection rejects everything in flight with a
 * `connection` StoreError (transient: the engine reconnects and reads again; nothing was written).
 */
export class FetchPipeline {
  private readonly bodyRequests = new Set<BodyRequest>();
  /** RFC822.SIZE of the open folder's messages, from its scans: what a body may weigh. */
  private readonly sizes = new Map<number, number>();
  private scanning?: { from: number; to: number; out: Map<number, MessageMeta> };
  /** The UIDs a {@link uidsAt} FETCH is collecting. */
  private cutting?: number[];
  /** open() and scan() run one at a time: a scan's responses must reach its own collector. */
  private control: Promise<unknown> = Promise.resolve();
  /** What EXAMINE said of the open folder, updated by EXISTS while it stays open. */
  private status?: {
    path: string;
    messages: number;
    uidValidity?: number;
    uidNext?: number;
    highestModseq?: string;
  };

  private constructor(
    private readonly conn: ImapConnection,
    private readonly pool: BodyPool,
  ) {
    conn.onUntagged = (r) => this.onUntagged(r);
  }

  /**
   * Connects and logs in.
   * @param pool where bodies are received; the caller gives them back once they are written.
   * @throws StoreError `connection`, `tls`, `auth`.
   */
  static async open(opts: ConnectOptions, pool: BodyPool): Promise<FetchPipeline> {
    const opened: { reader?: FetchPipeline } = {};
    // Before login completes nothing should come as a literal: a small cap is enough.
    const conn = await ImapConnection.open(opts, (size) =>
      opened.reader ? opened.reader.room(size) : small(size, opts.host),
    );
    opened.reader = new FetchPipeline(conn, pool);
    return opened.reader;
  }

  /**
   * Room for a literal the server announces. A body may not be larger than the RFC822.SIZE the scan
   * reported for the messages asked for (plus slack), and a scan's header block not larger than
   * {@link MAX_HEADER_LITERAL}: a server announcing more is broken or hostile, and the folder fails
   * with a protocol error instead of the process allocating what it asks.
   */
  private room(size: number): Body {
    const cap = this.scanning ? MAX_HEADER_LITERAL : this.expectedBodyCap();
    if (size > cap) {
      throw new StoreError(
        `${this.conn.address} announced a literal of ${size} bytes in folder "${this.status?.path ?? '?'}" where at most ${cap} were expected`,
        {
          kind: 'protocol',
          scope: 'folder',
          hint: 'the source server sent more than the message sizes it reported; report this to its administrator',
        },
      );
    }
    return this.pool.take(size);
  }

  /** The largest body the pending requests may bring: their largest scanned size, with slack. */
  private expectedBodyCap(): number {
    let largest = 0;
    for (const req of this.bodyRequests) {
      for (const uid of req.uids) largest = Math.max(largest, this.sizes.get(uid) ?? MAX_UNSCANNED_BODY);
    }
    return Math.ceil(largest * 1.1) + 64 * 1024;
  }

  /**
   * Opens `path` read-only (EXAMINE).
   * @returns its status as the server reported it on opening.
   * @throws StoreError `refused` when the server refuses the folder.
   */
  open(path: string): Promise<FolderStatus> {
    return this.serial(() => this.examine(path));
  }

  /** Runs one control operation after the previous one has settled. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.control.then(op, op);
    this.control = run.catch(() => undefined);
    return run;
  }

  /**
   * Opens `path` read-only and scans it from `fromUid` in one round trip: EXAMINE and UID FETCH are
   * written together (RFC 3501 section 5.5: a server runs them in order on one connection). An
   * empty folder may refuse the FETCH's `n:*` (some servers do): it has nothing to scan.
   * @throws StoreError `refused` when the server refuses the folder or the scan.
   */
  openAndScan(path: string, fromUid = 1): Promise<{ status: FolderStatus; metas: MessageMeta[] }> {
    return this.serial(async () => {
      await this.bodiesDone();
      this.status = { path, messages: 0 };
      this.sizes.clear();
      const scan = { from: fromUid, to: MAX_UID, out: new Map<number, MessageMeta>() };
      this.scanning = scan;
      try {
        await this.inFolder(path, async () => {
          const [examined, fetched] = this.conn.send([
            ['EXAMINE ', ...mailboxArgument(path)],
            [scanCommand(fromUid, this.conn.capabilities.has('X-GM-EXT-1'))],
          ]);
          fetched!.catch(() => undefined); // awaited below, unless the EXAMINE fails first
          const r = await examined!;
          if (r.status !== 'OK') {
            this.status = undefined;
            throw refusalError(`opening source folder "${path}"`, r);
          }
          const f = await fetched!;
          if (f.status !== 'OK' && (this.status?.messages ?? 0) > 0)
            throw refusalError(`listing messages of "${path}"`, f);
        });
      } finally {
        this.scanning = undefined;
      }
      for (const m of scan.out.values()) this.sizes.set(m.uid, m.size);
      return { status: this.openedStatus(), metas: [...scan.out.values()].sort((a, b) => a.uid - b.uid) };
    });
  }

  private openedStatus(): FolderStatus {
    const st = this.opened('open');
    return {
      messages: st.messages,
      uidNext: st.uidNext ?? 1,
      uidValidity: st.uidValidity ?? 0,
      ...(st.highestModseq === undefined ? {} : { highestModseq: st.highestModseq }),
    };
  }

  private async examine(path: string): Promise<FolderStatus> {
    // The previous folder's FETCHes end first. Servers must not run EXAMINE before commands sent
    // earlier (RFC 3501 section 5.5), but a body attributed to the wrong folder would be copied
    // into the wrong one, so this reader does not rely on it. It only delays a next folder that
    // is prepared while the last bodies are still on their way.
    await this.bodiesDone();
    this.status = { path, messages: 0 };
    this.sizes.clear();
    const r = await this.inFolder(path, () => this.conn.command(['EXAMINE ', ...mailboxArgument(path)]));
    if (r.status !== 'OK') {
      this.status = undefined;
      throw refusalError(`opening source folder "${path}"`, r);
    }
    return this.openedStatus();
  }

  /**
   * Metadata of the open folder's messages with UID >= fromUid (<= toUid when given): flags,
   * INTERNALDATE, size and identity. The body FETCHes in flight end first: a literal arriving during
   * a scan is held to a header block's size.
   * @returns sorted by UID.
   */
  scan(fromUid = 1, toUid?: number): Promise<MessageMeta[]> {
    return this.serial(async () => {
      await this.bodiesDone();
      return this.scanOpen(fromUid, toUid);
    });
  }

  private async scanOpen(fromUid: number, toUid: number | undefined): Promise<MessageMeta[]> {
    const st = this.opened('scan');
    if (st.messages === 0) return [];
    const scan = { from: fromUid, to: toUid ?? MAX_UID, out: new Map<number, MessageMeta>() };
    this.scanning = scan;
    try {
      const set = toUid === undefined ? fromUid : `${fromUid}:${toUid}`;
      const r = await this.inFolder(st.path, () =>
        this.conn.command([scanCommand(set, this.conn.capabilities.has('X-GM-EXT-1'))]),
      );
      if (r.status !== 'OK') throw refusalError(`listing messages of "${st.path}"`, r);
    } finally {
      this.scanning = undefined;
    }
    // Only the sizes of this scan: a folder read a slice at a time fetches the bodies of one slice.
    this.sizes.clear();
    for (const m of scan.out.values()) this.sizes.set(m.uid, m.size);
    return [...scan.out.values()].sort((a, b) => a.uid - b.uid);
  }

  /**
   * The UIDs at these sequence numbers of the open folder (`FETCH n,m,... (UID)`), ascending. A
   * refused FETCH (a number past the end after an expunge) gives none: the folder is then read whole.
   */
  uidsAt(seqs: readonly number[]): Promise<number[]> {
    return this.serial(async () => {
      const st = this.opened('uidsAt');
      if (seqs.length === 0 || st.messages === 0) return [];
      const cut: number[] = [];
      this.cutting = cut;
      try {
        const r = await this.inFolder(st.path, () => this.conn.command([`FETCH ${seqs.join(',')} (UID)`]));
        return r.status === 'OK' ? [...new Set(cut)].sort((a, b) => a - b) : [];
      } finally {
        this.cutting = undefined;
      }
    });
  }

  /**
   * Fetches the raw bodies of `uids` from the open folder; may be called again before it resolves.
   * @returns body by UID; a UID the server no longer has (expunged) is absent.
   */
  async fetch(uids: readonly number[]): Promise<Map<number, Body>> {
    const st = this.opened('fetch');
    const req: BodyRequest = { uids: new Set(uids), bodies: new Map() };
    if (uids.length === 0) return req.bodies;
    this.bodyRequests.add(req);
    try {
      const reply = this.inFolder(st.path, () =>
        this.conn.command([`UID FETCH ${uidSet([...uids])} (UID BODY.PEEK[])`]),
      );
      req.done = reply.catch(() => undefined);
      const r = await reply;
      if (r.status !== 'OK') throw refusalError(`fetching messages of "${st.path}"`, r);
      return req.bodies;
    } finally {
      this.bodyRequests.delete(req);
    }
  }

  /**
   * Runs one command of folder `path`. Whatever the server sends that this client refuses while
   * the command runs (a line or literal over the limits, a UID out of range) ends the connection
   * and fails this folder: it was the answer about this folder, and the other folders go on. A
   * command asked of a connection that an earlier folder's failure ended is a lost connection for
   * this folder (the engine retries it on a new one), not that folder's failure told again.
   */
  private async inFolder<T>(path: string, command: () => Promise<T>): Promise<T> {
    const ended = this.conn.error;
    if (ended) {
      throw new StoreError(`reading source folder "${path}": the connection had ended (${ended.message})`, {
        kind: 'connection',
        cause: ended,
      });
    }
    try {
      return await command();
    } catch (e) {
      if (!(e instanceof StoreError) || e.kind !== 'protocol' || e.scope === 'folder') throw e;
      throw new StoreError(`reading source folder "${path}": ${e.message}`, {
        kind: 'protocol',
        scope: 'folder',
        responseCode: e.responseCode,
        hint: 'the source server sent what no IMAP server may send for this folder; the other folders go on. Report this to its administrator with the run log',
        cause: e,
      });
    }
  }

  recycle(bodies: Iterable<Body>): void {
    this.pool.give(bodies);
  }

  /** Settles once every body FETCH sent so far has been answered (or the connection ended). */
  private bodiesDone(): Promise<unknown> {
    return Promise.all([...this.bodyRequests].map((r) => r.done));
  }

  /** Logs out and closes; never throws. */
  close(): Promise<void> {
    return this.conn.close();
  }

  private opened(what: string): NonNullable<FetchPipeline['status']> {
    if (!this.status) throw new Error(`FetchPipeline.${what} called before open`);
    return this.status;
  }

  private onUntagged(r: ImapResponse & { kind: 'untagged' }): void {
    if (r.keyword === 'FETCH') return this.onFetch(fetchItems(r.text, r.literals ?? []));
    if (this.status) applyStatusResponse(this.status, r);
  }

  private onFetch(items: Map<string, FetchValue>): void {
    const raw = items.get('UID');
    // Unsolicited FETCHes (flag changes) may come without a UID: not ours to attribute.
    if (raw === undefined) return;
    const uid = checkedUid(raw, this.conn.address, this.status?.path ?? '?');
    const item = items.get('BODY[]');
    // A server may send a short body as a quoted string instead of a literal.
    const body = typeof item === 'string' ? Buffer.from(item, 'latin1') : isBody(item) ? item : undefined;
    if (body) {
      for (const req of this.bodyRequests) {
        if (req.uids.has(uid)) {
          req.bodies.set(uid, body);
          return;
        }
      }
      return; // a UID nobody asked for: not ours to keep
    }
    const scan = this.scanning;
    const size = items.get('RFC822.SIZE');
    if (this.cutting && size === undefined) {
      this.cutting.push(uid);
      return;
    }
    // "N:*" still matches the last message when N is past it; unsolicited FETCHes carry no size.
    if (!scan || uid < scan.from || uid > scan.to || typeof size !== 'string') return;
    const meta = scannedMeta(uid, size, items);
    // Keyed by UID: a server repeating a message's data (an unsolicited FETCH) adds no second copy.
    scan.out.set(uid, meta);
  }
}

/**
 * Splits a FETCH response's `(NAME value NAME value ...)` into items by upper-cased name
 * (`UID`, `FLAGS`, `BODY[]`, `BODY[HEADER.FIELDS (MESSAGE-ID ...)]`). Literals are marked by NULs in
 * the text and taken from `literals` in order; NIL is null.
 */
export function fetchItems(text: string, literals: readonly Body[]): Map<string, FetchValue> {
  const items = new Map<string, FetchValue>();
  let i = text.indexOf('(') + 1;
  let literal = 0;
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  while (i > 0 && i < text.length) {
    skipSpaces();
    if (text[i] === ')' || i >= text.length) break;
    // The name runs to a space, except inside a section's brackets.
    let depth = 0;
    const start = i;
    while (i < text.length && (depth > 0 || (text[i] !== ' ' && text[i] !== ')'))) {
      if (text[i] === '[') depth++;
      else if (text[i] === ']') depth--;
      i++;
    }
    const name = text.slice(start, i).toUpperCase();
    skipSpaces();
    const c = text[i];
    if (c === LITERAL_MARK) {
      items.set(name, literals[literal++] ?? null);
      i++;
    } else if (c === '"') {
      let value = '';
      for (i++; i < text.length && text[i] !== '"'; i++)
        value += text[i] === '\\' ? (text[++i] ?? '') : text[i];
      items.set(name, value);
      i++;
    } else if (c === '(') {
      const close = text.indexOf(')', i);
      const inner = text.slice(i + 1, close < 0 ? text.length : close);
      items.set(
        name,
        inner.split(' ').filter((s) => s !== ''),
      );
      i = close < 0 ? text.length : close + 1;
    } else {
      const start2 = i;
      while (i < text.length && text[i] !== ' ' && text[i] !== ')') i++;
      const atom = text.slice(start2, i);
      items.set(name, atom.toUpperCase() === 'NIL' ? null : atom);
    }
  }
  return items;
}
