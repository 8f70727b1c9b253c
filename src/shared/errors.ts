/**
 * Errors that carry a code, a scope and a fix. Each loop level of the engine handles its own
 * scope (a message, a folder, an account) and continues with the next unit; wider scopes are
 * rethrown. Only `cli/main.ts` turns an error into an exit code.
 */

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
