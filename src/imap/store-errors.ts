/**
 * Turns whatever the IMAP layer meets (imapflow's errors, Node's socket errors, a server's tagged
 * NO or BAD on mailshift's own connections) into the one {@link StoreError} of the store seam.
 * This module alone knows how a failure looks below the seam; above it only `kind` counts.
 */
import { describeServer, type Endpoint } from '../core/endpoint.js';
import { MailshiftError, StoreError, type StoreErrorKind } from '../core/errors.js';

/** Socket and imapflow codes that mean the connection is gone (a new one may work). */
const CONNECTION_CODES = new Set([
  'NoConnection',
  'EConnectionClosed',
  'ETIMEOUT',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ConnectionTimeout',
  'GreetingTimeout',
  'SocketTimeout',
  'ProtocolError',
]);

/** imapflow's codes for a server that exceeded its limits (maxLineLength, maxLiteralSize...). */
const LIMIT_CODES = new Set(['LineTooLarge', 'LiteralTooLarge', 'ResponseTooLarge', 'TooManyTokens']);

/**
 * Response codes that ask a client to slow down or come back later: RFC 5530's LIMIT, UNAVAILABLE
 * and INUSE; THROTTLED as Microsoft 365 and Gmail word it.
 */
const THROTTLE_CODES = new Set(['LIMIT', 'UNAVAILABLE', 'THROTTLED', 'INUSE']);

/**
 * Server words for "slow down" without a response code: Dovecot's and Gmail's "Too many
 * (simultaneous) connections" BYE, Microsoft 365's "Request is throttled".
 */
const BUSY_TEXT = /Too many (simultaneous )?connections|Request is throttled/i;

/** Parses "Suggested Backoff Time: N milliseconds" (Microsoft 365) from a server's text. */
export function suggestedBackoff(text: string): number | undefined {
  const m = /Suggested Backoff Time:\s*(\d+)\s*milliseconds/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** True when a server's text or response code asks to slow down. */
export function isThrottling(code: string | undefined, text: string): boolean {
  return (
    (code !== undefined && THROTTLE_CODES.has(code.toUpperCase())) ||
    BUSY_TEXT.test(text) ||
    suggestedBackoff(text) !== undefined
  );
}

/**
 * True when a reply to an APPEND asks to slow down for the whole account. RFC 5530's LIMIT alone
 * does not: on an APPEND it names a limit this one message ran into (Dovecot's `NO [LIMIT] Mail size
 * is larger than the maximum size allowed`), so it stays that message's refusal unless the words
 * say throttling.
 */
export function isAppendThrottling(code: string | undefined, text: string): boolean {
  if (code?.toUpperCase() === 'LIMIT') return BUSY_TEXT.test(text) || suggestedBackoff(text) !== undefined;
  return isThrottling(code, text);
}

/**
 * The kind of a server's NO or BAD: over quota (RFC 9208), throttling (RFC 5530 and providers'
 * words), or a refusal of this one command.
 */
export function refusalKind(code: string | undefined, text: string): StoreErrorKind {
  if (code?.toUpperCase() === 'OVERQUOTA' || /\[OVERQUOTA\]/i.test(text)) return 'overquota';
  if (isThrottling(code, text)) return 'throttled';
  return 'refused';
}

/**
 * A store error for a server's tagged NO or BAD to a command.
 * @param what what was being done, naming the folder ("opening source folder \"Kosz\"")
 */
export function refusalError(
  what: string,
  reply: { status: string; text: string; code?: string | { name: string } },
  cause?: unknown,
): StoreError {
  const code = typeof reply.code === 'object' ? reply.code.name : reply.code;
  const kind = refusalKind(code, reply.text);
  return new StoreError(`${what}: ${reply.status} ${code ? `[${code}] ` : ''}${reply.text}`, {
    kind,
    responseCode: code ?? reply.status,
    serverText: reply.text,
    ...(kind === 'throttled' ? { waitMs: suggestedBackoff(reply.text) } : {}),
    cause,
  });
}

/** The loss of a connection under a call, for calls whose only fault is that it went away. */
export function connectionLost(what: string, cause?: unknown): StoreError {
  return new StoreError(`${what}: the connection was lost`, { kind: 'connection', cause });
}

/** The fields imapflow puts on its errors (lib/imap-flow.js, lib/tools.js). */
interface ImapflowError {
  code?: string;
  message?: string;
  responseText?: string;
  responseStatus?: string;
  serverResponseCode?: string;
  executedCommand?: string;
  throttleReset?: number;
  throttleWaited?: number;
  authenticationFailed?: boolean;
  response?: { attributes?: { section?: { value?: unknown }[] }[] };
}

/**
 * The response code of an imapflow command error: `serverResponseCode` where imapflow sets it,
 * else read from the parsed tagged response (FETCH errors carry only that).
 */
function imapflowCode(e: ImapflowError): string | undefined {
  if (e.serverResponseCode) return e.serverResponseCode.toUpperCase();
  const value = typeof e.response === 'object' ? e.response?.attributes?.[0]?.section?.[0]?.value : undefined;
  return typeof value === 'string' ? value.toUpperCase() : undefined;
}

/**
 * Translates an error from an imapflow call (or a Node socket) into a store error.
 * @param what the call, for the message ("STATUS INBOX")
 * @param usable whether the connection is still usable after the failure
 */
export function fromImapflow(err: unknown, what: string, usable = true): StoreError {
  if (err instanceof StoreError) return err;
  const e = (err ?? {}) as ImapflowError;
  const text = `${e.responseText ?? ''} ${e.message ?? ''}`.trim();
  if (e.code === 'ETHROTTLE' && typeof e.throttleReset === 'number') {
    // imapflow already waited part of the suggested time before failing the command.
    return new StoreError(`${what}: the server asks to slow down (${text})`, {
      kind: 'throttled',
      waitMs: Math.max(0, e.throttleReset - (e.throttleWaited ?? 0)),
      serverText: e.responseText,
      cause: err,
    });
  }
  if (e.code !== undefined && LIMIT_CODES.has(e.code)) {
    return new StoreError(`${what}: the server sent more than this client accepts (${e.code}: ${text})`, {
      kind: 'protocol',
      responseCode: e.code,
      hint: 'the server is broken or hostile; report this to its administrator with the run log',
      cause: err,
    });
  }
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
    const cmd = e.executedCommand ? ` (${e.executedCommand.split(' ').slice(0, 2).join(' ')})` : '';
    return refusalError(
      `${what}${cmd}`,
      { status: e.responseStatus, text: e.responseText ?? e.message ?? '', code: imapflowCode(e) },
      err,
    );
  }
  if (isThrottling(imapflowCode(e), text)) {
    return new StoreError(`${what}: the server asks to slow down (${text})`, {
      kind: 'throttled',
      waitMs: suggestedBackoff(text),
      cause: err,
    });
  }
  if (
    !usable ||
    (e.code !== undefined && CONNECTION_CODES.has(e.code)) ||
    /connection (not available|closed|lost|reset)|socket (hang up|closed)|timed? ?out/i.test(text)
  ) {
    return new StoreError(`${what}: the connection was lost (${text || e.code || 'closed'})`, {
      kind: 'connection',
      responseCode: e.code,
      cause: err,
    });
  }
  return new StoreError(`${what}: ${text || String(err)}`, {
    kind: 'protocol',
    responseCode: e.code,
    cause: err,
  });
}

/**
 * Classifies a connection or login failure of one endpoint, naming the server, the user and what
 * to check. A refused or reset connection may be retried; an unknown host, a certificate, a
 * missing STARTTLS or a refused login will not get better by trying again.
 */
export function connectError(e: Endpoint, err: unknown): MailshiftError {
  // The plan's own errors (a secret that cannot be read) are already worded for people.
  if (err instanceof MailshiftError && !(err instanceof StoreError)) return err;
  const any = (err ?? {}) as ImapflowError & { kind?: StoreErrorKind };
  const where = `${describeServer(e)} for ${e.user}`;
  const msg = `${any.message ?? ''} ${any.responseText ?? ''}`;
  const kind = err instanceof StoreError ? err.kind : undefined;
  if (
    kind === 'auth' ||
    any.authenticationFailed ||
    /AUTHENTICATIONFAILED|authentication failed|LOGIN failed/i.test(msg)
  ) {
    return new StoreError(`login refused by ${where}`, {
      kind: 'auth',
      hint: `check the ${e.side} user name and password of this account in the plan; a token (tokenFile, tokenCommand) is read again on every connect: refresh it and run again`,
      cause: err,
    });
  }
  if (/STARTTLS/i.test(msg)) {
    return new StoreError(`${where}: STARTTLS was requested but the server does not offer it`, {
      kind: 'tls',
      code: 'CONN_STARTTLS',
      hint: `use security: tls (usually port 993), or security: none only on a trusted network`,
      cause: err,
    });
  }
  if (
    kind === 'tls' ||
    /certificate|self[- ]signed|CERT_|unable to verify|altnames/i.test(msg) ||
    /CERT|SELF_SIGNED/.test(any.code ?? '')
  ) {
    return new StoreError(`TLS certificate of ${where} could not be verified: ${any.message ?? ''}`, {
      kind: 'tls',
      hint: `if you trust this server, set ${e.side}.tlsVerify: false in the plan (only for that server)`,
      cause: err,
    });
  }
  if (any.code === 'ENOTFOUND' || any.code === 'EAI_AGAIN') {
    return new StoreError(`unknown host ${e.server.host} (${e.side} server)`, {
      kind: 'connection',
      final: true,
      code: 'CONN_UNKNOWN_HOST',
      hint: `check ${e.side}.host in the plan and the machine's DNS`,
      cause: err,
    });
  }
  if (err instanceof StoreError && kind === 'throttled') return err;
  const base =
    err instanceof StoreError ? err.message : `${any.code ?? ''} ${any.message ?? String(err)}`.trim();
  return new StoreError(`cannot connect to ${where}: ${base}`, {
    kind: isThrottling(undefined, msg) ? 'throttled' : 'connection',
    code: 'CONN_FAILED',
    waitMs: suggestedBackoff(msg),
    hint: `check ${e.side}.host, port and security in the plan, and that the server is reachable from here`,
    cause: err,
  });
}

/**
 * A protocol failure during a command about one folder (an answer over the limits, a name imapflow
 * cannot send) is that folder's: it fails alone and the others go on. When it ended the
 * connection, the next call meets a lost connection, which the engine retries on a new one.
 */
export function folderFailure(folder: string, err: StoreError): StoreError {
  if (err.scope === 'folder') return err;
  const named = err.message.includes(`"${folder}"`);
  return new StoreError(named ? err.message : `folder "${folder}": ${err.message}`, {
    kind: 'protocol',
    scope: 'folder',
    responseCode: err.responseCode,
    hint: 'the server cannot be followed for this folder; the other folders go on. Report this to its administrator with the run log',
    cause: err,
  });
}
