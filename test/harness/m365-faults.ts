/**
 * Microsoft 365 / Exchange Online refusals, armed on the fault proxy (fault-proxy.ts) in front of a
 * Microsoft-365-shaped Dovecot (m365-shape.ts), with the texts Exchange Online sends. Each text is one
 * recorded in a public transcript (fixtures/providers/microsoft365-facts.json gives the sources);
 * what triggers the bad-line replies is not documented by Microsoft, so the triggers here are the
 * ones those reports describe.
 */
import type { FaultHandle, FaultProxy } from './fault-proxy.js';

/** The replies as Exchange Online words them; `{tag}` is the command's tag. */
export const MICROSOFT_REPLIES = {
  /** imapsync issue 198 (NO on APPEND), imap_tools issue 135 (NO on FETCH). */
  throttled: (backoffMs: number, status: 'NO' | 'BAD' = 'NO') =>
    `{tag} ${status} Request is throttled. Suggested Backoff Time: ${backoffMs} milliseconds`,
  /** Follows a throttling BAD before the server closes (email-oauth2-proxy issue 191). */
  connectionClosed: '* BYE Connection closed. 14',
  /** imapsync FAQ.Office365: APPEND over the mailbox's maximum message size. */
  appendTooBig: '{tag} NO Maximum size of appendable message has been exceeded',
  /** Very long lines in an appended message (nextcloud/mail issue 6038, thunderbird-android 1809). */
  commandError10: '{tag} BAD Command Error. 10',
  /** Size, quota, long lines or malformed headers (imapsync FAQ.Office365, issues 161, 285, 389). */
  argumentError11: '{tag} BAD Command Argument Error. 11',
  /** CREATE of a name Exchange keeps for itself, such as `Files` (imapsync FAQ.Office365). */
  reservedName: '{tag} NO Folder name is reserved',
} as const;

/**
 * The message size Exchange Online accepts by default: 35 MB to send, 36 MB to receive, configurable
 * per mailbox up to 150 MB; IMAP migrations are bound by it (Exchange Online limits, Message limits).
 */
export const EXCHANGE_DEFAULT_MAX_MESSAGE_BYTES = 35 * 1024 * 1024;

/** The longest line Exchange Online takes in an appended message, per imapsync's FAQ (10,500). */
export const EXCHANGE_MAX_LINE_LENGTH = 10_500;

/** The longest line of a message, CRLF or LF excluded. */
export function longestLine(data: Buffer): number {
  let longest = 0;
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    const end = nl === -1 ? data.length : nl;
    const len = end - start - (end > start && data[end - 1] === 0x0d ? 1 : 0);
    if (len > longest) longest = len;
    if (nl === -1) return longest;
    start = nl + 1;
  }
}

/**
 * The first line of the header block that is neither a field (`name: value`, RFC 5322 section 2.2)
 * nor a folded continuation (starts with space or tab).
 * @returns its 1-based number, or undefined when every header line is well formed.
 */
export function firstInvalidHeaderLine(data: Buffer): number | undefined {
  const lines = data.toString('latin1').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') return undefined;
    if (i > 0 && /^[ \t]/.test(line)) continue;
    if (!/^[\x21-\x39\x3b-\x7e]+:/.test(line)) return i + 1;
  }
  return undefined;
}

export interface ThrottleOptions {
  /** Which commands are throttled (default APPEND, FETCH and their UID forms). */
  command?: string | RegExp;
  backoffMs: number;
  /** `NO` (as on APPEND and FETCH) or `BAD` (as on a throttled session that is then closed). */
  status?: 'NO' | 'BAD';
  /** Send `* BYE Connection closed. 14` and close after the reply. */
  close?: boolean;
  nth?: number;
  times?: number;
}

/** Answers matching commands with Exchange's throttling reply instead of the server. */
export function armThrottling(proxy: FaultProxy, opts: ThrottleOptions): FaultHandle {
  const reply = MICROSOFT_REPLIES.throttled(opts.backoffMs, opts.status);
  return proxy.onCommand({
    command: opts.command ?? /^(UID\s+)?(APPEND|FETCH)\b/i,
    nth: opts.nth,
    times: opts.times ?? 1,
    action: opts.close
      ? { respond: `${reply}\n${MICROSOFT_REPLIES.connectionClosed}`, close: true }
      : { respond: reply },
  });
}

/** Refuses every APPEND whose message is larger than `maxBytes`, as Exchange Online does. */
export function armSizeLimit(proxy: FaultProxy, maxBytes = EXCHANGE_DEFAULT_MAX_MESSAGE_BYTES): FaultHandle {
  return proxy.onCommand({
    command: 'APPEND',
    literal: (data) => data.length > maxBytes,
    times: Infinity,
    action: { respond: MICROSOFT_REPLIES.appendTooBig },
  });
}

/** Refuses every APPEND holding a line longer than `maxLineLength` (default 10,500). */
export function armLongLineRefusal(
  proxy: FaultProxy,
  opts: { maxLineLength?: number; reply?: 'commandError10' | 'argumentError11' } = {},
): FaultHandle {
  const max = opts.maxLineLength ?? EXCHANGE_MAX_LINE_LENGTH;
  return proxy.onCommand({
    command: 'APPEND',
    literal: (data) => longestLine(data) > max,
    times: Infinity,
    action: { respond: MICROSOFT_REPLIES[opts.reply ?? 'commandError10'] },
  });
}

/** Refuses every APPEND whose header has a line that is neither a field nor a continuation. */
export function armInvalidHeaderRefusal(proxy: FaultProxy): FaultHandle {
  return proxy.onCommand({
    command: 'APPEND',
    literal: (data) => firstInvalidHeaderLine(data) !== undefined,
    times: Infinity,
    action: { respond: MICROSOFT_REPLIES.argumentError11 },
  });
}

/** Refuses CREATE of the names Exchange reserves (`Files` by default). */
export function armReservedFolderNames(proxy: FaultProxy, names: string[] = ['Files']): FaultHandle {
  const alternatives = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return proxy.onCommand({
    command: new RegExp(`^CREATE\\s+"?(${alternatives})"?\\s*$`, 'i'),
    times: Infinity,
    action: { respond: MICROSOFT_REPLIES.reservedName },
  });
}
