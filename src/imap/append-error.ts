/**
 * Errors and per-message outcomes of mailshift's own APPEND client (see append-pipeline.ts).
 */
import type { AppendOutcome } from '../core/ports.js';

/**
 * Why a batch (or the connection) failed as a whole:
 * - `auth`: login refused; `tls`: certificate or handshake failure, or STARTTLS not offered;
 * - `connection`: socket closed, reset, timed out or `* BYE` (code `BYE` or the BYE's response code);
 * - `trycreate`: the mailbox does not exist (`NO [TRYCREATE]`);
 * - `overquota`, `throttled`, `unavailable`: `NO [OVERQUOTA]`, `[THROTTLED]`, `[UNAVAILABLE]` (RFC 5530, 9208);
 * - `protocol`: the server answered something this client cannot follow (BAD, unknown tag, missing capability).
 */
export type AppendErrorKind =
  'auth' | 'connection' | 'tls' | 'trycreate' | 'overquota' | 'throttled' | 'unavailable' | 'protocol';

/** How far an error reaches (CONVENTIONS.md rule 4): the folder loop handles `folder`, the account loop the rest. */
export type AppendErrorScope = 'folder' | 'account';

const SCOPE: Record<AppendErrorKind, AppendErrorScope> = {
  auth: 'account',
  connection: 'account',
  tls: 'account',
  trycreate: 'folder',
  overquota: 'account',
  throttled: 'account',
  unavailable: 'account',
  protocol: 'account',
};

const HINT: Record<AppendErrorKind, string> = {
  auth: 'check the destination user and password in the plan (and that the account exists)',
  connection:
    'reconnect and resolve the in-doubt messages against the destination (search by Message-ID) before appending them again',
  tls: 'give the server CA to Node (NODE_EXTRA_CA_CERTS), fix the host name, or set tlsVerify: false only for a server you trust',
  trycreate: 'create the destination folder first, then append again',
  overquota: 'raise the destination quota or free space, then run again',
  throttled: 'the server asks to slow down: wait, use fewer connections, then run again',
  unavailable: 'the server is temporarily unable to store mail: wait and run again',
  protocol: 'report this with the server log; run again with mode "sync" to work around it',
};

/** Fields of an {@link AppendError} besides its message. */
export interface AppendErrorInit {
  kind: AppendErrorKind;
  /** The IMAP response code (`TRYCREATE`, `OVERQUOTA`, `AUTHENTICATIONFAILED`, `BYE`, a TLS error code...). */
  code?: string;
  /** True when some messages of the batch may or may not have been appended. */
  inDoubt?: boolean;
  /** Per item of the batch, what the server confirmed; undefined where nothing was confirmed. */
  outcomes?: ReadonlyArray<AppendOutcome | undefined>;
  cause?: unknown;
}

/**
 * The one error type of the APPEND client. When thrown by `appendBatch`, `outcomes` tells which items
 * the server confirmed (stored or refused) before the failure; the others were either never sent or,
 * when `inDoubt`, sent without a reply, and must be looked up on the server before being sent again.
 */
export class AppendError extends Error {
  readonly kind: AppendErrorKind;
  readonly code?: string;
  readonly inDoubt: boolean;
  readonly outcomes?: ReadonlyArray<AppendOutcome | undefined>;
  readonly scope: AppendErrorScope;
  readonly hint: string;

  /** @param message names the host, user or mailbox concerned; never a password. */
  constructor(message: string, init: AppendErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppendError';
    this.kind = init.kind;
    this.code = init.code;
    this.inDoubt = init.inDoubt ?? false;
    this.outcomes = init.outcomes;
    this.scope = SCOPE[init.kind];
    this.hint = HINT[init.kind];
  }
}
