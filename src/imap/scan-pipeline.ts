/**
 * The metadata of many folders in one round trip, on mailshift's own connection: EXAMINE and
 * `UID FETCH 1:*` of every folder of a burst are written back to back. Verify reads every folder
 * of both sides; one EXAMINE and one FETCH after the other cost two round trips per folder, which
 * at 30 ms made 200 small folders take 20 s.
 *
 * Why the answers can be attributed: EXAMINE changes the selected folder, so a server runs it only
 * after the commands before it have ended, and the FETCH after it only once it has (RFC 3501
 * section 5.5, "the server MUST NOT ... execute ... commands ... that depend on the selected
 * mailbox" in parallel with one that changes it). Every untagged response (EXISTS, OK
 * [UIDVALIDITY], FETCH data) therefore belongs to the oldest command of the burst not yet
 * answered; the tagged replies, read as they arrive (imap-connection.ts `onTagged`), say which one
 * that is. A refused EXAMINE leaves no folder selected, so the FETCH after it fails too and
 * nothing of another folder is taken for this one.
 *
 * Read-only by construction: EXAMINE and BODY.PEEK of the identity header fields only.
 */
import { StoreError } from '../core/errors.js';
import type { FolderStatus } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import type { FolderScan } from '../core/ports.js';
import { bodyBuffer, type Body } from '../core/body.js';
import { fetchItems, scanCommand } from './fetch-pipeline.js';
import { ImapConnection, type ConnectOptions } from './imap-connection.js';
import type { ImapResponse, TaggedResponse } from './imap-response-parser.js';
import { mailboxArgument, parseInternalDate } from './imap-syntax.js';
import { messageMeta } from './mailbox-reader.js';
import { refusalError } from './store-errors.js';

/** A header block (the identity fields) larger than this is not a header block. */
const MAX_HEADER_LITERAL = 1024 * 1024;

/** The largest UID (RFC 3501 section 2.3.1.1: a 32-bit value greater than zero). */
const MAX_UID = 0xffffffff;

/** One folder of a burst as its answers arrive. */
interface FolderState {
  path: string;
  messages: number;
  uidValidity?: number;
  uidNext?: number;
  highestModseq?: string;
  out: Map<number, MessageMeta>;
}

/** A command of a burst not yet answered, and the folder its untagged responses belong to. */
interface InFlight {
  tag: string;
  folder: FolderState;
}

/** A read-only connection that scans bursts of folders (see the file comment). */
export class ScanPipeline {
  private readonly inFlight: InFlight[] = [];

  private constructor(private readonly conn: ImapConnection) {
    conn.onUntagged = (r) => this.onUntagged(r);
    conn.onTagged = (r) => this.onTagged(r);
  }

  /**
   * Connects and logs in.
   * @throws StoreError `connection`, `tls`, `auth`.
   */
  static async open(opts: ConnectOptions): Promise<ScanPipeline> {
    const conn = await ImapConnection.open(opts, (size) => headerRoom(size, opts.host));
    return new ScanPipeline(conn);
  }

  /**
   * EXAMINE and metadata scan of every folder of `paths`, written at once. An empty folder may
   * refuse the FETCH's `1:*` (some servers do): it has nothing to scan.
   * @returns one result per path, in order; a refused folder carries its `refused` error
   * @throws StoreError when the connection is lost
   */
  async scanFolders(paths: readonly string[]): Promise<FolderScan[]> {
    const gmail = this.conn.capabilities.has('X-GM-EXT-1');
    const folders = paths.map((path): FolderState => ({ path, messages: 0, out: new Map() }));
    const sent = this.conn.sendTagged(
      folders.flatMap((f) => [['EXAMINE ', ...mailboxArgument(f.path)], [scanCommand(1, gmail)]]),
    );
    sent.forEach((c, i) => this.inFlight.push({ tag: c.tag, folder: folders[i >> 1]! }));
    const replies = await Promise.all(sent.map((c) => c.reply));
    return folders.map((f, i) => folderScan(f, replies[2 * i]!, replies[2 * i + 1]!));
  }

  /** Whether the connection has ended (lost, or closed after a reply this client refuses). */
  get ended(): boolean {
    return this.conn.error !== undefined;
  }

  /** Logs out and closes; never throws. */
  close(): Promise<void> {
    return this.conn.close();
  }

  private onTagged(r: TaggedResponse): void {
    const i = this.inFlight.findIndex((c) => c.tag === r.tag);
    if (i >= 0) this.inFlight.splice(i, 1);
  }

  private onUntagged(r: ImapResponse & { kind: 'untagged' }): void {
    const folder = this.inFlight[0]?.folder;
    if (!folder) return;
    if (r.keyword === 'FETCH') this.onFetch(folder, fetchItems(r.text, r.literals ?? []));
    else if (r.keyword === 'EXISTS' && r.number !== undefined) folder.messages = r.number;
    else if (r.keyword === 'OK' && r.code) {
      const n = r.code.args;
      if (r.code.name === 'UIDVALIDITY') folder.uidValidity = Number(n);
      else if (r.code.name === 'UIDNEXT') folder.uidNext = Number(n);
      else if (r.code.name === 'HIGHESTMODSEQ') folder.highestModseq = n;
    }
  }

  private onFetch(folder: FolderState, items: ReturnType<typeof fetchItems>): void {
    const raw = items.get('UID');
    const size = items.get('RFC822.SIZE');
    // Unsolicited FETCHes (flag changes) carry no UID or no size: not a scanned message.
    if (raw === undefined || typeof size !== 'string') return;
    const uid = Number(raw);
    if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) {
      throw new StoreError(
        `${this.conn.address} sent UID ${String(raw)} in folder "${folder.path}", outside 1..${MAX_UID}`,
        {
          kind: 'protocol',
          scope: 'folder',
          hint: 'the server is broken for this folder; report this to its administrator',
        },
      );
    }
    const headerKey = [...items.keys()].find((k) => k.startsWith('BODY[HEADER.FIELDS'));
    const headers = headerKey ? items.get(headerKey) : undefined;
    const flags = items.get('FLAGS');
    const date = items.get('INTERNALDATE');
    const meta = messageMeta(
      uid,
      Array.isArray(flags) ? (flags as string[]) : [],
      (typeof date === 'string' ? parseInternalDate(date) : undefined) ?? new Date(0),
      Number(size),
      typeof headers === 'string' ? headers : isLiteral(headers) ? bodyBuffer(headers) : '',
    );
    const gmMsgId = items.get('X-GM-MSGID');
    // A 64-bit decimal: kept as text, a JavaScript number would lose its last digits.
    if (typeof gmMsgId === 'string' && /^\d+$/.test(gmMsgId)) meta.gmMsgId = gmMsgId;
    // Keyed by UID: a server repeating a message's data adds no second copy.
    folder.out.set(uid, meta);
  }
}

/** Room for a literal: only header blocks are asked for, so anything large is refused. */
function headerRoom(size: number, host: string): Body {
  if (size > MAX_HEADER_LITERAL) {
    throw new StoreError(`${host} announced a literal of ${size} bytes where header fields were asked`, {
      kind: 'protocol',
      scope: 'folder',
      hint: 'the server sent more than the header fields asked for; report this to its administrator',
    });
  }
  return Buffer.allocUnsafe(size);
}

function isLiteral(v: unknown): v is Body {
  return Buffer.isBuffer(v) || (Array.isArray(v) && v.length > 0 && Buffer.isBuffer(v[0]));
}

/** A folder's result from its EXAMINE and FETCH replies. */
function folderScan(f: FolderState, examined: TaggedResponse, fetched: TaggedResponse): FolderScan {
  if (examined.status !== 'OK')
    return { path: f.path, error: refusalError(`opening folder "${f.path}"`, examined) };
  if (fetched.status !== 'OK' && f.messages > 0)
    return { path: f.path, error: refusalError(`listing messages of "${f.path}"`, fetched) };
  const status: FolderStatus = {
    messages: f.messages,
    uidNext: f.uidNext ?? 1,
    uidValidity: f.uidValidity ?? 0,
    ...(f.highestModseq === undefined ? {} : { highestModseq: f.highestModseq }),
  };
  return { path: f.path, status, messages: [...f.out.values()].sort((a, b) => a.uid - b.uid) };
}
