/**
 * What a copy lane asks of a side's folders on every folder, on mailshift's own connection: the
 * listing, STATUS, SELECT, CREATE and (UN)SUBSCRIBE, one call at a time. It logs in in one round
 * trip where the server has SASL-IR and sends nothing else before its first command; imapflow's
 * session sends ID, AUTHENTICATE in two steps, ID, NAMESPACE and ENABLE one after the other first,
 * which at 30 ms kept each lane from its first folder for about half a second.
 *
 * Names go as modified UTF-7 (RFC 3501 section 5.1.3): this connection does not ENABLE UTF8=ACCEPT.
 * control-switch.ts hands what it does not do (EXAMINE, scans, STORE, quota) to imapflow.
 */
import PQueue from 'p-queue';
import { StoreError } from '../core/errors.js';
import type { FolderStatus, OpenedFolder } from '../core/folders.js';
import { appendTargets } from './append-target.js';
import { listOn, statusItems, toStatus, type Listing } from './folder-listing.js';
import { ImapConnection, type ConnectOptions } from './imap-connection.js';
import type { ImapResponse, TaggedResponse } from './imap-response-parser.js';
import { mailboxArgument, type CommandPart } from './imap-syntax.js';
import { parseStatusLine } from './list-syntax.js';
import { applyStatusResponse, headerRoom, type ScannedStatus } from './scan-items.js';
import { connectionLost, folderFailure, refusalError } from './store-errors.js';

type Untagged = ImapResponse & { kind: 'untagged' };

/** One logged-in connection for a side's folder operations (see the file comment). */
export class FolderControl {
  /** Commands run one at a time: a SELECT's untagged responses name no folder. */
  private readonly queue = new PQueue({ concurrency: 1 });
  private selectedPath: string | undefined;
  /** Opens a folder for appending, SELECT first and then STATUS (append-target.ts), on this connection. */
  readonly openForAppend = appendTargets(this);

  private constructor(private readonly conn: ImapConnection) {}

  /**
   * Connects and logs in.
   * @throws StoreError `connection`, `tls`, `auth`.
   */
  static async open(opts: ConnectOptions): Promise<FolderControl> {
    // A folder name may come as a literal in LIST or STATUS: kept in rooms bounded like header literals.
    const conn = await ImapConnection.open(opts, (size) => headerRoom(size, opts.host, 'in a folder name'));
    return new FolderControl(conn);
  }

  /** The server's capabilities after login, upper-cased (`APPENDLIMIT=n` kept whole). */
  get capabilities(): ReadonlySet<string> {
    return this.conn.capabilities;
  }

  /** The folder the last SELECT opened; undefined before one or after one was refused. */
  get selected(): string | undefined {
    return this.selectedPath;
  }

  /**
   * The listing in one round trip (folder-listing.ts).
   * @returns undefined where the server lacks what that needs (then list with imapflow)
   */
  listFolders(): Promise<Listing | undefined> {
    return this.one('LIST', undefined, () => listOn(this.conn));
  }

  /**
   * The listing as the server is now, on a connection that may have selected a folder: the STATUS
   * of the selected mailbox is that session's view (RFC 9051 section 6.3.11), so it is closed first
   * with UNSELECT (RFC 3691; CLOSE would expunge). UNSELECT goes in the listing's burst: the server
   * runs the commands in order (RFC 9051 section 5.5), and its refusal discards the listing.
   * @returns undefined where the server lacks UNSELECT or what the burst needs, or refused a command
   */
  listNow(): Promise<Listing | undefined> {
    return this.one('LIST', undefined, async () => {
      const selected = this.selectedPath !== undefined;
      if (selected && !this.conn.capabilities.has('UNSELECT')) return undefined;
      const listing = await listOn(this.conn, selected ? ['UNSELECT'] : undefined);
      if (listing) this.selectedPath = undefined;
      return listing;
    });
  }

  /** STATUS of a folder (HIGHESTMODSEQ and SIZE where the server has them). */
  status(path: string): Promise<FolderStatus> {
    return this.one(`STATUS "${path}"`, path, async () => {
      let items: Map<string, string> | undefined;
      const reply = await this.collecting(
        (r) => {
          // One STATUS is in flight at a time, and nothing here asks for unsolicited ones (NOTIFY).
          if (r.keyword === 'STATUS') items ??= parseStatusLine(r.text, r.literals).items;
        },
        ['STATUS ', ...mailboxArgument(path), ` ${statusItems(this.conn.capabilities)}`],
      );
      if (reply.status !== 'OK') throw refusalError(`STATUS "${path}"`, reply);
      if (!items) throw missingAnswer(`STATUS "${path}"`, this.conn.address);
      return toStatus(items);
    });
  }

  /** SELECT (read-write: PERMANENTFLAGS are only told so): the folder's status and PERMANENTFLAGS. */
  select(path: string): Promise<OpenedFolder> {
    return this.one(`SELECT "${path}"`, path, async () => {
      const st: ScannedStatus = { messages: 0 };
      // A SELECT refused leaves no folder selected (RFC 3501 section 6.3.1).
      this.selectedPath = undefined;
      const reply = await this.collecting(
        (r) => applyStatusResponse(st, r),
        ['SELECT ', ...mailboxArgument(path)],
      );
      if (reply.status !== 'OK') throw refusalError(`SELECT "${path}"`, reply);
      this.selectedPath = path;
      return {
        // UIDNEXT and UIDVALIDITY are required answers; read as imapflow's listing reads a gap.
        status: {
          messages: st.messages,
          uidNext: st.uidNext ?? 1,
          uidValidity: st.uidValidity ?? 0,
          highestModseq: st.highestModseq,
        },
        permanentFlags: st.permanentFlags ?? [],
      };
    });
  }

  /**
   * CREATE of a new folder's missing levels, parents first, in one burst; then SUBSCRIBE of each
   * level created, written without waiting for its answer (a refusal is not an error, see
   * {@link subscribe}). The next call's command follows them on the wire, so a new folder costs
   * one round trip where one CREATE and one SUBSCRIBE per level, each awaited, cost two per level
   * (at 30 ms, the longest wait of a lane copying many small folders). A child's CREATE does not
   * need its parent's first: a server creates missing parents itself (RFC 9051 section 6.3.4). A
   * server running the burst out of order would answer the parent's CREATE that it exists, and
   * that parent would stay unsubscribed; nothing else would differ.
   * @throws the first refusal (after the levels created before it are subscribed)
   */
  createLevels(levels: readonly string[]): Promise<void> {
    const folder = levels.at(-1) ?? '';
    return this.one(`CREATE "${folder}"`, folder, async () => {
      const replies = await Promise.allSettled(
        this.conn.send(levels.map((level) => ['CREATE ', ...mailboxArgument(level)])),
      );
      const created: string[] = [];
      let refused: StoreError | undefined;
      for (const [i, r] of replies.entries()) {
        if (r.status === 'rejected') throw r.reason;
        const level = levels[i]!;
        if (r.value.status === 'OK') created.push(level);
        else if (!existsAlready(r.value)) {
          refused = refusalError(`CREATE "${level}"`, r.value);
          break;
        }
      }
      if (created.length > 0)
        void Promise.allSettled(
          this.conn.send(created.map((level) => ['SUBSCRIBE ', ...mailboxArgument(level)])),
        );
      if (refused) throw refused;
    });
  }

  /**
   * SUBSCRIBE or UNSUBSCRIBE. A refusal is not an error: the folder and its mail are there all the
   * same, and imapflow, which did this before, answered a refusal with `false` too.
   */
  subscribe(path: string, subscribed: boolean): Promise<void> {
    return this.one(`SUBSCRIBE "${path}"`, path, async () => {
      await this.conn.command([subscribed ? 'SUBSCRIBE ' : 'UNSUBSCRIBE ', ...mailboxArgument(path)]);
    });
  }

  /** LOGOUT and close; never rejects. */
  close(): Promise<void> {
    return this.conn.close();
  }

  /**
   * Runs one command after the others. As on imapflow's stores (imapflow-stores.ts `guarded`), a
   * protocol failure during a command about a folder (an answer over the limits) is that folder's,
   * and a call on a connection that has ended meets a lost connection, which the engine retries on
   * a new one.
   */
  private one<T>(what: string, folder: string | undefined, fn: () => Promise<T>): Promise<T> {
    const attempt = async () => {
      if (this.conn.error) throw connectionLost(what, this.conn.error);
      try {
        return await fn();
      } catch (err) {
        if (folder === undefined || !(err instanceof StoreError) || err.kind !== 'protocol') throw err;
        throw folderFailure(folder, err);
      }
    };
    return this.queue.add(attempt);
  }

  private async collecting(on: (r: Untagged) => void, command: CommandPart[]): Promise<TaggedResponse> {
    this.conn.onUntagged = on;
    try {
      return await this.conn.command(command);
    } finally {
      this.conn.onUntagged = undefined;
    }
  }
}

/** A CREATE refused because the folder is there (`[ALREADYEXISTS]`, RFC 5530, or servers' words). */
function existsAlready(reply: TaggedResponse): boolean {
  return reply.code?.name === 'ALREADYEXISTS' || /already exists/i.test(reply.text);
}

/** A command answered OK without the untagged response it exists for. */
function missingAnswer(what: string, address: string): StoreError {
  return new StoreError(`${what}: ${address} answered OK without the folder's status`, {
    kind: 'protocol',
    scope: 'folder',
    hint: 'the server is broken for this folder; report this to its administrator',
  });
}
