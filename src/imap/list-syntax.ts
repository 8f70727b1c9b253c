/**
 * The read side of LIST, STATUS and NAMESPACE responses for mailshift's own connections
 * (folder-listing.ts): RFC 3501's nested lists of atoms, quoted strings, literals and NIL, and the
 * three response shapes built from them. Everything here is pure.
 */
import { bodyBuffer, type Body } from '../core/body.js';
import { LITERAL_MARK } from './imap-response-parser.js';

/** One value of a response: an atom or string, NIL (null), or a parenthesized list. */
export type Sexp = string | null | Sexp[];

/**
 * Reads a response's text as a sequence of values. Literals (marked by NUL, imap-response-parser.ts)
 * are read as UTF-8, as imapflow reads a name sent as a literal.
 * @throws Error on an unbalanced list or an unterminated quoted string
 */
export function parseSexp(text: string, literals: readonly Body[] = []): Sexp[] {
  let i = 0;
  let literal = 0;
  const read = (depth: number): Sexp[] => {
    const out: Sexp[] = [];
    while (i < text.length) {
      const c = text[i]!;
      if (c === ' ') i++;
      else if (c === '(') {
        i++;
        out.push(read(depth + 1));
      } else if (c === ')') {
        if (depth === 0) throw new Error(`unbalanced ")" at ${i}`);
        i++;
        return out;
      } else if (c === '"') out.push(quoted());
      else if (c === LITERAL_MARK) {
        i++;
        const body = literals[literal++];
        if (body === undefined) throw new Error('a literal is missing');
        out.push(bodyBuffer(body).toString('utf8'));
      } else out.push(atom());
    }
    if (depth > 0) throw new Error('unbalanced "("');
    return out;
  };
  const quoted = (): string => {
    let value = '';
    for (i++; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return value;
      }
      value += c === '\\' ? (text[++i] ?? '') : c;
    }
    throw new Error('unterminated quoted string');
  };
  const atom = (): string | null => {
    const start = i;
    while (i < text.length && !' ()"'.includes(text[i]!) && text[i] !== LITERAL_MARK) i++;
    const word = text.slice(start, i);
    return word.toUpperCase() === 'NIL' ? null : word;
  };
  return read(0);
}

/** One `* LIST` line: attributes, delimiter (null for a flat namespace) and the name as sent. */
export interface ListLine {
  flags: string[];
  delimiter: string | null;
  name: string;
}

/**
 * `* LIST (\HasNoChildren \Subscribed) "." "INBOX.Wys&AUI-ane" ("CHILDINFO" (...))`: the
 * extended data after the name (RFC 5258) is left aside.
 * @throws Error when the line is not a mailbox-list
 */
export function parseListLine(text: string, literals: readonly Body[] = []): ListLine {
  const [flags, delimiter, name] = parseSexp(text, literals);
  if (!Array.isArray(flags) || Array.isArray(delimiter) || typeof name !== 'string')
    throw new Error(`not a LIST response: ${text}`);
  return {
    flags: flags.filter((f): f is string => typeof f === 'string'),
    delimiter: delimiter ?? null,
    name,
  };
}

/** One `* STATUS name (MESSAGES 3 UIDNEXT 4 ...)` line: the name as sent and its items, names upper-cased. */
export function parseStatusLine(
  text: string,
  literals: readonly Body[] = [],
): { name: string; items: Map<string, string> } {
  const [name, list] = parseSexp(text, literals);
  if (typeof name !== 'string' || !Array.isArray(list)) throw new Error(`not a STATUS response: ${text}`);
  const items = new Map<string, string>();
  for (let k = 0; k + 1 < list.length; k += 2) {
    const key = list[k];
    const value = list[k + 1];
    if (typeof key === 'string' && typeof value === 'string') items.set(key.toUpperCase(), value);
  }
  return { name, items };
}

/**
 * The first personal namespace of `* NAMESPACE (("INBOX." ".")) NIL NIL` (RFC 2342), or undefined
 * when the server has none.
 */
export function parseNamespaceLine(text: string): { prefix: string; delimiter: string | null } | undefined {
  const [personal] = parseSexp(text);
  const first = Array.isArray(personal) ? personal[0] : undefined;
  if (!Array.isArray(first) || typeof first[0] !== 'string') return undefined;
  const delimiter = first[1];
  return { prefix: first[0], delimiter: typeof delimiter === 'string' ? delimiter : null };
}
