/**
 * The write side of mailshift's own APPEND client (see append-pipeline.ts): how mailbox names, strings,
 * flags and dates are spelled in a command. Everything here is pure.
 */
import type { Body } from '../core/body.js';
import { isRecent } from '../core/flags.js';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../shared/modified-utf7.js';

/** A piece of a command: text as is, or a literal whose `{n}` / `{n+}` form the connection chooses. */
export type CommandPart = string | { literal: Body };

/**
 * Encodes a decoded mailbox name (Unicode, with the server's delimiter) for the wire: modified UTF-7
 * (RFC 3501 section 5.1.3) as a quoted string.
 * @returns the command parts (always one quoted string: modified UTF-7 is printable ASCII).
 */
export function mailboxArgument(name: string): CommandPart[] {
  return astring(encodeModifiedUtf7(name));
}

/**
 * Whether a folder name as a server listed it (its wire form, `listedAs`) comes back unchanged when
 * its decoded name is sent: valid modified UTF-7 in its one spelling (RFC 3501 section 5.1.3), or
 * valid UTF-8 once UTF8=ACCEPT is enabled (RFC 6855). A bare 8-bit byte, an `&` run left open or
 * two encoded runs side by side decode to a name that, encoded again, names another folder or none.
 */
export function namesItselfBack(listedAs: string, utf8Accept: boolean): boolean {
  if (listedAs.toUpperCase() === 'INBOX') return true;
  // Printable ASCII without `&` stands for itself in modified UTF-7 and in UTF-8 (most names).
  if (/^[\x20-\x25\x27-\x7e]*$/.test(listedAs)) return true;
  // imapflow reads a name sent as a literal as UTF-8: bytes that are not become U+FFFD.
  if (utf8Accept) return !listedAs.includes('\uFFFD');
  return encodeModifiedUtf7(decodeModifiedUtf7(listedAs)) === listedAs;
}

/**
 * Spells a string argument: quoted (with `"` and `\` escaped) when every byte may appear in a quoted
 * string, a literal otherwise (NUL, CR, LF or 8-bit bytes, RFC 3501 section 4.3).
 */
export function astring(value: string | Buffer): CommandPart[] {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const quotable = bytes.every((b) => b !== 0 && b !== 0x0a && b !== 0x0d && b < 0x80);
  if (!quotable) return [{ literal: bytes }];
  return [`"${bytes.toString('latin1').replace(/[\\"]/g, (c) => `\\${c}`)}"`];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Formats an INTERNALDATE as `"dd-Mon-yyyy hh:mm:ss +0000"` (RFC 3501 date-time, in UTC).
 * @returns the quoted date-time, or undefined for an invalid Date or a year outside 1-9999.
 */
export function formatInternalDate(date: Date): string | undefined {
  const t = date.getTime();
  if (Number.isNaN(t)) return undefined;
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `"${p2(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${String(year).padStart(4, '0')} ` +
    `${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())} +0000"`
  );
}

/**
 * Reads an INTERNALDATE as a server sends it (`dd-Mon-yyyy hh:mm:ss +zzzz`, day possibly
 * space-padded; RFC 3501 date-time).
 * @returns the instant, or undefined when the text is not such a date.
 */
export function parseInternalDate(text: string): Date | undefined {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === (m[2] ?? '').toLowerCase());
  if (month < 0) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(utc - offset);
}

const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]),
);

/** atom-char of RFC 3501: printable ASCII except `( ) { SP % * " \ ]`. */
const ATOM = /^[\x21\x23\x24\x26-\x27\x2b-\x5b\x5e-\x7a\x7c-\x7e]+$/;

/** What {@link checkFlags} made of a flag list. */
export type FlagCheck = { ok: true; list: string } | { ok: false; text: string };

/**
 * Validates and spells an APPEND flag list. `\Recent` is dropped (RFC 3501: it cannot be set by a
 * client). Anything the server would answer with BAD is refused here instead, because Dovecot
 * does not skip the non-synchronizing literal of a command it answers BAD: it reads the message
 * body as commands.
 * @returns `( ... )` followed by a space, `''` for no flags, or the reason the list cannot be sent.
 */
export function checkFlags(flags: readonly string[]): FlagCheck {
  const out: string[] = [];
  for (const flag of flags) {
    if (flag.startsWith('\\')) {
      const lower = flag.toLowerCase();
      if (isRecent(flag)) continue;
      const system = SYSTEM_FLAGS.get(lower);
      if (!system) return { ok: false, text: `"${flag}" is not a system flag an APPEND can set` };
      if (!out.includes(system)) out.push(system);
    } else if (ATOM.test(flag)) {
      if (!out.includes(flag)) out.push(flag);
    } else {
      return { ok: false, text: `keyword "${flag}" is not a valid IMAP atom` };
    }
  }
  return { ok: true, list: out.length === 0 ? '' : `(${out.join(' ')}) ` };
}
