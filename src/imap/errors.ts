/**
 * Which IMAP failures are worth a retry (a lost or stalled connection, throttling) and how long
 * to wait when the server says so. Everything else is a refusal to report, not to repeat.
 */
import { AppendError } from './append-pipeline.js';

/** A retryable failure, with the wait the server asked for when it did. */
export interface Transient {
  kind: 'connection' | 'throttled';
  waitMs?: number;
}

const CONNECTION_CODES = new Set([
  'NoConnection',
  'EConnectionClosed',
  'ETIMEOUT',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ConnectionTimeout',
  'GreetingTimeout',
  'SocketTimeout',
  'ProtocolError',
]);

/** Parses "Suggested Backoff Time: N milliseconds" (Microsoft 365) from a server's text. */
export function suggestedBackoff(text: string): number | undefined {
  const m = /Suggested Backoff Time:\s*(\d+)\s*milliseconds/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Classifies an error as transient (retry after a wait) or not.
 * @returns the transient kind, or undefined for errors that a retry would not fix.
 */
export function classifyTransient(err: unknown): Transient | undefined {
  if (err instanceof AppendError) {
    if (err.kind === 'connection') return { kind: 'connection' };
    if (err.kind === 'throttled') return { kind: 'throttled', waitMs: suggestedBackoff(err.message) };
    return undefined;
  }
  const e = (err ?? {}) as {
    code?: string;
    message?: string;
    responseText?: string;
    serverResponseCode?: string;
  };
  const text = `${e.message ?? ''} ${e.responseText ?? ''}`;
  if (e.serverResponseCode && /^(LIMIT|UNAVAILABLE|THROTTLED|INUSE)$/i.test(e.serverResponseCode)) {
    return { kind: 'throttled', waitMs: suggestedBackoff(text) };
  }
  if (/\[(LIMIT|UNAVAILABLE|THROTTLED)\]|Too many (simultaneous )?connections/i.test(text)) {
    return { kind: 'throttled', waitMs: suggestedBackoff(text) };
  }
  if (e.code && CONNECTION_CODES.has(e.code)) return { kind: 'connection' };
  if (/connection (not available|closed|lost|reset)|socket (hang up|closed)|timed? ?out/i.test(text)) {
    return { kind: 'connection' };
  }
  return undefined;
}

/** True for a server's NO or BAD answer to a command (imapflow's, or our appender's folder errors). */
export function isServerRefusal(err: unknown): boolean {
  if (err instanceof AppendError) return err.kind === 'trycreate' || err.kind === 'protocol';
  const e = (err ?? {}) as { responseStatus?: string };
  return e.responseStatus === 'NO' || e.responseStatus === 'BAD';
}

/** The server's own words from a refusal, for people. */
export function refusalText(err: unknown): string {
  const e = err as { message?: string; responseText?: string; executedCommand?: string };
  const cmd = e.executedCommand ? ` (${e.executedCommand.split(' ').slice(0, 2).join(' ')})` : '';
  return `${e.responseText ?? e.message ?? String(err)}${cmd}`;
}
