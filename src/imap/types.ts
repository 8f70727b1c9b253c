/**
 * What the engine, verify and report know of a mailbox, independent of the IMAP library.
 */

/** STATUS of a folder: what a no-op re-run compares against the state. */
export interface FolderStatus {
  messages: number;
  uidNext: number;
  uidValidity: number;
  /** CONDSTORE HIGHESTMODSEQ as a decimal string, when the server has it. */
  highestModseq?: string;
  /** Total bytes (STATUS=SIZE), when the server has it. */
  size?: number;
}

/** One message's metadata: enough to decide whether to copy it and to recognise it elsewhere. */
export interface MessageMeta {
  uid: number;
  flags: string[];
  internalDate: Date;
  size: number;
  /** Message-ID header value, trimmed, or undefined when the message has none. */
  messageId?: string;
  /** Identity used to recognise the message on the other side (see verify/fingerprint.ts). */
  identity: string;
}

/** A message with its raw RFC 822 bytes. */
export interface FetchedMessage {
  uid: number;
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

/** What the folder opened as: PERMANENTFLAGS decides which flags the server keeps. */
export interface OpenedFolder {
  status: FolderStatus;
  /** `\*` means new keywords are allowed. */
  permanentFlags: string[];
}
