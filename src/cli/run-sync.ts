/**
 * The `sync` command's one core call: hold the state's lock for the whole sync, then let the watch
 * loop (watch/watch.ts) run passes of `migrate()` on the schedule until the cutover's final pass,
 * with the plan's notifications and, where the source offers IDLE, new INBOX mail starting a pass
 * early. Each pass is the same resumable, exactly-once run as `mailshift run`.
 */
import { openLogins, type Logins } from '../auth/logins.js';
import { ExitCode } from '../core/errors.js';
import { migrate, type RunSummary } from '../engine/migrate.js';
import { formatRunSummary } from '../report/run-summary.js';
import { ScheduleStore } from '../state/schedule-store.js';
import { watch, type RunPass, type WatchDeps, type WatchOutcome } from '../watch/watch.js';
import { watchJson, watchLine } from '../watch/watch-text.js';
import { terminalText } from '../shared/terminal-text.js';
import { checkAccounts, mapperFor, openCommand, type CommandContext, type PlanArgs } from './context.js';
import { planNotifier } from './plan-notifier.js';
import { syncSchedule } from './sync-config.js';
import type { CliSession, InboxWake } from './wiring.js';

/** Options of `sync`, as yargs parses them. */
export interface SyncArgs extends PlanArgs {
  every?: string;
  cutover?: string;
  idle: boolean;
  account?: string[];
}

/**
 * The exit code of a finished sync: the final pass complete (or already run) 0, incomplete 1,
 * stopped by a signal 130.
 */
export function syncExitCode(outcome: WatchOutcome): number {
  if (outcome.stoppedBy === 'signal') return ExitCode.interrupted;
  if (outcome.stoppedBy === 'already-done') return ExitCode.ok;
  return outcome.last?.complete ? ExitCode.ok : ExitCode.incomplete;
}

/**
 * Runs the sync of a plan until the cutover's final pass has run or it is stopped.
 * @returns the exit code (see {@link syncExitCode})
 * @throws MailshiftError PLAN_*, STATE_*, USAGE_*, and a pass's run-scope failure (a full disk)
 */
export async function runSync(args: SyncArgs, session: CliSession): Promise<number> {
  const ctx = openCommand(args, session, { lock: true, command: 'sync', events: true });
  let schedule: ScheduleStore | undefined;
  let wake: InboxWake | undefined;
  try {
    checkAccounts(ctx.plan, args.account);
    const sched = syncSchedule(ctx.plan, args);
    schedule = ScheduleStore.open(ctx.state.db);
    const notify = await planNotifier(ctx.plan, schedule);
    // One token cache for the whole sync: tokens refreshed by one pass serve the next.
    const logins = openLogins(ctx.plan.logins, ctx.state.dir, ctx.logger);
    if (sched.idle && session.wiring.inboxWake)
      wake = await session.wiring.inboxWake(ctx.plan, ctx.logger, logins);
    const say = sayer(args, session, wake !== undefined);
    const accounts = args.account ?? ctx.plan.accounts.map((a) => a.id);
    const listening = wake;
    const deps: WatchDeps = {
      plan: ctx.plan.name,
      accounts,
      runPass: passRunner(args, session, ctx, logins, async () => {
        // The INBOX watch's connections are closed before a pass opens its own.
        await listening?.closed();
        await notify?.secrets.refresh();
      }),
      schedule,
      ...(notify ? { notifier: notify.notifier } : {}),
      ...(listening ? { wake: (signal: AbortSignal) => listening.wait(accounts, signal) } : {}),
      signal: ctx.signal,
      onEvent: (e) => {
        say(e);
        ctx.logger.info(watchJson(e), `sync ${e.type}`);
      },
    };
    const outcome = await watch(sched.config, deps);
    if (outcome.stoppedBy === 'already-done') {
      const done = schedule.schedule()?.finalDoneAt;
      session.io.stderr.write(
        `mailshift: the final pass after the cutover already ran${done ? ` (${new Date(done).toISOString()})` : ''}; nothing to do. To sync again, set a later cutover (--cutover or schedule.cutover).\n`,
      );
    }
    return syncExitCode(outcome);
  } finally {
    await wake?.closed();
    schedule?.close();
    ctx.close();
  }
}

/** Writes what the loop does: lines for people, NDJSON with `--json` (then on stdout with the events). */
function sayer(args: SyncArgs, session: CliSession, idle: boolean): NonNullable<WatchDeps['onEvent']> {
  return (e) => {
    if (args.json) {
      session.io.stdout.write(`${JSON.stringify(watchJson(e))}\n`);
      return;
    }
    const line = watchLine(e, { idle });
    if (line) session.io.stdout.write(`${terminalText(line)}\n`);
  };
}

/** One pass: `migrate()` with the command's parts, its summary printed as `run` prints it. */
function passRunner(
  args: SyncArgs,
  session: CliSession,
  ctx: CommandContext,
  logins: Logins,
  beforePass: () => Promise<void>,
): RunPass {
  return async (req, signal): Promise<RunSummary> => {
    await beforePass();
    const { wiring, io } = session;
    const summary = await migrate(ctx.plan, {
      state: ctx.store,
      reporter: ctx.reporter,
      logger: ctx.logger,
      signal,
      // Built for each pass, as for each `run`: the wiring's view of the servers starts afresh.
      connectors: await wiring.connectors(ctx.plan, ctx.logger, logins),
      mapper: mapperFor(ctx.plan),
      only: req.only ?? args.account,
      ...(wiring.retry ? { retry: wiring.retry } : {}),
      ...(wiring.copySliceMessages ? { sliceMessages: wiring.copySliceMessages } : {}),
    });
    session.outcome.summary = summary;
    // A pass that found nothing new says so in one line: most delta passes do.
    (args.json ? io.stderr : io.stdout).write(`${formatRunSummary(summary, ctx.store, { quiet: true })}\n`);
    return summary;
  };
}
