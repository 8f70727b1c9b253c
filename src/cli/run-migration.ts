/**
 * The `run` command's one core call: open the context, migrate, print the summary.
 */
import { openLogins } from '../auth/logins.js';
import { ExitCode } from '../core/errors.js';
import { checkAccounts, mapperFor, openCommand, type PlanArgs } from './context.js';
import { firstAccounts, listAhead } from './list-ahead.js';
import type { CliSession } from './wiring.js';

/** Options of `run`, as yargs parses them. */
export interface RunArgs extends PlanArgs {
  account?: string[];
  flagSync: boolean;
}

/**
 * Runs the migration of a plan; the summary is also left in `session.outcome`.
 * @returns the exit code: 0 complete, 1 something not copied, 4 no account could connect, 130 interrupted.
 * @throws MailshiftError PLAN_*, STATE_*, USAGE_ACCOUNT, and the engine's run-scope failures (a full disk)
 */
export async function runMigration(args: RunArgs, session: CliSession): Promise<number> {
  const ctx = openCommand(args, session, { lock: true, command: 'run', events: true });
  let ahead: ReturnType<typeof listAhead> | undefined;
  try {
    checkAccounts(ctx.plan, args.account);
    const plan = {
      ...ctx.plan,
      options: { ...ctx.plan.options, syncFlags: ctx.plan.options.syncFlags && args.flagSync },
    };
    const { wiring, io } = session;
    const connectors = await wiring.connectors(
      plan,
      ctx.logger,
      openLogins(plan.logins, ctx.state.dir, ctx.logger),
    );
    ahead = listAhead(
      connectors,
      firstAccounts(plan, args.account, (id) => ctx.store.syncedFolders(id).length > 0),
    );
    // The engine's code loads while the first accounts are listed.
    const [{ migrate }, { formatRunSummary }] = await Promise.all([
      import('../engine/migrate.js'),
      import('../report/run-summary.js'),
    ]);
    const summary = await migrate(plan, {
      state: ctx.store,
      reporter: ctx.reporter,
      logger: ctx.logger,
      signal: ctx.signal,
      connectors: ahead.connectors,
      mapper: mapperFor(plan),
      only: args.account,
      ...(wiring.retry ? { retry: wiring.retry } : {}),
      ...(wiring.copySliceMessages ? { sliceMessages: wiring.copySliceMessages } : {}),
    });
    session.outcome.summary = summary;
    const text = formatRunSummary(summary, ctx.store);
    (args.json ? io.stderr : io.stdout).write(`${text}\n`);
    if (summary.interrupted) return ExitCode.interrupted;
    if (summary.complete) return ExitCode.ok;
    return summary.accounts.every((a) => a.error) ? ExitCode.connection : ExitCode.incomplete;
  } finally {
    // A listing the run did not take (it stopped first) ends before the state and the log close.
    await ahead?.settled();
    ctx.close();
  }
}
