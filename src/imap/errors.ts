/**
 * Which IMAP failures are worth a retry (a lost or stalled connection, throttling) and how long
 * to wait when the server says so. Everything else is a refusal to report, not to repeat.
 */
import { MailshiftError } from '../core/errors.js';
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

/** Server words for "slow down" (RFC 5530 codes, "too many connections", Microsoft 365's throttling). */
const BUSY = /\[(LIMIT|UNAVAILABLE|THROTTLED)\]|Too many (simultaneous )?connections|Request is throttled/i;

function throttled(text: string): Transient {
  return { kind: 'throttled', waitMs: suggestedBackoff(text) };
}

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
  if (err instanceof MailshiftError) {
    // A (re)connect that failed on the way (refused, reset, BYE); login, TLS and DNS failures are final.
    if (err.code !== 'CONN_FAILED') return undefined;
    return classifyTransient(err.cause) ?? { kind: 'connection' };
  }
  if (err instanceof AppendError) {
    if (err.kind === 'throttled' || err.kind === 'unavailable') {
      return { kind: 'throttled', waitMs: suggestedBackoff(err.message) };
    }
    if (err.kind === 'connection')
      return BUSY.test(err.message) ? throttled(err.message) : { kind: 'connection' };
    return undefined;
  }
  const e = (err ?? {}) as {
    code?: string;
    message?: string;
    responseText?: string;
    serverResponseCode?: string;
    throttleReset?: number;
    throttleWaited?: number;
  };
  const text = `${e.message ?? ''} ${e.responseText ?? ''}`;
  if (e.code === 'ETHROTTLE' && typeof e.throttleReset === 'number') {
    // imapflow already waited part of the suggested time before failing the command.
    return { kind: 'throttled', waitMs: Math.max(0, e.throttleReset - (e.throttleWaited ?? 0)) };
  }
  if (/^(LIMIT|UNAVAILABLE|THROTTLED|INUSE)$/i.test(responseCode(err) ?? '')) return throttled(text);
  if (BUSY.test(text) || suggestedBackoff(text) !== undefined) return throttled(text);
  if (e.code && CONNECTION_CODES.has(e.code)) return { kind: 'connection' };
  if (/connection (not available|closed|lost|reset)|socket (hang up|closed)|timed? ?out/i.test(text)) {
    return { kind: 'connection' };
  }
  return undefined;
}

/**
 * The response code (RFC 5530) of an imapflow command error: `serverResponseCode` where imapflow
 * sets it, else read from the parsed tagged response (FETCH errors carry only that).
 */
function responseCode(err: unknown): string | undefined {
  const e = (err ?? {}) as {
    serverResponseCode?: string;
    response?: { attributes?: { section?: { value?: unknown }[] }[] };
  };
  if (e.serverResponseCode) return e.serverResponseCode;
  const value = typeof e.response === 'object' ? e.response?.attributes?.[0]?.section?.[0]?.value : undefined;
  return typeof value === 'string' ? value.toUpperCase() : undefined;
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

/**
 * An error that {@link classifyTransient} takes for a lost connection, for calls whose only fault is
 * that the connection went away under them.
 */
export function connectionLost(what: string, cause?: unknown): Error {
  const err = new Error(`${what}: the connection was lost`, cause === undefined ? undefined : { cause });
  return Object.assign(err, { code: 'NoConnection' });
}

/** True when the destination refused to store a message because the account is over its quota (RFC 9208). */
export function isOverQuota(err: unknown): boolean {
  if (err instanceof AppendError) return err.kind === 'overquota';
  const e = (err ?? {}) as { responseText?: string };
  return responseCode(err) === 'OVERQUOTA' || /\[OVERQUOTA\]/i.test(e.responseText ?? '');
}
