/**
 * The seams between the stages and the servers. `SourceStore` has no write method: "never modify
 * the source" is a fact of the type. `DestinationStore` can create, subscribe, store flags and
 * append, and has no delete or expunge. A dry run and verify get only `FolderReader`s, so they
 * cannot write whatever they do. Every store rejects with a {@link StoreError} (errors.ts).
 */
import type { Body } from './body.js';
import type {
  FolderDecision,
  FolderListing,
  FolderStatus,
  NamespaceInfo,
  OpenedFolder,
  SideListing,
} from './folders.js';
import type { AppendOutcome, FetchedMessage, MessageMeta } from './messages.js';
import type { StoreError } from './errors.js';
import type { UidRange } from './uid-ranges.js';

/** What a metadata scan reads besides flags, date and size. */
export interface ScanOptions {
  /**
   * The identity header fields (default true). False makes a lean scan: each message's identity is
   * empty and its Message-ID unknown. Verify's destination scan is lean: the checkpoint names most
   * copies by UID, and only the rest need an identity ({@link FolderReader.scanUids}). Reading the
   * header fields costs a server that has not cached them the parsing of every message (Dovecot:
   * 2.5 times the CPU and 3.5 times the bytes of a scan without them, bench/fetch-cost.ts).
   */
  identity?: boolean;
  /**
   * Gmail's labels of each message (X-GM-LABELS), where the server offers X-GM-EXT-1. Google:
   * "Gmail treats labels as folders for the purposes of IMAP"; the selected folder's own label is
   * left out, so a whole label set is read in All Mail, which is no label.
   */
  gmailLabels?: boolean;
}

/** One folder of a {@link FolderReader.scanFolders} burst: its status and messages, or its refusal. */
export type FolderScan =
  { path: string; status: FolderStatus; messages: MessageMeta[] } | { path: string; error: StoreError };

/** One folder of a {@link FolderReader.examineFolders} burst: as EXAMINE opened it, or its refusal. */
export type FolderOpening = { path: string; opened: OpenedFolder } | { path: string; error: StoreError };

/** Read-only access to one side's folders on one connection. */
export interface FolderReader {
  readonly capabilities: ReadonlySet<string>;
  /** Every folder, and the capabilities the server announced after login (as in {@link SideListing}). */
  listFolders(): Promise<{ namespace: NamespaceInfo; folders: FolderListing[]; capabilities?: string[] }>;
  status(path: string): Promise<FolderStatus>;
  /** Opens a folder read-only (EXAMINE); later scans and fetches read this folder. */
  examine(path: string): Promise<OpenedFolder>;
  /** Metadata of messages with UID >= fromUid in the examined folder. */
  scan(fromUid?: number, opts?: ScanOptions): Promise<MessageMeta[]>;
  /** Flags of all messages of the examined folder, or those changed since a modseq. */
  scanFlags(changedSince?: string): Promise<Map<number, string[]>>;
  /** Raw bodies (BODY.PEEK[]) of the examined folder. */
  fetchBodies(uids: number[]): Promise<Map<number, FetchedMessage>>;
  /**
   * EXAMINE and metadata scan (as {@link scan} from UID 1) of several folders in one round trip,
   * one result per path in order: a folder the server refuses is a result with its error, the
   * others are still read. Which folder is examined afterwards is unspecified: {@link examine}
   * before {@link scan} or {@link fetchBodies}. Absent where the connection cannot pipeline.
   * @throws StoreError when the connection is lost
   */
  scanFolders?(paths: readonly string[], opts?: Pick<ScanOptions, 'identity'>): Promise<FolderScan[]>;
  /**
   * EXAMINE of a folder and the metadata of its messages in these UID ranges (one round trip where
   * the connection pipelines), the identity header fields included unless `opts.identity` is
   * false: what a lean scan left out, for the messages that need it, or one slice of a big folder
   * (verify-slices.ts). A folder the reader's previous scanUids examined may be read without a new
   * EXAMINE. Which folder is examined afterwards is unspecified, as for {@link scanFolders}. A UID
   * that no message has is simply absent. Absent where the reader cannot: its caller then scans
   * whole.
   * @throws StoreError when the connection is lost
   */
  scanUids?(
    path: string,
    uids: readonly UidRange[],
    opts?: Pick<ScanOptions, 'identity'>,
  ): Promise<FolderScan>;
  /**
   * EXAMINE of several folders in one round trip, one result per path in order (a refused folder
   * is a result with its error). Absent where the connection cannot pipeline.
   * @throws StoreError when the connection is lost
   */
  examineFolders?(paths: readonly string[]): Promise<FolderOpening[]>;
  /** Quota of the account (RFC 9208) where offered: bytes used and allowed. */
  quota(): Promise<{ usage: number; limit: number } | undefined>;
  close(): Promise<void>;
}

/** The source: read-only by construction. */
export type SourceStore = FolderReader;

/** The destination folders a run knows of (NFC names), updated as folders are created. */
export interface KnownFolders {
  delimiter: string;
  existing: Set<string>;
}

/** The destination: reads, plus the few writes a migration needs. Nothing here deletes. */
export interface DestinationStore extends FolderReader {
  /**
   * Creates a folder and its missing parents, subscribed; resolves when it exists. `known` comes
   * from the listing the caller has already made (no LIST per folder) and is updated.
   */
  createFolder(path: string, known: KnownFolders): Promise<void>;
  setSubscribed(path: string, subscribed: boolean): Promise<void>;
  /** Replaces the flags of one message (UID STORE FLAGS), used to bring source flag changes over. */
  setFlags(path: string, uid: number, flags: string[]): Promise<void>;
  /**
   * What appending to a folder needs to know first: its status (UIDNEXT before any APPEND) and
   * PERMANENTFLAGS, in one round trip (a SELECT, or a STATUS once the connection knows the
   * server's PERMANENTFLAGS). The folder need not stay selected: APPEND names its folder.
   */
  openForAppend(path: string): Promise<OpenedFolder>;
  /**
   * Every folder as the server shows it now, on this connection although it has appended and
   * selected: undefined where it cannot say so (then list on a new connection).
   */
  listNow?(): Promise<SideListing | undefined>;
}

/** One message to append: its exact bytes, the flags to set and its INTERNALDATE. */
export interface AppendItem {
  raw: Body;
  /** System flags (`\Seen`...) and keywords (`$Forwarded`...); `\Recent` is dropped. */
  flags: readonly string[];
  internalDate: Date;
}

export type { AppendOutcome } from './messages.js';

/** What a batch achieved. */
export interface AppendBatchResult {
  /** UIDVALIDITY of the mailbox from APPENDUID (UIDPLUS), when the server sent it. */
  uidValidity?: number;
  /**
   * One outcome per item, in the order given. Refusals made without asking the server carry
   * `code: 'TOOBIG'` (larger than APPENDLIMIT) or `code: 'CLIENTBUG'` (a flag or date IMAP cannot
   * express); the others carry the server's text and response code.
   */
  outcomes: AppendOutcome[];
  /** APPEND commands sent (1 for a MULTIAPPEND that succeeded; more after a retry one by one). */
  commands: number;
}

/** Appends batches to the destination on its own connection. */
export interface Appender {
  /** How batches go on the wire (`multiappend`, `pipelined`, `sync`), for logs and tests. */
  readonly mode: string;
  /**
   * Appends `items` to `mailbox`; a refused MULTIAPPEND is retried one message per command so the
   * culprit is named and the rest arrive.
   * @throws StoreError; its `outcomes` say what the server confirmed before the failure and
   *   `inDoubt` whether messages were sent without an answer.
   */
  appendBatch(mailbox: string, items: readonly AppendItem[]): Promise<AppendBatchResult>;
  close(): Promise<void>;
}

/**
 * Reads one source folder at a time on its own connection: metadata and bodies, several body
 * requests in flight. Read-only: EXAMINE and BODY.PEEK.
 */
export interface BodyReader {
  /** Opens a folder read-only (EXAMINE); later scans and fetches read it. */
  open(path: string): Promise<FolderStatus>;
  /**
   * Metadata of the open folder's messages with UID >= fromUid (and <= toUid when given), sorted by
   * UID. Waits for the body requests in flight: their replies must not reach the scan.
   */
  scan(fromUid?: number, toUid?: number): Promise<MessageMeta[]>;
  /** {@link open} then {@link scan} in one round trip where the connection can pipeline them. */
  openAndScan(path: string, fromUid?: number): Promise<{ status: FolderStatus; metas: MessageMeta[] }>;
  /**
   * The UIDs of the open folder's messages at these message sequence numbers, ascending: where a
   * big folder is cut into slices. Any UIDs will do for that (a slice is a UID range), so an answer
   * the server refuses or that an expunge meanwhile shifted gives other cuts, never a wrong copy.
   */
  uidsAt?(seqs: readonly number[]): Promise<number[]>;
  /** Raw bodies by UID; expunged messages are absent. May be called again before it resolves. */
  fetch(uids: readonly number[]): Promise<Map<number, Body>>;
  /**
   * Hands back bodies from {@link fetch} that nothing will read again (their APPEND was answered):
   * their memory is reused by later fetches. Using one afterwards would read another message.
   */
  recycle(bodies: Iterable<Body>): void;
  close(): Promise<void>;
}

/** How the engine reaches one account's servers (built by the CLI): each call opens a connection. */
export interface AccountConnectors {
  source(): Promise<SourceStore>;
  destination(): Promise<DestinationStore>;
  appender(): Promise<Appender>;
  bodies(): Promise<BodyReader>;
  /**
   * A side's listing (with every folder's STATUS) on a connection of its own, closed before it
   * resolves: one login and one round trip where the server allows it. Undefined where the server
   * lacks what that needs; then the setup lists on the account's connections.
   */
  listing?(side: 'source' | 'destination'): Promise<SideListing | undefined>;
}

/** How verify and the dry-run report reach one account's servers: read-only on both sides. */
export interface ReaderConnectors {
  source(): Promise<FolderReader>;
  destination(): Promise<FolderReader>;
}

/** Decides the folder mapping: from the resolved plan, or proposed now from both listings. */
export interface FolderMapper {
  /** Decisions known without listing the destination (a resolved plan), or undefined. */
  resolved(account: string): FolderDecision[] | undefined;
  propose(account: string, source: SideListing, destination: SideListing): FolderDecision[];
}
