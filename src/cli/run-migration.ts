/**
 * The `run` command's one core call: open the context, migrate, print the summary.
 */
import { openLogins } from '../auth/logins.js';
import { migrate } from '../engine/migrate.js';
import { formatRunSummary } from '../report/run-summary.js';
import { ExitCode } from '../core/errors.js';
import { checkAccounts, connectorsFor, mapperFor, openCommand } from './context.js';
import type { RunArgs } from './commands/run.js';

/**
 * Runs the migration of a plan.
 * @returns the exit code: 0 complete, 1 something not copied, 4 no account could connect.
 */
export async function runMigration(args: RunArgs): Promise<number> {
  const ctx = openCommand(args, { lock: true, command: 'run' });
  try {
    checkAccounts(ctx.plan, args.account);
    const plan = {
      ...ctx.plan,
      options: { ...ctx.plan.options, syncFlags: ctx.plan.options.syncFlags && args.flagSync },
    };
    const summary = await migrate(plan, {
      state: ctx.store,
      reporter: ctx.reporter,
      logger: ctx.logger,
      signal: ctx.signal,
      connectors: connectorsFor(plan, ctx.logger, openLogins(plan.logins, ctx.state.dir, ctx.logger)),
      mapper: mapperFor(plan),
      only: args.account,
    });
    const text = formatRunSummary(summary, ctx.store);
    (args.json ? process.stderr : process.stdout).write(`${text}\n`);
    if (summary.interrupted) return ExitCode.interrupted;
    if (summary.complete) return ExitCode.ok;
    return summary.accounts.every((a) => a.error) ? ExitCode.connection : ExitCode.incomplete;
  } finally {
    ctx.close();
  }
}
