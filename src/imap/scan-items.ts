/**
 * What the two metadata scanners (fetch-pipeline.ts for the copy, scan-pipeline.ts for verify's
 * bursts) read alike from an open folder's untagged responses: its status from EXAMINE, each
 * message's metadata from a scan's FETCH, and the bounds a hostile server must not pass.
 */
import { StoreError } from '../core/errors.js';
import { MAX_UID } from '../core/uid-ranges.js';
import { bodyBuffer, type Body } from '../core/body.js';
import type { MessageMeta } from '../core/messages.js';
import type { ImapResponse } from './imap-response-parser.js';
import { parseInternalDate } from './imap-syntax.js';
import { messageMeta } from './mailbox-reader.js';

/** A header block (the identity fields) larger than this is not a header block. */
export const MAX_HEADER_LITERAL = 1024 * 1024;

/** A FETCH item's value: an atom or number or quoted string (unquoted), a list of atoms, or a literal. */
export type FetchValue = string | string[] | Body | null;

/** Whether a FETCH item's value is a literal (a list of atoms holds strings, a body buffers). */
export function isBody(v: FetchValue | undefined): v is Body {
  return Buffer.isBuffer(v) || (Array.isArray(v) && v.length > 0 && Buffer.isBuffer(v[0]));
}

/** An open folder's status as EXAMINE's untagged responses tell it. */
export interface ScannedStatus {
  messages: number;
  uidValidity?: number;
  uidNext?: number;
  highestModseq?: string;
  /** PERMANENTFLAGS as announced (`\\*` for new keywords), when the server sent them. */
  permanentFlags?: string[];
}

/** Takes EXISTS and the UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and PERMANENTFLAGS codes of an untagged response. */
export function applyStatusResponse(st: ScannedStatus, r: ImapResponse & { kind: 'untagged' }): void {
  if (r.keyword === 'EXISTS' && r.number !== undefined) st.messages = r.number;
  else if (r.keyword === 'OK' && r.code) {
    const n = r.code.args;
    if (r.code.name === 'UIDVALIDITY') st.uidValidity = Number(n);
    else if (r.code.name === 'UIDNEXT') st.uidNext = Number(n);
    else if (r.code.name === 'HIGHESTMODSEQ') st.highestModseq = n;
    else if (r.code.name === 'PERMANENTFLAGS')
      st.permanentFlags = n.replace(/[()]/g, ' ').split(' ').filter(Boolean);
  }
}

/**
 * A FETCH's UID as a number.
 * @throws a protocol error for the folder when it is outside 1..2^32-1
 */
export function checkedUid(raw: FetchValue, address: string, folder: string): number {
  const uid = Number(raw);
  if (!Number.isInteger(uid) || uid < 1 || uid > MAX_UID) {
    throw new StoreError(`${address} sent UID ${String(raw)} in folder "${folder}", outside 1..${MAX_UID}`, {
      kind: 'protocol',
      scope: 'folder',
      hint: 'the server is broken for this folder; report this to its administrator',
    });
  }
  return uid;
}

/**
 * A scanned message's metadata from its FETCH items (flags, date, size, identity headers, Gmail id).
 * @param lean the scan asked for no header fields: the identity stays empty (messageMeta)
 */
export function scannedMeta(
  uid: number,
  size: string,
  items: ReadonlyMap<string, FetchValue>,
  lean = false,
): MessageMeta {
  const headerKey = [...items.keys()].find((k) => k.startsWith('BODY[HEADER.FIELDS'));
  const headers = headerKey ? items.get(headerKey) : undefined;
  const block = typeof headers === 'string' ? headers : isBody(headers) ? bodyBuffer(headers) : '';
  const flags = items.get('FLAGS');
  const date = items.get('INTERNALDATE');
  const meta = messageMeta(
    uid,
    Array.isArray(flags) ? (flags as string[]) : [],
    (typeof date === 'string' ? parseInternalDate(date)?.getTime() : undefined) ?? 0,
    Number(size),
    lean ? undefined : block,
  );
  const gmMsgId = items.get('X-GM-MSGID');
  // A 64-bit decimal: kept as text, a JavaScript number would lose its last digits.
  if (typeof gmMsgId === 'string' && /^\d+$/.test(gmMsgId)) meta.gmMsgId = gmMsgId;
  return meta;
}

/**
 * Room for a literal where only header fields (or nothing) were asked for.
 * @throws a protocol error for the folder when the server announces more than a header block
 */
export function headerRoom(size: number, host: string, where = 'where header fields were asked'): Body {
  if (size > MAX_HEADER_LITERAL) {
    throw new StoreError(`${host} announced a literal of ${size} bytes ${where}`, {
      kind: 'protocol',
      scope: 'folder',
      hint: 'the server sent more than the header fields asked for; report this to its administrator',
    });
  }
  return Buffer.allocUnsafe(size);
}
