/**
 * Modified UTF-7, the spelling of non-ASCII mailbox names on the wire (RFC 3501 section 5.1.3;
 * RFC 9051 section 5.1.3 keeps it for clients without UTF8=ACCEPT). Printable ASCII stands for
 * itself, `&` is written `&-`, and every other run of characters is `&`, its UTF-16BE code units in
 * base64 (`,` for `/`, no padding), then `-`.
 *
 * Written here rather than taken from iconv-lite: its codec loads every encoding it has (half a
 * megabyte of code, ~25 ms of each command's start) for these few lines.
 */

/** A run of characters that modified UTF-7 cannot write directly, or the one `&`. */
const ENCODED = /&|[^\x20-\x7e]+/g;

/** `&`, a run of modified base64, and the `-` that ends it (left out at the end of some names). */
const RUN = /&([A-Za-z0-9+,/]*)(-?)/g;

/** A mailbox name (Unicode) in modified UTF-7. */
export function encodeModifiedUtf7(name: string): string {
  return name.replace(ENCODED, (run) => (run === '&' ? '&-' : `&${base64Utf16(run)}-`));
}

/**
 * A mailbox name in modified UTF-7 decoded. Lenient, as mail clients are: a run without its `-`
 * ends at the first character base64 cannot hold, a lone `&` is dropped, characters outside runs
 * are kept as they are. `namesItselfBack` (src/imap) tells a name in its one spelling from others.
 */
export function decodeModifiedUtf7(wire: string): string {
  if (!wire.includes('&')) return wire;
  return wire.replace(RUN, (_all, b64: string, minus: string) =>
    b64 === '' ? (minus ? '&' : '') : fromBase64Utf16(b64),
  );
}

function base64Utf16(run: string): string {
  return Buffer.from(run, 'utf16le').swap16().toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

function fromBase64Utf16(b64: string): string {
  const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
  // An odd byte left at the end of a malformed run is no code unit: dropped.
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  return Buffer.from(even).swap16().toString('utf16le');
}
