/**
 * The `plan` command's core call: plan every account, print the tables, write the resolved plan.
 */
import { openLogins } from '../auth/logins.js';
import { loadPlan } from '../plan/load-plan.js';
import { silentLogger } from '../shared/logger.js';
import { stateDirFor } from '../state/state-dir.js';
import { planAccounts } from '../plan/plan-accounts.js';
import { writeResolvedPlan, type ResolvedAccount } from '../plan/resolved-plan.js';
import { formatPlanTables } from '../report/plan-table.js';
import { ExitCode } from '../core/errors.js';
import { readersFor, type PlanArgs } from './context.js';

/**
 * Plans the migration.
 * @returns 0 when every account was planned, 1 when some could not be (named in the output), 4 when none.
 */
export async function runPlan(args: PlanArgs): Promise<number> {
  const plan = loadPlan(args.plan);
  const logins = openLogins(plan.logins, stateDirFor(plan.name, args.stateDir).dir, silentLogger());
  const planned = await planAccounts(plan, readersFor(plan, logins));
  const resolved: Record<string, ResolvedAccount> = {};
  for (const { id, sourceFolders: _listing, ...account } of planned) resolved[id] = account;
  const path = writeResolvedPlan(plan, resolved);
  if (args.json) process.stdout.write(`${JSON.stringify(resolved, null, 2)}\n`);
  else process.stdout.write(`${formatPlanTables(planned)}\n\nFolder mapping written to ${path}\n`);
  const failed = planned.filter((p) => p.error).length;
  if (failed === planned.length) return ExitCode.connection;
  return failed > 0 ? ExitCode.incomplete : ExitCode.ok;
}
