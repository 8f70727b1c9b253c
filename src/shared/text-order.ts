/**
 * The order of identifiers in lists people read (accounts in a summary): by UTF-16 code units, the
 * same on every machine, and the order of the state's `ORDER BY id` (SQLite compares UTF-8 bytes:
 * the same order but for characters beyond U+FFFF). localeCompare would start ICU's collator
 * (~10 ms of a command's end) and follow the machine's locale.
 */
export function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
