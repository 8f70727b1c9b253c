/**
 * Repairs of a message's header section that destinations need (core/repair.ts says when): lines
 * that are not header fields, lines over RFC 5322's 998-character limit, and raw 8-bit bytes that
 * a server without UTF8=ACCEPT (RFC 6855) may refuse or rewrite. Each keeps every character of the
 * text: moved into a field of its own, folded, or carried in RFC 2047 encoded-words. The body is
 * never touched. Bytes are handled as latin1 strings, one character per byte, and line endings
 * are kept as they are (CRLF or a bare LF), so each repair can run before or after the others.
 */

/** The field a line that is not a header field is moved into (RFC 5322 section 3.6.8 optional field). */
export const REPAIRED_HEADER_FIELD = 'X-Mailshift-Repaired-Header';

/** RFC 5322 section 2.1.1: "Each line of characters MUST be no more than 998 characters". */
export const MAX_LINE = 998;

/** A field line: a name of printable ASCII but the colon, optional white space, then the colon (RFC 5322 3.6.8; 4.5.8 allows white space before the colon). */
const FIELD_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
const EIGHT_BIT = /[\x80-\xff]/;

/** One physical line of the header: its text and its line ending (`\r\n`, `\n`, or none at the end). */
interface Line {
  text: string;
  eol: string;
}

/** A message split at the end of its header section: the header lines and the rest (the empty line and the body). */
interface Split {
  lines: Line[];
  rest: Buffer;
}

/** Splits a message at its first empty line (RFC 5322 section 2.1). */
function split(raw: Buffer): Split {
  const lines: Line[] = [];
  let at = 0;
  while (at < raw.length) {
    const nl = raw.indexOf(0x0a, at);
    const end = nl === -1 ? raw.length : nl + 1;
    const line = raw.toString('latin1', at, end);
    const eol = line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
    const text = line.slice(0, line.length - eol.length);
    if (text === '' || text === '\r') break;
    lines.push({ text, eol });
    at = end;
  }
  return { lines, rest: raw.subarray(at) };
}

function join(s: Split): Buffer {
  const head = Buffer.from(s.lines.map((l) => l.text + l.eol).join(''), 'latin1');
  return Buffer.concat([head, s.rest]);
}

const isContinuation = (text: string) => text.startsWith(' ') || text.startsWith('\t');

/** The header section as text (latin1), up to the empty line. */
export function headerSection(raw: Buffer): string {
  return split(raw)
    .lines.map((l) => l.text + l.eol)
    .join('');
}

/** True when a header line is neither a field (`name:`) nor a folded continuation of one. */
export function hasInvalidHeaderLine(raw: Buffer): boolean {
  return split(raw).lines.some((l, i) => !validLine(l.text, i));
}

function validLine(text: string, index: number): boolean {
  return FIELD_LINE.test(text) || (index > 0 && isContinuation(text));
}

/**
 * Moves every header line that is not a field into a field of its own, at the same place:
 * `This line has no colon` becomes `X-Mailshift-Repaired-Header: This line has no colon`. Nothing
 * of it is lost, and the fields around it keep their values.
 */
export function moveInvalidHeaderLines(raw: Buffer): Buffer {
  const s = split(raw);
  let changed = false;
  s.lines = s.lines.map((l, i) => {
    if (validLine(l.text, i)) return l;
    changed = true;
    const sep = isContinuation(l.text) ? '' : ' ';
    return { text: `${REPAIRED_HEADER_FIELD}:${sep}${l.text}`, eol: l.eol };
  });
  return changed ? join(s) : raw;
}

/** True when a header line is longer than 998 characters (its line ending not counted). */
export function hasLongHeaderLine(raw: Buffer): boolean {
  return split(raw).lines.some((l) => lineLength(l.text) > MAX_LINE);
}

/** A line's length without a CR left by a bare-LF ending. */
const lineLength = (text: string) => (text.endsWith('\r') ? text.length - 1 : text.length);

/**
 * Folds header lines longer than 998 characters at white space (RFC 5322 section 2.2.3: a CRLF
 * inserted before white space, which unfolding removes again, so the value is unchanged). A field
 * with a run of over 998 characters without white space cannot be folded: its value is carried in
 * RFC 2047 encoded-words instead, each on a line of its own, which a reader decodes back to the
 * same text (adjacent encoded-words join without the white space between them, RFC 2047 6.2).
 * Fields with no place for an encoded-word (identifiers such as Message-ID, addresses, MIME
 * parameters) are left long: rewriting them would change what they say.
 */
export function foldLongHeaderLines(raw: Buffer): Buffer {
  const s = split(raw);
  const fields = groupFields(s.lines);
  const out: Line[] = [];
  let changed = false;
  for (const f of fields) {
    if (!f.some((l) => lineLength(l.text) > MAX_LINE)) {
      out.push(...f);
      continue;
    }
    const name = fieldName(f[0]!.text);
    const keep = NOT_ENCODED.has(name) || ADDRESS_FIELDS.has(name);
    const lines = foldField(f) ?? (keep ? f : encodeField(f, charsetOf(s.lines)));
    changed ||= lines !== f;
    out.push(...lines);
  }
  if (!changed) return raw;
  s.lines = out;
  return join(s);
}

/** Fields whose value names the message or others: never rewritten in encoded-words. */
const IDENTIFIERS = new Set(['message-id', 'in-reply-to', 'references', 'resent-message-id', 'content-id']);

/** Groups lines into fields: a line and the continuation lines after it. */
function groupFields(lines: Line[]): Line[][] {
  const fields: Line[][] = [];
  for (const l of lines) {
    const last = fields.at(-1);
    if (last && isContinuation(l.text)) last.push(l);
    else fields.push([l]);
  }
  return fields;
}

function fieldName(text: string): string {
  const colon = text.indexOf(':');
  return colon < 0 ? '' : text.slice(0, colon).trim().toLowerCase();
}

/** Folds every over-long line of a field at white space, or undefined when one has none to fold at. */
function foldField(field: Line[]): Line[] | undefined {
  const out: Line[] = [];
  for (const [i, l] of field.entries()) {
    // On the field's first line, never inside the name: white space before the colon is no fold.
    const from = i === 0 ? l.text.indexOf(':') + 1 : 1;
    let text = l.text;
    const cr = text.endsWith('\r') ? '\r' : '';
    if (cr) text = text.slice(0, -1);
    let start = from;
    while (text.length > MAX_LINE) {
      const at = foldPoint(text, start);
      if (at === undefined) return undefined;
      // Folded lines end as the field's lines do: CRLF, or the bare LF a later repair normalises.
      out.push({ text: text.slice(0, at) + cr, eol: l.eol === '' ? '\r\n' : l.eol });
      text = text.slice(at);
      start = 1;
    }
    out.push({ text: text + cr, eol: l.eol });
  }
  return out;
}

/**
 * The last white space at or before 998 where the line may be folded: past `start`, and with more
 * than white space before it (a line of white space alone would end the header).
 */
function foldPoint(text: string, start: number): number | undefined {
  const firstText = text.search(/[^ \t]/);
  for (let i = Math.min(MAX_LINE, text.length - 1); i >= Math.max(start, firstText + 1); i--) {
    if (text[i] === ' ' || text[i] === '\t') return i;
  }
  return undefined;
}

/** A field rewritten as `Name:` and its unfolded value in encoded-words, one per line. */
function encodeField(field: Line[], charset: string): Line[] {
  const first = field[0]!;
  const eol = first.eol === '\n' ? '\n' : '\r\n';
  const colon = first.text.indexOf(':');
  const unfolded = field.map((l) => l.text.replace(/\r$/, '')).join('');
  const value = unfolded.slice(colon + 1).replace(/^[ \t]+/, '');
  const words = encodedWords(Buffer.from(value, 'latin1'), charset);
  const name = first.text.slice(0, colon);
  const last = field.at(-1)!;
  return words.map((w, i) => ({
    text: i === 0 ? `${name}: ${w}` : ` ${w}`,
    eol: i === words.length - 1 ? last.eol : eol,
  }));
}

/** True when the header section holds a byte of 0x80 or above. */
export function has8bitHeader(raw: Buffer): boolean {
  return split(raw).lines.some((l) => EIGHT_BIT.test(l.text));
}

/** Address fields (RFC 5322 section 3.6.2, 3.6.3, 3.6.6; RFC 8098): only their display names are encoded. */
const ADDRESS_FIELDS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'disposition-notification-to',
]);

/**
 * Fields whose syntax holds no place for an encoded-word (RFC 2047 section 5): identifiers, MIME
 * parameters (RFC 2231 is their encoding), trace and signature fields. Their 8-bit bytes stay.
 */
const NOT_ENCODED = new Set([
  ...IDENTIFIERS,
  'content-type',
  'content-disposition',
  'content-transfer-encoding',
  'received',
  'return-path',
  'dkim-signature',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'authentication-results',
]);

/**
 * Carries the raw 8-bit bytes of header fields in RFC 2047 encoded-words (`=?UTF-8?B?...?=`), for a
 * destination that does not announce UTF8=ACCEPT (RFC 6855) and may refuse them or rewrite them as
 * `?`. In text fields (Subject...) the stretch from the first to the last word holding such bytes
 * is encoded, spaces inside it included; in address fields the display names and comments, never
 * an address. The bytes are kept exactly; their charset is UTF-8 when they are valid UTF-8, else
 * the message's own (Content-Type), else UNKNOWN-8BIT (RFC 1428).
 */
export function encode8bitHeaders(raw: Buffer): Buffer {
  const s = split(raw);
  if (!s.lines.some((l) => EIGHT_BIT.test(l.text))) return raw;
  const charset = charsetOf(s.lines);
  const out: Line[] = [];
  let changed = false;
  for (const f of groupFields(s.lines)) {
    const name = fieldName(f[0]!.text);
    if (!f.some((l) => EIGHT_BIT.test(l.text)) || name === '' || NOT_ENCODED.has(name)) {
      out.push(...f);
      continue;
    }
    const first = f[0]!;
    const colon = first.text.indexOf(':');
    const unfolded = f.map((l) => l.text.replace(/\r$/, '')).join('');
    const value = unfolded.slice(colon + 1);
    const encoded = ADDRESS_FIELDS.has(name) ? encodeAddresses(value, charset) : encodeText(value, charset);
    const eol = first.eol === '\n' ? '\n' : '\r\n';
    const cr = f.at(-1)!.text.endsWith('\r') ? '\r' : '';
    // Folded between encoded-words, where the value's own folding was: lines stay short.
    const pieces = `${first.text.slice(0, colon)}:${encoded}`.split(FOLD);
    for (const [i, p] of pieces.entries()) {
      const last = i === pieces.length - 1;
      out.push({ text: (i === 0 ? p : ` ${p}`) + (last ? cr : ''), eol: last ? f.at(-1)!.eol : eol });
    }
    changed = true;
  }
  if (!changed) return raw;
  s.lines = out;
  return join(s);
}

/** Marks where a rewritten value is folded: outside latin1, so no byte of a header can be it. */
const FOLD = '\u0100';

/** Encodes the stretch of a text value from its first to its last word holding 8-bit bytes. */
function encodeText(value: string, charset: string): string {
  const tokens = value.split(/([ \t]+)/);
  const first = tokens.findIndex((t) => EIGHT_BIT.test(t));
  if (first < 0) return value;
  let last = tokens.length - 1;
  while (!EIGHT_BIT.test(tokens[last]!)) last--;
  const before = tokens.slice(0, first).join('');
  const words = encodedWords(Buffer.from(tokens.slice(first, last + 1).join(''), 'latin1'), charset);
  // An encoded-word stands apart from the text around it (RFC 2047 section 5 (1)).
  const lead = before === '' || /[ \t]$/.test(before) ? before : `${before} `;
  const after = tokens.slice(last + 1).join('');
  return `${lead === '' ? ' ' : lead}${words.join(FOLD)}${after}`;
}

/**
 * Encodes the display names and comments of an address list that hold 8-bit bytes: a quoted
 * string becomes encoded-words of its content (RFC 2047 5 (3): never inside quotes), an unquoted
 * phrase its 8-bit stretch; `<...>` and bare addresses (an `@`) stay as they are.
 */
function encodeAddresses(value: string, charset: string): string {
  let out = '';
  let plain = '';
  const flush = () => {
    out += plain
      .split(/([,;:])/)
      .map((piece) => (piece.includes('@') || !EIGHT_BIT.test(piece) ? piece : encodeText(piece, charset)))
      .join('');
    plain = '';
  };
  for (let i = 0; i < value.length;) {
    const c = value[i]!;
    if (c === '"' || c === '(' || c === '<') {
      flush();
      const end = closing(value, i);
      const token = value.slice(i, end);
      i = end;
      if (c === '<' || !EIGHT_BIT.test(token)) {
        out += token;
        continue;
      }
      const inner = token.slice(1, token.endsWith(c === '"' ? '"' : ')') ? -1 : undefined);
      const words = encodedWords(Buffer.from(inner.replace(/\\(.)/g, '$1'), 'latin1'), charset).join(FOLD);
      const space = out === '' || /[ \t]$/.test(out) ? '' : ' ';
      out += c === '"' ? `${space}${words}` : `(${words})`;
      continue;
    }
    plain += c;
    i++;
  }
  flush();
  return out.startsWith(' ') || out === '' ? out : ` ${out}`;
}

/** Where a quoted string, comment (nested) or angle address starting at `i` ends (past its closer). */
function closing(value: string, i: number): number {
  const open = value[i];
  const close = open === '"' ? '"' : open === '(' ? ')' : '>';
  let depth = 0;
  for (let j = i; j < value.length; j++) {
    const c = value[j];
    if (c === '\\' && open !== '<') {
      j++;
      continue;
    }
    if (open === '(' && c === '(') depth++;
    else if (c === close && j > i) {
      if (open !== '(' || --depth === 0) return j + 1;
    }
  }
  return value.length;
}

/** Bytes of one encoded-word's text: 45 bytes are 60 of base64, a word of at most 75 (RFC 2047 2). */
const WORD_BYTES = 45;

/**
 * Bytes as RFC 2047 "B" encoded-words of at most 75 characters, each a whole number of characters
 * for UTF-8 (RFC 2047 section 5: an encoded-word holds whole characters).
 */
export function encodedWords(bytes: Buffer, charset: string): string[] {
  const words: string[] = [];
  const utf8 = charset.toUpperCase() === 'UTF-8';
  for (let at = 0; at < bytes.length;) {
    let end = Math.min(bytes.length, at + WORD_BYTES);
    // Never split a UTF-8 sequence: step back over continuation bytes (10xxxxxx).
    while (utf8 && end < bytes.length && end > at + 1 && (bytes[end]! & 0xc0) === 0x80) end--;
    words.push(`=?${charset}?B?${bytes.subarray(at, end).toString('base64')}?=`);
    at = end;
  }
  return words.length > 0 ? words : [`=?${charset}?B??=`];
}

/**
 * The charset of a header's 8-bit bytes: UTF-8 when they are valid UTF-8 (most mail that has them
 * today), else the charset the message's Content-Type names for its body, else UNKNOWN-8BIT.
 */
function charsetOf(lines: Line[]): string {
  const head = Buffer.from(lines.map((l) => l.text).join('\n'), 'latin1');
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
    return 'UTF-8';
  } catch {
    const type = groupFields(lines).find((f) => fieldName(f[0]!.text) === 'content-type');
    const text = type?.map((l) => l.text).join('') ?? '';
    const m = /charset\s*=\s*"?([A-Za-z0-9._:+-]+)"?/i.exec(text);
    const named = m?.[1];
    return named && !/^(us-ascii|utf-8)$/i.test(named) ? named : 'UNKNOWN-8BIT';
  }
}
