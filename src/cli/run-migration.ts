/**
 * The `run` command's one core call: open the context, migrate, print the summary.
 */
import { openLogins } from '../auth/logins.js';
import { migrate } from '../engine/migrate.js';
import { formatRunSummary } from '../report/run-summary.js';
import { ExitCode } from '../core/errors.js';
import { checkAccounts, mapperFor, openCommand, type PlanArgs } from './context.js';
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
  try {
    checkAccounts(ctx.plan, args.account);
    const plan = {
      ...ctx.plan,
      options: { ...ctx.plan.options, syncFlags: ctx.plan.options.syncFlags && args.flagSync },
    };
    const { wiring, io } = session;
    const summary = await migrate(plan, {
      state: ctx.store,
      reporter: ctx.reporter,
      logger: ctx.logger,
      signal: ctx.signal,
      connectors: await wiring.connectors(
        plan,
        ctx.logger,
        openLogins(plan.logins, ctx.state.dir, ctx.logger),
      ),
      mapper: mapperFor(plan),
      only: args.account,
      ...(wiring.retry ? { retry: wiring.retry } : {}),
    });
    session.outcome.summary = summary;
    const text = formatRunSummary(summary, ctx.store);
    (args.json ? io.stderr : io.stdout).write(`${text}\n`);
    if (summary.interrupted) return ExitCode.interrupted;
    if (summary.complete) return ExitCode.ok;
    return summary.accounts.every((a) => a.error) ? ExitCode.connection : ExitCode.incomplete;
  } finally {
    ctx.close();
  }
}
