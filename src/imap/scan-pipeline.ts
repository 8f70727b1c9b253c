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
import type { FolderStatus } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import type { FolderOpening, FolderScan, ScanOptions } from '../core/ports.js';
import { fetchItems, scanCommand } from './fetch-pipeline.js';
import {
  applyStatusResponse,
  checkedUid,
  headerRoom,
  scannedMeta,
  type ScannedStatus,
} from './scan-items.js';
import { ImapConnection, type ConnectOptions } from './imap-connection.js';
import type { ImapResponse, TaggedResponse } from './imap-response-parser.js';
import { mailboxArgument, type CommandPart } from './imap-syntax.js';
import { rangeSets } from './mailbox-reader.js';
import type { UidRange } from '../core/uid-ranges.js';
import { listOn, type Listing } from './folder-listing.js';
import { refusalError } from './store-errors.js';

/** One folder of a burst as its answers arrive. */
interface FolderState extends ScannedStatus {
  path: string;
  out: Map<number, MessageMeta>;
  /** Its scan asked for no header fields. */
  lean: boolean;
}

/** A command of a burst not yet answered, and the folder its untagged responses belong to. */
interface InFlight {
  tag: string;
  folder: FolderState;
}

/** A read-only connection that scans bursts of folders (see the file comment). */
export class ScanPipeline {
  private readonly inFlight: InFlight[] = [];
  /**
   * The folder the last {@link scanUids} examined, and its status once the EXAMINE is answered
   * (undefined if refused). Any other burst may examine something else: it clears this.
   */
  private examined: { path: string; status: Promise<FolderStatus | undefined> } | undefined;

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
   * EXAMINE and metadata scan of every folder of `paths`, written at once; without the identity
   * header fields when `opts.identity` is false. An empty folder may refuse the FETCH's `1:*`
   * (some servers do): it has nothing to scan.
   * @returns one result per path, in order; a refused folder carries its `refused` error
   * @throws StoreError when the connection is lost
   */
  async scanFolders(
    paths: readonly string[],
    opts: Pick<ScanOptions, 'identity'> = {},
  ): Promise<FolderScan[]> {
    const gmail = this.conn.capabilities.has('X-GM-EXT-1');
    const identity = opts.identity !== false;
    const read = await this.burst(
      paths,
      (path) => [examineCommand(path), [scanCommand(1, gmail, identity)]],
      !identity,
    );
    return read.map(({ folder, replies: [examined, ...fetched] }) => folderScan(folder, examined!, fetched));
  }

  /**
   * EXAMINE of a folder and the metadata of its messages in these UID ranges (without the identity
   * header fields when `opts.identity` is false), written at once (mailbox-reader.ts `rangeSets`:
   * several FETCHes for many ranges). A UID no message has is simply not answered.
   * @returns the folder's status and the messages found, or its refusal
   * @throws StoreError when the connection is lost
   */
  async scanUids(
    path: string,
    ranges: readonly UidRange[],
    opts: Pick<ScanOptions, 'identity'> = {},
  ): Promise<FolderScan> {
    const gmail = this.conn.capabilities.has('X-GM-EXT-1');
    const identity = opts.identity !== false;
    const fetches = rangeSets(ranges).map((set) => [scanCommand(set, gmail, identity)]);
    // Still examined by the previous call (a big folder read a slice at a time): no new EXAMINE.
    // Dovecot 2.3 spent ~120 ms of CPU on each EXAMINE of a 120,000-message folder after a FETCH
    // of 10,000 of its messages (the first folder closed again), doubling its cost of a verify.
    const last = this.examined;
    const status = last?.path === path ? await last.status : undefined;
    if (status && this.examined === last) {
      const [read] = await this.burst([path], () => fetches, !identity, status);
      return folderScan(read!.folder, undefined, read!.replies);
    }
    const { folders, replies } = this.send([path], () => [examineCommand(path), ...fetches], !identity);
    const folder = folders[0]!.folder;
    const current = {
      path,
      status: replies[0]!.then(
        (r) => (r.status === 'OK' ? statusOf(folder) : undefined),
        () => undefined,
      ),
    };
    this.examined = current;
    const [examined, ...fetched] = await Promise.all(replies);
    // A refused EXAMINE selects nothing: the next call examines again.
    if (examined!.status !== 'OK' && this.examined === current) this.examined = undefined;
    return folderScan(folder, examined, fetched);
  }

  /**
   * EXAMINE of every folder of `paths`, written at once (answers attributed as for
   * {@link scanFolders}).
   * @returns one result per path, in order; a refused folder carries its `refused` error
   * @throws StoreError when the connection is lost
   */
  async examineFolders(paths: readonly string[]): Promise<FolderOpening[]> {
    const read = await this.burst(paths, (path) => [examineCommand(path)]);
    return read.map(({ folder: f, replies: [examined] }) =>
      examined!.status !== 'OK'
        ? { path: f.path, error: refusalError(`opening folder "${f.path}"`, examined!) }
        : { path: f.path, opened: { status: statusOf(f), permanentFlags: f.permanentFlags ?? [] } },
    );
  }

  /**
   * Writes every folder's commands at once, each command's untagged answers going to its folder
   * (see the file comment), and waits for every reply.
   * @returns each folder with its replies, in the order given
   */
  private async burst(
    paths: readonly string[],
    commandsOf: (path: string) => CommandPart[][],
    lean = false,
    known?: FolderStatus,
  ): Promise<{ folder: FolderState; replies: TaggedResponse[] }[]> {
    const { folders, replies: sent } = this.send(paths, commandsOf, lean, known);
    const replies = await Promise.all(sent);
    let at = 0;
    return folders.map((f) => ({ folder: f.folder, replies: f.commands.map(() => replies[at++]!) }));
  }

  /**
   * Writes the commands of a burst (see {@link burst}).
   * @param known the status of the folder already examined, for commands that do not examine it
   * @returns the folders and each command's reply, in the order sent
   */
  private send(
    paths: readonly string[],
    commandsOf: (path: string) => CommandPart[][],
    lean: boolean,
    known?: FolderStatus,
  ): { folders: { folder: FolderState; commands: CommandPart[][] }[]; replies: Promise<TaggedResponse>[] } {
    if (!known) this.examined = undefined;
    const folders = paths.map((path) => ({
      folder: newFolder(path, lean, known),
      commands: commandsOf(path),
    }));
    const owners = folders.flatMap((f) => f.commands.map(() => f.folder));
    const sent = this.conn.sendTagged(folders.flatMap((f) => f.commands));
    sent.forEach((c, i) => this.inFlight.push({ tag: c.tag, folder: owners[i]! }));
    return { folders, replies: sent.map((c) => c.reply) };
  }

  /** The server's capabilities after login, upper-cased. */
  get capabilities(): ReadonlySet<string> {
    return this.conn.capabilities;
  }

  /**
   * Every folder with its status, in one round trip (folder-listing.ts), or undefined where the
   * server cannot be listed so.
   */
  listFolders(): Promise<Listing | undefined> {
    return listOn(this.conn);
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
    else applyStatusResponse(folder, r);
  }

  private onFetch(folder: FolderState, items: ReturnType<typeof fetchItems>): void {
    const raw = items.get('UID');
    const size = items.get('RFC822.SIZE');
    // Unsolicited FETCHes (flag changes) carry no UID or no size: not a scanned message.
    if (raw === undefined || typeof size !== 'string') return;
    const uid = checkedUid(raw, this.conn.address, folder.path);
    const meta = scannedMeta(uid, size, items, folder.lean);
    // Keyed by UID: a server repeating a message's data adds no second copy.
    folder.out.set(uid, meta);
  }
}

/** A folder's result from its EXAMINE and FETCH replies. */
function folderScan(
  f: FolderState,
  examined: TaggedResponse | undefined,
  fetched: readonly TaggedResponse[],
): FolderScan {
  if (examined && examined.status !== 'OK')
    return { path: f.path, error: refusalError(`opening folder "${f.path}"`, examined) };
  const refused = fetched.find((r) => r.status !== 'OK');
  if (refused && f.messages > 0)
    return { path: f.path, error: refusalError(`listing messages of "${f.path}"`, refused) };
  return { path: f.path, status: statusOf(f), messages: [...f.out.values()].sort((a, b) => a.uid - b.uid) };
}

/** A folder about to be read; `known` is its status when it is examined already. */
function newFolder(path: string, lean: boolean, known?: FolderStatus): FolderState {
  const status = known ? { ...known } : { messages: 0 };
  return { path, ...status, out: new Map(), lean };
}

function examineCommand(path: string): CommandPart[] {
  return ['EXAMINE ', ...mailboxArgument(path)];
}

/** A folder's status as its EXAMINE announced it. */
function statusOf(f: FolderState): FolderStatus {
  return {
    messages: f.messages,
    uidNext: f.uidNext ?? 1,
    uidValidity: f.uidValidity ?? 0,
    ...(f.highestModseq === undefined ? {} : { highestModseq: f.highestModseq }),
  };
}
