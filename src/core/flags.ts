/**
 * Flag rules shared by the copy, verify and the reports. `\Recent` belongs to the session that
 * first sees a message: no client can set it (RFC 3501 section 2.3.2), so it is never copied,
 * stored or compared. Flag names compare case-insensitively (RFC 3501 section 9, `flag-keyword`
 * is an atom; servers fold system flags), so every rule here does.
 */

/** True for `\Recent`, in any case. */
export function isRecent(flag: string): boolean {
  return flag.toLowerCase() === '\\recent';
}

/** The flags a client may set (APPEND, STORE): all but `\Recent`. */
export function storableFlags(flags: readonly string[]): string[] {
  return flags.filter((f) => !isRecent(f));
}

/** The storable flags, lower-cased, sorted and without repeats: the form flags are compared in. */
export function comparableFlags(flags: readonly string[]): string[] {
  return [...new Set(storableFlags(flags).map((f) => f.toLowerCase()))].sort();
}

/** True when both lists hold the same storable flags, whatever their order and case. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return comparableFlags(a).join(' ') === comparableFlags(b).join(' ');
}

/**
 * Splits flags into those a destination folder keeps and those it would drop, by its
 * PERMANENTFLAGS (RFC 3501 section 7.1: `\*` admits any new keyword). An empty PERMANENTFLAGS
 * says nothing (read-only sessions answer so), and then everything storable is kept.
 */
export function keepable(
  flags: readonly string[],
  permanentFlags: readonly string[],
): { kept: string[]; dropped: string[] } {
  const storable = storableFlags(flags);
  if (permanentFlags.length === 0) return { kept: storable, dropped: [] };
  const anyKeyword = permanentFlags.includes('\\*');
  const allowed = new Set(permanentFlags.map((f) => f.toLowerCase()));
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const f of storable) {
    const ok = allowed.has(f.toLowerCase()) || (anyKeyword && !f.startsWith('\\'));
    (ok ? kept : dropped).push(f);
  }
  return { kept, dropped };
}
