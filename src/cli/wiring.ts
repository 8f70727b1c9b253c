/**
 * What the command line takes from outside: how to reach the servers (the connectors), where to
 * write, and what tests may observe. The production wiring (imap-wiring.ts) reaches IMAP servers;
 * the tests' wiring reaches in-memory servers through the same commands, so the plan, the state
 * directory, its lock, the log, the reporters and Ctrl-C handling are the same code in both.
 */
import type { Logins } from '../auth/logins.js';
import type { RetryPolicy } from '../core/backoff.js';
import type { Reporter } from '../core/events.js';
import type { AccountConnectors, ReaderConnectors } from '../core/ports.js';
import type { RunSummary } from '../engine/migrate.js';
import type { Plan, PlanAccount } from '../plan/load-plan.js';
import type { Logger } from '../shared/logger.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';

/** A stream the commands write text to: the process's stdout or stderr, or a test's buffer. */
export interface CliStream {
  write(text: string): unknown;
  /** A terminal gets a redrawn progress line; anything else plain lines. */
  isTTY?: boolean;
  columns?: number;
}

/** Where the commands write: results on stdout, progress and errors on stderr. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
}

/**
 * New mail in the source INBOXes (IDLE), for `mailshift sync` to start a pass early.
 */
export interface InboxWake {
  /**
   * Resolves when new mail arrives in the INBOX of one of `accounts`, or never (no IDLE, or the
   * watch failed); stops listening, and closes its connections, when `signal` aborts.
   */
  wait(accounts: readonly string[], signal: AbortSignal): Promise<void>;
  /** Resolves once every connection of the last wait is closed (a pass starts only then). */
  closed(): Promise<void>;
}

/**
 * The parts of the command line that differ between production and tests. `runCli` builds
 * everything else itself.
 */
export interface CliWiring {
  /**
   * The connections of a run's accounts, by account id: each call of a connector opens one.
   * `logins` gives each endpoint its secret (src/auth); servers that need none may ignore it.
   */
  connectors(plan: Plan, logger: Logger, logins: Logins): Promise<(accountId: string) => AccountConnectors>;
  /** Read-only connections for `plan`, `report` and `verify`: no store that can write. */
  readers(
    plan: Plan,
    logger: Logger | false,
    logins: Logins,
  ): Promise<(account: PlanAccount) => ReaderConnectors>;
  /** Where commands write; the process's stdout and stderr when absent. */
  io?: CliIo;
  /**
   * Ends the process at once, for a second Ctrl-C. `runCli` itself never exits: without this the
   * second Ctrl-C only repeats the first (stop after what is in flight is recorded).
   */
  exitNow?: (code: number) => void;
  /** Sees each command's checkpoint store once it is open: tests install a step hook there. */
  onStore?: (store: CheckpointStore) => void;
  /** Reporters besides the run log and the console or NDJSON output (tests collect events). */
  reporters?: Reporter[];
  /** Overrides the plan's `limits.retry` (tests retry fast). */
  retry?: RetryPolicy;
  /** Source messages per slice of a big folder's verify (verify-slices.ts; tests make it small). */
  verifySliceMessages?: number;
  /** Source messages per slice of a big folder's copy (folder-prepare.ts; tests make it small). */
  copySliceMessages?: number;
  /** Watches the source INBOXes for `sync`; without it passes follow the schedule only. */
  inboxWake?: (plan: Plan, logger: Logger, logins: Logins) => Promise<InboxWake>;
}

/** What one `runCli` call ended with. */
export interface CliOutcome {
  /** The documented exit code (README, "Exit codes"). */
  code: number;
  /** The error that ended the command, when one did (already printed on stderr). */
  error?: unknown;
  /** The run's summary, for `run`. */
  summary?: RunSummary;
}

/** One `runCli` call as its commands see it: the wiring, the streams and the outcome they fill. */
export interface CliSession {
  wiring: CliWiring;
  io: CliIo;
  outcome: CliOutcome;
}
