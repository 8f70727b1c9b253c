/**
 * Opens what a command needs from its arguments: the plan, the state directory and its lock, the
 * checkpoint store, the log, the reporters and the Ctrl-C handling. With the wiring (wiring.ts),
 * which says how servers are reached, this is the composition root: production and tests build a
 * command's parts here alike.
 */
import type { Reporter } from '../core/events.js';
import type { FolderMapper } from '../core/ports.js';
import { ExitCode, MailshiftError } from '../core/errors.js';
import { loadPlan, type Plan } from '../plan/load-plan.js';
import { mappingFor } from '../plan/resolved-plan.js';
import { ConsoleReporter } from '../report/console-reporter.js';
import { EventFileReporter } from '../report/event-file-reporter.js';
import { LogReporter } from '../report/log-reporter.js';
import { FanoutReporter, NdjsonReporter } from '../report/ndjson-reporter.js';
import { createFileLogger, type Logger } from '../shared/logger.js';
import { CheckpointStore } from '../state/checkpoint-store.js';
import { acquireLock, prepareStateDir, stateDirFor, type StateDir } from '../state/state-dir.js';
import type { CliSession } from './wiring.js';

/** Options common to the commands that take a plan. */
export interface PlanArgs {
  plan: string;
  stateDir?: string;
  json?: boolean;
}

/** The folder mapper: the resolved plan when there is one, else proposed from both listings. */
export function mapperFor(plan: Plan): FolderMapper {
  return mappingFor(plan);
}

/** True when the log is at debug level or finer: the IMAP clients then log their traffic too. */
export function verboseLog(logger: Logger): Logger | false {
  return logger.level === 'debug' || logger.level === 'trace' ? logger : false;
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
 * Opens the plan, the state directory (locked when `lock`), the checkpoint store and the log (and,
 * with `events`, the events file the dashboard follows), and installs Ctrl-C (and SIGTERM) handling: the first stops after what is in flight is
 * committed, the second stops at once through the wiring's `exitNow` (the next run resumes
 * either way).
 * @throws MailshiftError PLAN_* (plan invalid), STATE_* (unwritable, locked, newer version)
 */
export function openCommand(
  args: PlanArgs,
  session: CliSession,
  opts: { lock: boolean; command: string; events?: boolean },
): CommandContext {
  const { wiring, io } = session;
  const plan = loadPlan(args.plan);
  for (const w of plan.warnings ?? []) io.stderr.write(`mailshift: warning: ${w}\n`);
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
  const reporters: Reporter[] = [new LogReporter(logger), ...(wiring.reporters ?? [])];
  // The dashboard's view of the run; a file that cannot be written costs the view, not the run.
  const events = opts.events
    ? new EventFileReporter(state.dir, {
        onError: (err) =>
          io.stderr.write(
            `mailshift: warning: the events file in ${state.dir} cannot be written (${err.message}); the dashboard will not follow this run\n`,
          ),
      })
    : undefined;
  if (events) reporters.push(events);
  reporters.push(args.json ? new NdjsonReporter(io.stdout) : new ConsoleReporter(io.stderr));
  const controller = new AbortController();
  const onSignal = () => {
    if (!controller.signal.aborted) {
      io.stderr.write('\nstopping after the messages in flight are recorded (Ctrl-C again to stop now)\n');
      controller.abort();
    } else wiring.exitNow?.(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  wiring.onStore?.(store);
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
      events?.close();
      store.close();
      release();
      logger.flush();
    },
  };
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
