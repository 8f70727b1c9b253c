/**
 * The seams between the engine and IMAP. `SourceStore` has no write method: "never modify the
 * source" is a fact of the type. `DestinationStore` can create, subscribe, store flags and
 * append, and has no delete or expunge. A dry run gets only `FolderReader`s.
 */
import type { FolderListing, NamespaceInfo } from '../plan/folder-types.js';
import type { AppendBatchResult, AppendItem } from './append-pipeline.js';
import type { Body } from './body-pool.js';
import type { FetchedMessage, FolderStatus, MessageMeta, OpenedFolder } from './types.js';

/** Read-only access to one side's folders on one connection. */
export interface FolderReader {
  readonly capabilities: ReadonlySet<string>;
  listFolders(): Promise<{ namespace: NamespaceInfo; folders: FolderListing[] }>;
  status(path: string): Promise<FolderStatus>;
  /** Opens a folder read-only (EXAMINE); later scans and fetches read this folder. */
  examine(path: string): Promise<OpenedFolder>;
  /** Metadata of messages with UID >= fromUid in the examined folder. */
  scan(fromUid?: number): Promise<MessageMeta[]>;
  /** Flags of all messages of the examined folder, or those changed since a modseq. */
  scanFlags(changedSince?: string): Promise<Map<number, string[]>>;
  /** Raw bodies (BODY.PEEK[]) of the examined folder. */
  fetchBodies(uids: number[]): Promise<Map<number, FetchedMessage>>;
  /** Quota of the account (RFC 2087) where offered: bytes used and allowed. */
  quota(): Promise<{ usage: number; limit: number } | undefined>;
  close(): Promise<void>;
}

/** The source: read-only by construction. */
export type SourceStore = FolderReader;

/** The destination: reads, plus the few writes a migration needs. Nothing here deletes. */
export interface DestinationStore extends FolderReader {
  /**
   * Creates a folder and its missing parents, subscribed; resolves when it exists. `known` comes
   * from the listing the caller has already made (no LIST per folder) and is updated.
   */
  createFolder(path: string, known: { delimiter: string; existing: Set<string> }): Promise<void>;
  setSubscribed(path: string, subscribed: boolean): Promise<void>;
  /** Replaces the flags of one message (UID STORE FLAGS), used to bring source flag changes over. */
  setFlags(path: string, uid: number, flags: string[]): Promise<void>;
  /**
   * Opens a folder read-write (SELECT), as appending to it needs: its status (UIDNEXT before any
   * APPEND) and PERMANENTFLAGS in one round trip.
   */
  openForAppend(path: string): Promise<OpenedFolder>;
}

/** Appends batches to the destination on its own connection (see append-pipeline.ts). */
export interface Appender {
  readonly mode: string;
  appendBatch(mailbox: string, items: AppendItem[]): Promise<AppendBatchResult>;
  close(): Promise<void>;
}

/**
 * Reads one source folder at a time on its own connection: metadata and bodies, several body
 * requests in flight (see fetch-pipeline.ts). Read-only: EXAMINE and BODY.PEEK.
 */
export interface BodyReader {
  /** Opens a folder read-only (EXAMINE); later scans and fetches read it. */
  open(path: string): Promise<FolderStatus>;
  /** Metadata of the open folder's messages with UID >= fromUid, sorted by UID. */
  scan(fromUid?: number): Promise<MessageMeta[]>;
  /** Raw bodies by UID; expunged messages are absent. May be called again before it resolves. */
  fetch(uids: readonly number[]): Promise<Map<number, Body>>;
  /**
   * Hands back bodies from {@link fetch} that nothing will read again (their APPEND was answered):
   * their memory is reused by later fetches. Using one afterwards would read another message.
   */
  recycle(bodies: Iterable<Body>): void;
  close(): Promise<void>;
}
