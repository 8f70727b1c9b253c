/**
 * The read side of mailshift's own IMAP connections (append-pipeline.ts, fetch-pipeline.ts): splits
 * the server's byte stream into responses: tagged status lines, continuation requests and untagged
 * lines. Literals are skipped by byte count, or, for the body reader, copied once into the room
 * it provides (blocks of its body pool), with no chunk lists and no concatenation.
 */

import { bodyChunks, type Body } from '../core/body.js';

/** Where kept literals go: room for exactly `size` bytes, which the parser fills in order. */
export type LiteralSink = (size: number) => Body;

/** A response code such as `[APPENDUID 38505 3955]`: name upper-cased, arguments as sent. */
export interface ResponseCode {
  name: string;
  args: string;
}

/** A tagged completion: `tag OK|NO|BAD [code] text`. */
export interface TaggedResponse {
  kind: 'tagged';
  tag: string;
  status: 'OK' | 'NO' | 'BAD';
  code?: ResponseCode;
  text: string;
}

/** One parsed server response. `keyword` of an untagged response is upper-cased (`OK`, `BYE`, `CAPABILITY`, `EXISTS`). */
export type ImapResponse =
  | TaggedResponse
  | {
      kind: 'untagged';
      keyword: string;
      /** The number before the keyword (`* 12 EXISTS`, `* 3 FETCH`), when there is one. */
      number?: number;
      code?: ResponseCode;
      /** The line; with `keepLiterals`, each literal's place is marked by a NUL character. */
      text: string;
      /** With `keepLiterals`: the literals of this response, in order. */
      literals?: Body[];
    }
  | { kind: 'continuation'; text: string }
  | { kind: 'malformed'; line: string };

/** A line longer than this without CRLF means the peer is not an IMAP server (or is broken). */
const MAX_LINE_BYTES = 1024 * 1024;

/** Larger literals are refused when kept: no mail server sends a 1 GiB message, a broken one might announce it. */
const MAX_KEPT_LITERAL = 1024 * 1024 * 1024;

/** Thrown by {@link ImapResponseParser.push} when a response line exceeds 1 MiB. */
export class ResponseTooLongError extends Error {}

/** Marks a literal's place in a response's text when literals are kept (NUL never occurs in IMAP text). */
export const LITERAL_MARK = '\u0000';

/**
 * Incremental parser: feed it socket chunks, get back the complete responses they finish.
 * Literals (`{n}` at the end of an untagged line, RFC 3501 section 4.3) are skipped without copying,
 * or kept when `keepLiterals` is set; the text before and after them is joined into the one response.
 */
export class ImapResponseParser {
  private rest: Buffer = Buffer.alloc(0);
  private skip = 0;
  private partial = '';
  /** The literal being received, when literals are kept: its pieces, and where the next byte goes. */
  private capture?: { pieces: readonly Buffer[]; piece: number; at: number };
  private literals: Body[] = [];

  /** @param keepLiterals where kept literals go: room for exactly the given size (absent: literals are skipped). */
  constructor(private readonly keepLiterals?: LiteralSink) {}

  /** Bytes received but not yet part of a complete response (STARTTLS must see none). */
  get buffered(): number {
    return this.rest.length + this.skip + this.partial.length;
  }

  /**
   * Consumes one chunk. The chunk is not retained: the caller may reuse its memory once this returns
   * (the connection reads every socket into one reused buffer).
   * @returns the responses completed by this chunk, in order.
   * @throws ResponseTooLongError when a line grows past 1 MiB.
   */
  push(chunk: Buffer): ImapResponse[] {
    const out: ImapResponse[] = [];
    let pos = 0;
    if (this.rest.length > 0) {
      // Finish the unfinished line first, joining only its own bytes (not the whole chunk).
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        this.keepRest(Buffer.concat([this.rest, chunk]));
        return out;
      }
      const head = Buffer.concat([this.rest, chunk.subarray(0, nl + 1)]);
      this.rest = EMPTY;
      this.consume(head, 0, out);
      pos = nl + 1;
    }
    pos = this.consume(chunk, pos, out);
    // Keep only the unfinished tail, copied: the chunk's memory is the caller's.
    this.keepRest(pos < chunk.length ? Buffer.from(chunk.subarray(pos)) : EMPTY);
    return out;
  }

  private keepRest(rest: Buffer): void {
    this.rest = rest;
    if (this.rest.length + this.partial.length > MAX_LINE_BYTES) {
      throw new ResponseTooLongError(`server sent a response line longer than ${MAX_LINE_BYTES} bytes`);
    }
  }

  /** Parses `data` from `pos` up to its last complete line (or literal byte). @returns where it stopped. */
  private consume(data: Buffer, pos: number, out: ImapResponse[]): number {
    while (pos < data.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - pos);
        if (this.capture) this.copyIn(data, pos, pos + n);
        pos += n;
        this.skip -= n;
        continue;
      }
      const nl = data.indexOf(0x0a, pos);
      if (nl < 0) break;
      const end = nl > pos && data[nl - 1] === 0x0d ? nl - 1 : nl;
      const line = data.toString('utf8', pos, end);
      pos = nl + 1;
      // Only untagged data responses carry literals; a tagged or continuation line ending in
      // `{5}` is plain human-readable text.
      const literal = this.partial !== '' || line.startsWith('* ') ? /\{(\d+)\+?\}$/.exec(line) : null;
      if (literal) {
        this.skip = Number(literal[1]);
        this.partial += line.slice(0, literal.index);
        if (this.keepLiterals) {
          if (this.skip > MAX_KEPT_LITERAL) {
            throw new ResponseTooLongError(`server announced a literal of ${this.skip} bytes`);
          }
          this.partial += LITERAL_MARK;
          const room = this.keepLiterals(this.skip);
          this.capture = { pieces: bodyChunks(room), piece: 0, at: 0 };
          this.literals.push(room);
        }
        continue;
      }
      const response = parseLine(this.partial + line);
      if (this.literals.length > 0) {
        if (response.kind === 'untagged') response.literals = this.literals;
        this.literals = [];
        this.capture = undefined;
      }
      out.push(response);
      this.partial = '';
    }
    return pos;
  }

  /** Copies `data[from, to)` into the literal being received, piece after piece. */
  private copyIn(data: Buffer, from: number, to: number): void {
    const c = this.capture!;
    while (from < to) {
      const piece = c.pieces[c.piece]!;
      const n = Math.min(to - from, piece.length - c.at);
      data.copy(piece, c.at, from, from + n);
      from += n;
      c.at += n;
      if (c.at === piece.length) {
        c.piece++;
        c.at = 0;
      }
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** Splits `[NAME args] text` into code and text; text without a leading `[` has no code. */
function splitCode(s: string): { code?: ResponseCode; text: string } {
  if (!s.startsWith('[')) return { text: s };
  const close = s.indexOf(']');
  if (close < 0) return { text: s };
  const inner = s.slice(1, close);
  const sp = inner.indexOf(' ');
  const name = (sp < 0 ? inner : inner.slice(0, sp)).toUpperCase();
  const args = sp < 0 ? '' : inner.slice(sp + 1);
  return { code: { name, args }, text: s.slice(close + 1).trimStart() };
}

const STATUS_WORDS = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);

function parseLine(line: string): ImapResponse {
  if (line.startsWith('+')) return { kind: 'continuation', text: line.slice(2) };
  if (line.startsWith('* ')) {
    const rest = line.slice(2);
    const m = /^(?:(\d+) )?([A-Za-z0-9.=-]+) ?(.*)$/s.exec(rest);
    if (!m) return { kind: 'malformed', line };
    const keyword = (m[2] ?? '').toUpperCase();
    const tail = m[3] ?? '';
    if (STATUS_WORDS.has(keyword)) return { kind: 'untagged', keyword, ...splitCode(tail) };
    return { kind: 'untagged', keyword, text: tail, ...(m[1] ? { number: Number(m[1]) } : {}) };
  }
  const m = /^([^ ]+) (OK|NO|BAD)(?: (.*))?$/is.exec(line);
  if (!m) return { kind: 'malformed', line };
  const status = (m[2] ?? '').toUpperCase() as TaggedResponse['status'];
  return { kind: 'tagged', tag: m[1] ?? '', status, ...splitCode(m[3] ?? '') };
}

/**
 * Expands a UIDPLUS uid-set (RFC 4315: `5`, `5:9`, `5:7,9`; a range's ends in either order) into UIDs in
 * the order the server lists them.
 * @param limit largest number of UIDs expected; a set that expands beyond it is refused.
 * @returns the UIDs, or undefined when the text is not a valid uid-set or is too large.
 */
export function parseUidSet(text: string, limit: number): number[] | undefined {
  const uids: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b < 1 || a > 0xffffffff || b > 0xffffffff) return undefined;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (uids.length + (hi - lo + 1) > limit) return undefined;
    for (let u = lo; u <= hi; u++) uids.push(u);
  }
  return uids;
}

/** Parses the capability atoms of a `CAPABILITY` response or response code into an upper-cased set. */
export function parseCapabilities(text: string): Set<string> {
  return new Set(
    text
      .split(' ')
      .filter((s) => s !== '')
      .map((s) => s.toUpperCase()),
  );
}
