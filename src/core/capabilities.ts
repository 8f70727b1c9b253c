/**
 * What a server's CAPABILITY list (upper-cased atoms, `NAME=value` kept whole) says it can do:
 * read in one place, so the copy, the dry-run report and the write path draw the same conclusions.
 */

/** RFC 7889: a size for the whole server, or "per-folder" when APPENDLIMIT comes without a value. */
export type AppendLimit = number | 'per-folder';

/**
 * The APPENDLIMIT a server announces (RFC 7889), if any.
 * @returns bytes, `per-folder` for a bare APPENDLIMIT, or undefined when there is none.
 */
export function appendLimitOf(capabilities: Iterable<string>): AppendLimit | undefined {
  for (const c of capabilities) {
    const m = /^APPENDLIMIT(?:=(\d+))?$/i.exec(c);
    if (m) return m[1] !== undefined ? Number(m[1]) : 'per-folder';
  }
  return undefined;
}

/** The largest message the whole server accepts (APPENDLIMIT=n), or undefined when it names none. */
export function appendLimitBytes(capabilities: Iterable<string>): number | undefined {
  const limit = appendLimitOf(capabilities);
  return typeof limit === 'number' ? limit : undefined;
}

/** The write modes a destination allows, fastest first (see imap/append-pipeline.ts). */
export function canMultiappend(capabilities: ReadonlySet<string>): boolean {
  return capabilities.has('MULTIAPPEND');
}

/** Non-synchronizing literals (RFC 7888): LITERAL+ for any size, LITERAL- up to 4096 bytes. */
export function nonSyncLiterals(capabilities: ReadonlySet<string>): 'any' | 'small' | 'none' {
  if (capabilities.has('LITERAL+')) return 'any';
  return capabilities.has('LITERAL-') ? 'small' : 'none';
}

/** CONDSTORE (RFC 7162): HIGHESTMODSEQ in STATUS, FETCH ... (CHANGEDSINCE n). */
export function hasCondstore(capabilities: ReadonlySet<string>): boolean {
  return capabilities.has('CONDSTORE') || capabilities.has('QRESYNC');
}

/** The largest message a copy sends, and whose limit it is. */
export interface MessageSizeLimit {
  bytes: number;
  /** `append`: the destination's APPENDLIMIT; `plan`: the plan's `limits.maxMessageSize`. */
  by: 'append' | 'plan';
}

/**
 * The size over which a message is not sent: the smaller of the destination's APPENDLIMIT, when
 * it names one for the whole server (RFC 7889: a bare APPENDLIMIT is set folder by folder and
 * cannot be read ahead), and the plan's own limit. On a tie the destination's is named, since
 * raising the plan's limit would not help.
 * @returns undefined when neither names a size
 */
export function messageSizeLimit(
  appendLimit: AppendLimit | undefined,
  planLimit: number | undefined,
): MessageSizeLimit | undefined {
  const append = typeof appendLimit === 'number' ? appendLimit : undefined;
  if (append !== undefined && (planLimit === undefined || append <= planLimit))
    return { bytes: append, by: 'append' };
  return planLimit !== undefined ? { bytes: planLimit, by: 'plan' } : undefined;
}
