/**
 * Builds what a command needs from its arguments: the plan, the state directory and its lock,
 * the checkpoint store, the log, the reporters, the connectors and the Ctrl-C handling. This is
 * the composition root: the only place that knows every concrete implementation.
 */
import type { AccountConnectors, FolderMapper } from '../core/ports.js';
import type { Reporter } from '../core/events.js';
import {
  connectAppender,
  connectBodyReader,
  connectDestination,
  connectReader,
  connectSource,
} from '../imap/imapflow-stores.js';
import type { Endpoint, Side } from '../core/endpoint.js';
import type { Logins } from '../auth/logins.js';
import type { FolderReader } from '../core/ports.js';
import { BodyPool } from '../imap/body-pool.js';
import { resolveSecret } from '../plan/credentials.js';
import { loadPlan, type Plan, type PlanAccount } from '../plan/load-plan.js';
import { mappingFor } from '../plan/resolved-plan.js';
import { ConsoleReporter } from '../report/console-reporter.js';
import { LogReporter } from '../report/log-reporter.js';
import { FanoutReporter, NdjsonReporter } from '../report/ndjson-reporter.js';
import { MailshiftError } from '../core/errors.js';
import { createFileLogger, type Logger } from '../shared/logger.js';
import { CheckpointStore } from '../state/checkpoint-store.js';
import { acquireLock, prepareStateDir, stateDirFor, type StateDir } from '../state/state-dir.js';

/** Options common to the commands that take a plan. */
export interface PlanArgs {
  plan: string;
  stateDir?: string;
  json?: boolean;
}

/** The endpoints of one account, their secrets from the run's credentials (src/auth). */
export function endpoints(
  plan: Plan,
  account: PlanAccount,
  logins: Logins,
): { source: Endpoint; destination: Endpoint } {
  const endpoint = (side: Side): Endpoint => ({
    side,
    server: plan[side],
    user: account[side].user,
    secret: logins.secretFor(
      { side, account: account.id, user: account[side].user, login: account.login[side] },
      () => resolveSecret(account[side], plan.dir),
    ),
  });
  return { source: endpoint('source'), destination: endpoint('destination') };
}

/** Real connectors for an account, logging to the run log. */
export function connectorsFor(
  plan: Plan,
  logger: Logger,
  logins: Logins,
): (accountId: string) => AccountConnectors {
  // One pool for every body reader of the run: it never needs to keep more than the byte budget.
  const pool = new BodyPool(plan.limits.bytesInFlight);
  return (id) => {
    const account = plan.accounts.find((a) => a.id === id);
    if (!account) throw new Error(`unknown account ${id}`);
    const e = endpoints(plan, account, logins);
    const log = logger.level === 'debug' || logger.level === 'trace' ? logger : false;
    return {
      source: () => connectSource(e.source, log),
      destination: () => connectDestination(e.destination, log),
      appender: () => connectAppender(e.destination),
      bodies: () => connectBodyReader(e.source, pool),
    };
  };
}

/** Read-only connectors for dry runs and verification: no destination store that can write. */
export function readersFor(plan: Plan, logins: Logins, logger: Logger | false = false) {
  return (
    account: PlanAccount,
  ): { source: () => Promise<FolderReader>; destination: () => Promise<FolderReader> } => {
    const e = endpoints(plan, account, logins);
    return {
      source: () => connectReader(e.source, logger),
      destination: () => connectReader(e.destination, logger),
    };
  };
}

/** The folder mapper: the resolved plan when there is one, else proposed from both listings. */
export function mapperFor(plan: Plan): FolderMapper {
  return mappingFor(plan);
}

/** A command's open resources, closed by `close()`. */
export interface CommandContext {
  plan: Plan;
  state: StateDir;
  store: CheckpointStore;
  logger: Logger;
  reporter: Reporter;
  signal: AbortSignal;
  close(): void;
}

/**
 * Opens the plan, the state directory (locked when `lock`), the checkpoint store and the log,
 * and installs Ctrl-C handling: the first stops after what is in flight is committed, the
 * second stops at once (the next run resumes either way).
 */
export function openCommand(args: PlanArgs, opts: { lock: boolean; command: string }): CommandContext {
  const plan = loadPlan(args.plan);
  for (const w of plan.warnings ?? []) process.stderr.write(`mailshift: warning: ${w}\n`);
  const state = stateDirFor(plan.name, args.stateDir);
  prepareStateDir(state);
  const release = opts.lock ? acquireLock(state) : () => {};
  let store: CheckpointStore;
  try {
    store = CheckpointStore.open(state.db);
  } catch (err) {
    release();
    throw err;
  }
  const logger = createFileLogger(state.log, process.env.MAILSHIFT_LOG_LEVEL ?? 'info').child({
    command: opts.command,
  });
  const reporters: Reporter[] = [new LogReporter(logger)];
  reporters.push(args.json ? new NdjsonReporter() : new ConsoleReporter());
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        '\nstopping after the messages in flight are recorded (Ctrl-C again to stop now)\n',
      );
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  installCrashHook(store);
  return {
    plan,
    state,
    store,
    logger,
    reporter: new FanoutReporter(reporters),
    signal: controller.signal,
    close: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      store.close();
      release();
      logger.flush();
    },
  };
}

/**
 * Test-only: MAILSHIFT_TEST_KILL_AFTER_STEPS=N kills this process with SIGKILL right after the
 * N-th committed checkpoint step, the harshest crash there is.
 */
function installCrashHook(store: CheckpointStore): void {
  const n = Number(process.env.MAILSHIFT_TEST_KILL_AFTER_STEPS);
  if (!Number.isInteger(n) || n <= 0) return;
  let steps = 0;
  store.setStepHook(() => {
    if (++steps >= n) process.kill(process.pid, 'SIGKILL');
  });
}

/** Refuses account filters that name no account of the plan. */
export function checkAccounts(plan: Plan, only: string[] | undefined): void {
  for (const id of only ?? []) {
    if (!plan.accounts.some((a) => a.id === id)) {
      throw new MailshiftError(`account ${id} is not in plan ${plan.path}`, {
        code: 'USAGE_ACCOUNT',
        scope: 'run',
        hint: `accounts in this plan: ${plan.accounts.map((a) => a.id).join(', ')}`,
      });
    }
  }
}
