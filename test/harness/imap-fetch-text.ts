/**
 * Reads and writes the two IMAP texts a FETCH-rewriting proxy touches (RFC 3501 sections 6.4.5 and
 * 7.4.2): the item list of a FETCH command, and the item list of an untagged FETCH response with its
 * literals kept byte for byte. Used by gmail-ext-proxy.ts to add Gmail's X-GM-* items to Dovecot's
 * answers; test-only, and strict only where the proxy needs it (a response it cannot read is passed
 * on untouched by the caller).
 */

/** A FETCH or UID FETCH command split into its parts (`items` without the parentheses). */
export interface FetchCommand {
  /** `FETCH` or `UID FETCH` as the client spelled it. */
  verb: string;
  sequence: string;
  items: string[];
  /** Whatever follows the item list (RFC 7162 `(CHANGEDSINCE n)`), with its leading space. */
  modifiers: string;
}

/** One data item of a FETCH response: its name (`UID`, `BODY[HEADER]`) and its raw bytes. */
export interface FetchItem {
  name: string;
  /** `NAME value` exactly as the server sent it, literals included. */
  raw: Buffer;
  /** Offsets of the value inside `raw`. */
  valueStart: number;
}

/** An untagged `* n FETCH (...)` response. */
export interface FetchResponse {
  seq: number;
  items: FetchItem[];
}

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Reads one item name or atom from `text` at `pos`: brackets are read whole (a section such as
 * `BODY[HEADER.FIELDS (MESSAGE-ID)]` holds spaces and parentheses), then an optional `<partial>`.
 */
function readAtom(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && text[i] !== ' ' && text[i] !== ')' && text[i] !== '(') {
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      i = close === -1 ? text.length : close + 1;
      continue;
    }
    i++;
  }
  return i;
}

/**
 * Splits a FETCH command (the text after the tag) into its parts.
 * @returns undefined when the text is not a FETCH command this reader understands (a literal in it).
 */
export function parseFetchCommand(text: string): FetchCommand | undefined {
  const m = /^((?:UID\s+)?FETCH)\s+(\S+)\s+/i.exec(text);
  if (!m || /\{\d+\+?\}$/.test(text)) return undefined;
  let pos = m[0].length;
  const items: string[] = [];
  if (text[pos] === '(') {
    pos++;
    for (;;) {
      while (text[pos] === ' ') pos++;
      if (pos >= text.length) return undefined;
      if (text[pos] === ')') {
        pos++;
        break;
      }
      const end = readAtom(text, pos);
      if (end === pos) return undefined;
      items.push(text.slice(pos, end));
      pos = end;
    }
  } else {
    const end = readAtom(text, pos);
    items.push(text.slice(pos, end));
    pos = end;
  }
  return { verb: m[1]!, sequence: m[2]!, items, modifiers: text.slice(pos) };
}

/** Writes a FETCH command back (always with a parenthesised item list, RFC 3501 section 6.4.5). */
export function formatFetchCommand(cmd: FetchCommand): string {
  return `${cmd.verb} ${cmd.sequence} (${cmd.items.join(' ')})${cmd.modifiers}`;
}

/** Skips one value (atom, NIL, quoted string, literal or parenthesised list) starting at `pos`. */
function skipValue(buf: Buffer, pos: number): number {
  const c = buf[pos];
  if (c === undefined) throw new Error('FETCH response ends inside a value');
  if (c === 0x28 /* ( */) {
    let i = pos + 1;
    for (;;) {
      while (buf[i] === SP) i++;
      if (buf[i] === undefined) throw new Error('unterminated list in FETCH response');
      if (buf[i] === 0x29 /* ) */) return i + 1;
      i = skipValue(buf, i);
    }
  }
  if (c === 0x22 /* " */) {
    let i = pos + 1;
    while (i < buf.length && buf[i] !== 0x22) i += buf[i] === 0x5c /* \ */ ? 2 : 1;
    if (i >= buf.length) throw new Error('unterminated quoted string in FETCH response');
    return i + 1;
  }
  const literalStart = c === 0x7e /* ~ (RFC 3516 literal8) */ ? pos + 1 : pos;
  if (buf[literalStart] === 0x7b /* { */) {
    const close = buf.indexOf(0x7d /* } */, literalStart);
    const size = Number(
      buf
        .subarray(literalStart + 1, close)
        .toString('latin1')
        .replace('+', ''),
    );
    if (close === -1 || !Number.isInteger(size) || buf[close + 1] !== CR || buf[close + 2] !== LF)
      throw new Error('malformed literal in FETCH response');
    return close + 3 + size;
  }
  let i = pos;
  while (i < buf.length && buf[i] !== SP && buf[i] !== 0x29 && buf[i] !== CR) {
    if (buf[i] === 0x5b /* [ */) {
      const close = buf.indexOf(0x5d /* ] */, i);
      i = close === -1 ? buf.length : close + 1;
      continue;
    }
    i++;
  }
  return i;
}

/**
 * Reads a whole untagged FETCH response (its line, literals and the lines after them, CRLF at the end).
 * @returns undefined when `buf` is not a FETCH response.
 * @throws Error when it is one but is malformed.
 */
export function parseFetchResponse(buf: Buffer): FetchResponse | undefined {
  const head = /^\* (\d+) FETCH \(/i.exec(buf.subarray(0, 40).toString('latin1'));
  if (!head) return undefined;
  const items: FetchItem[] = [];
  let pos = head[0].length;
  for (;;) {
    while (buf[pos] === SP) pos++;
    if (buf[pos] === undefined) throw new Error('FETCH response ends before its closing parenthesis');
    if (buf[pos] === 0x29) break;
    const nameEnd = skipValue(buf, pos);
    const name = buf.subarray(pos, nameEnd).toString('latin1');
    if (buf[nameEnd] !== SP) throw new Error(`FETCH item ${name} has no value`);
    const valueEnd = skipValue(buf, nameEnd + 1);
    items.push({ name, raw: buf.subarray(pos, valueEnd), valueStart: nameEnd + 1 - pos });
    pos = valueEnd;
  }
  return { seq: Number(head[1]), items };
}

/** Writes a FETCH response from raw item bytes (each `NAME value`). */
export function formatFetchResponse(seq: number, items: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`* ${seq} FETCH (`, 'latin1')];
  items.forEach((item, i) => {
    if (i > 0) parts.push(Buffer.from(' '));
    parts.push(item);
  });
  parts.push(Buffer.from(')\r\n', 'latin1'));
  return Buffer.concat(parts);
}

/**
 * The bytes of a string value (literal or quoted string) of an item, e.g. a header section.
 * @returns undefined for NIL or any other kind of value.
 */
export function stringValue(item: FetchItem): Buffer | undefined {
  const v = item.raw.subarray(item.valueStart);
  if (v[0] === 0x22)
    return Buffer.from(
      v
        .subarray(1, v.length - 1)
        .toString('latin1')
        .replace(/\\(.)/g, '$1'),
      'latin1',
    );
  const open = v[0] === 0x7e ? 1 : 0;
  if (v[open] !== 0x7b) return undefined;
  const close = v.indexOf(0x7d);
  return v.subarray(close + 3);
}
