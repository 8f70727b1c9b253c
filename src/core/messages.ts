/**
 * Messages as every stage sees them, independent of the IMAP library: what a scan learns of one,
 * and where one stands in the checkpoint state.
 */

/** One message's metadata: enough to decide whether to copy it and to recognise it elsewhere. */
export interface MessageMeta {
  uid: number;
  flags: readonly string[];
  /**
   * INTERNALDATE in milliseconds since the epoch (NaN when the server's did not parse). A number,
   * not a Date: verify and the copy hold one per message of a folder, and a Date costs ~80 bytes more.
   */
  internalDate: number;
  size: number;
  /** Message-ID header value, trimmed, or undefined when the message has none. */
  messageId?: string;
  /**
   * Identity used to recognise the message on the other side (see identity.ts); empty when the
   * scan did not read the header fields (`ScanOptions.identity`, ports.ts; {@link identityRead}).
   */
  identity: string;
  /**
   * Gmail's account-wide message id (X-GM-MSGID, a 64-bit unsigned decimal kept as text: it does
   * not fit a JavaScript number), when the server offers X-GM-EXT-1.
   */
  gmMsgId?: string;
  /** Gmail's labels of the message (X-GM-LABELS, decoded), when a scan asked for them. */
  gmLabels?: string[];
}

/**
 * Whether a scan read this message's identity header fields. A lean scan (flags, date and size)
 * leaves the identity empty: no message can be recognised by it, as none is matched by `''`.
 */
export function identityRead(meta: MessageMeta): boolean {
  return meta.identity !== '';
}

/** A message with its raw RFC 822 bytes. */
export interface FetchedMessage {
  uid: number;
  raw: Buffer;
  flags: string[];
  internalDate: Date;
}

/**
 * Where one source message stands: `appending` is an intent whose outcome is not known yet (in
 * doubt after a crash); `copied` and `present` (found already on the destination) are done;
 * `skipped` and `failed` are tried again by the next run.
 */
export type MessageState = 'appending' | 'copied' | 'present' | 'skipped' | 'failed';

/** True when the destination holds the message (`copied` or `present`). */
export function isDone(state: string): boolean {
  return state === 'copied' || state === 'present';
}

/** What the server said about one message: appended (with its destination UID under UIDPLUS) or refused. */
export type AppendOutcome = { ok: true; uid?: number } | { ok: false; text: string; code?: string };
