/**
 * INTERNALDATE comparison of a matched pair. IMAP carries INTERNALDATE with one-second
 * resolution (RFC 3501 date-time), so two dates are the same when they name the same second,
 * whatever time zone each server shows them in.
 */

/** True when two INTERNALDATEs (milliseconds since the epoch) name different seconds. */
export function datesDiffer(source: number, dest: number): boolean {
  return Math.floor(source / 1000) !== Math.floor(dest / 1000);
}
