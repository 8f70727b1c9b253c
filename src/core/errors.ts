/**
 * Errors that carry a code, a scope and a fix. Each loop level of the engine handles its own
 * scope (a message, a folder, an account) and continues with the next unit; wider scopes are
 * rethrown. Only `cli/main.ts` turns an error into an exit code.
 *
 * Stores (the IMAP layer, or the in-memory stores of the tests) reject with one type,
 * {@link StoreError}, whose `kind` is one of a closed set: everything above the store seam decides
 * by that kind alone, never by an error's message or by the shape of a library's error.
 */
import type { AppendOutcome } from './messages.js';

/** How much of the work an error stops. */
export type ErrorScope = 'message' | 'folder' | 'account' | 'run';

export interface MailshiftErrorOptions {
  code: string;
  scope: ErrorScope;
  /** What the user should do about it, in one sentence. */
  hint?: string;
  cause?: unknown;
}

/** An error meant for the user: names the thing, says what to do. */
export class MailshiftError extends Error {
  readonly code: string;
  readonly scope: ErrorScope;
  readonly hint: string | undefined;

  constructor(message: string, opts: MailshiftErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MailshiftError';
    this.code = opts.code;
    this.scope = opts.scope;
    this.hint = opts.hint;
  }
}

/**
 * Why a store call failed:
 * - `connection`: the connection could not be made or was lost (reset, closed, timed out, BYE);
 * - `throttled`: the server asks to slow down (`[LIMIT]`-style codes, "too many connections",
 *   Microsoft 365's "Request is throttled"), with the wait it named when it did;
 * - `refused`: the server answered NO or BAD about one folder or message, in its own words
 *   (`responseCode` TRYCREATE when the folder does not exist);
 * - `overquota`: the destination is full (RFC 9208 `[OVERQUOTA]`);
 * - `auth`: the login was refused; `tls`: the certificate or handshake failed, or STARTTLS is missing;
 * - `protocol`: the server said something this client cannot follow (the connection is closed).
 */
export type StoreErrorKind =
  'connection' | 'throttled' | 'refused' | 'overquota' | 'auth' | 'tls' | 'protocol';

/** Fields of a {@link StoreError} besides its message. */
export interface StoreErrorInit {
  kind: StoreErrorKind;
  /** The IMAP response code (`TRYCREATE`, `OVERQUOTA`, `AUTHENTICATIONFAILED`, `BYE`) or socket error code. */
  responseCode?: string;
  /** The server's own words, for people. */
  serverText?: string;
  /** For `throttled`: how long the server asked to wait, in milliseconds. */
  waitMs?: number;
  /** For `connection` failures that a new connection would not fix (unknown host, refused port). */
  final?: boolean;
  /** True when messages were sent and their outcome is unknown (APPEND cut short). */
  inDoubt?: boolean;
  /** For APPEND: per item of the batch, what the server confirmed before the failure. */
  outcomes?: ReadonlyArray<AppendOutcome | undefined>;
  /** Overrides the code derived from the kind (e.g. `CONN_UNKNOWN_HOST`). */
  code?: string;
  /** Overrides the scope derived from the kind: a protocol error caused by one folder's data is the folder's. */
  scope?: ErrorScope;
  hint?: string;
  cause?: unknown;
}

const STORE_CODES: Record<StoreErrorKind, string> = {
  connection: 'CONN_LOST',
  throttled: 'THROTTLED',
  refused: 'REFUSED',
  overquota: 'DEST_OVERQUOTA',
  auth: 'AUTH_FAILED',
  tls: 'CONN_TLS',
  protocol: 'PROTOCOL',
};

const STORE_HINTS: Record<StoreErrorKind, string> = {
  connection: 'check the network and the server; run again to continue where it stopped',
  throttled: 'the server asks to slow down: wait, use fewer connections, then run again',
  refused: "see the server's words; the other folders go on",
  overquota: 'raise the destination quota or free space, then run again',
  auth: 'check the user name and password (or token) of this account in the plan',
  tls: "give the server's CA to Node (NODE_EXTRA_CA_CERTS), fix the host name, or set tlsVerify: false only for a server you trust",
  protocol: 'report this with the run log (MAILSHIFT_LOG_LEVEL=debug); run again to continue',
};

/**
 * The one error type of every store. Its scope follows from its kind: a `refused` folder or
 * message is the folder's concern; everything else concerns the account's connections.
 */
export class StoreError extends MailshiftError {
  readonly kind: StoreErrorKind;
  readonly responseCode: string | undefined;
  readonly serverText: string | undefined;
  readonly waitMs: number | undefined;
  readonly final: boolean;
  readonly inDoubt: boolean;
  readonly outcomes: ReadonlyArray<AppendOutcome | undefined> | undefined;

  /** @param message names the host, user or folder concerned; never a secret. */
  constructor(message: string, init: StoreErrorInit) {
    super(message, {
      code: init.code ?? STORE_CODES[init.kind],
      scope: init.scope ?? (init.kind === 'refused' ? 'folder' : 'account'),
      hint: init.hint ?? STORE_HINTS[init.kind],
      cause: init.cause,
    });
    this.name = 'StoreError';
    this.kind = init.kind;
    this.responseCode = init.responseCode;
    this.serverText = init.serverText;
    this.waitMs = init.waitMs;
    this.final = init.final ?? false;
    this.inDoubt = init.inDoubt ?? false;
    this.outcomes = init.outcomes;
  }

  /** A copy with another message (and hint), keeping every fact of the failure. */
  withMessage(message: string, hint?: string): StoreError {
    return new StoreError(message, { ...this.init(), hint: hint ?? this.hint, cause: this.cause ?? this });
  }

  private init(): StoreErrorInit {
    return {
      kind: this.kind,
      responseCode: this.responseCode,
      serverText: this.serverText,
      waitMs: this.waitMs,
      final: this.final,
      inDoubt: this.inDoubt,
      outcomes: this.outcomes,
      code: this.code,
      scope: this.scope,
    };
  }
}

/** A failure a new connection may fix, after the wait the server asked for (if it did). */
export interface Transient {
  kind: 'connection' | 'throttled';
  waitMs?: number;
}

/**
 * Whether a retry on a new connection may succeed: a lost connection or a throttling server.
 * @returns the transient kind, or undefined for errors that a retry would not fix.
 */
export function transientOf(err: unknown): Transient | undefined {
  if (!(err instanceof StoreError) || err.final) return undefined;
  if (err.kind === 'connection') return { kind: 'connection' };
  if (err.kind === 'throttled')
    return { kind: 'throttled', ...(err.waitMs === undefined ? {} : { waitMs: err.waitMs }) };
  return undefined;
}

/** True for a store error of this kind. */
export function isStoreError(err: unknown, kind: StoreErrorKind): err is StoreError {
  return err instanceof StoreError && err.kind === kind;
}

/** Exit codes, documented in the README. */
export const ExitCode = {
  /** Everything done (or, for report/verify: nothing blocks, nothing missing). */
  ok: 0,
  /** The command ran but something is incomplete: messages failed, verify found losses, the report found blockers. */
  incomplete: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** The plan file or the resolved plan is invalid, missing or stale. */
  plan: 3,
  /** Every account failed (cannot connect or log in). */
  connection: 4,
  /** The state directory is locked by another run, unwritable, or of an unknown version. */
  state: 5,
  /** An unexpected internal error (a bug): please report it with the log file. */
  internal: 70,
  /** Stopped by Ctrl-C / SIGTERM; run the same command again to resume. */
  interrupted: 130,
} as const;

/** Maps an error code prefix to the exit code the CLI uses. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof MailshiftError)) return ExitCode.internal;
  if (err.code.startsWith('PLAN_')) return ExitCode.plan;
  if (err.code.startsWith('STATE_')) return ExitCode.state;
  if (err.code === 'INTERRUPTED') return ExitCode.interrupted;
  if (err.code.startsWith('USAGE_')) return ExitCode.usage;
  if (err.code.startsWith('CONN_') || err.code.startsWith('AUTH_')) return ExitCode.connection;
  return ExitCode.incomplete;
}

/** A one-paragraph description of any error, for people. */
export function describeError(err: unknown): string {
  if (err instanceof MailshiftError) return err.hint ? `${err.message}\n  -> ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A folder whose UIDVALIDITY changed while it was being read: it was recreated, and its UIDs now
 * name other messages (RFC 3501 section 2.3.1.1). Only that folder stops; the next pass or verify
 * compares it afresh.
 */
export function folderRecreated(
  side: 'source' | 'destination',
  path: string,
  during: 'run' | 'verify' = 'run',
): MailshiftError {
  return new MailshiftError(
    `${side} folder "${path}" was recreated during the ${during} (UIDVALIDITY changed)`,
    {
      code: 'UIDVALIDITY_CHANGED',
      scope: 'folder',
      hint:
        during === 'run'
          ? 'run again: the folder is then compared afresh and nothing is copied twice'
          : 'run verify again',
    },
  );
}
