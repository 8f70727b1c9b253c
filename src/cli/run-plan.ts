/**
 * The `plan` command's core call: plan every account, print the tables, write the resolved plan.
 */
import { openLogins } from '../auth/logins.js';
import { loadPlan } from '../plan/load-plan.js';
import { planAccounts } from '../plan/plan-accounts.js';
import { writeResolvedPlan, type ResolvedAccount } from '../plan/resolved-plan.js';
import { formatPlanTables } from '../report/plan-table.js';
import { connectionCaps, DISCOVERY_LANE } from '../core/connection-caps.js';
import { ExitCode } from '../core/errors.js';
import { silentLogger } from '../shared/logger.js';
import { stateDirFor } from '../state/state-dir.js';
import type { PlanArgs } from './context.js';
import type { CliSession } from './wiring.js';

/**
 * Plans the migration.
 * @returns 0 when every account was planned, 1 when some could not be (named in the output), 4 when none.
 */
export async function runPlan(args: PlanArgs, session: CliSession): Promise<number> {
  const plan = loadPlan(args.plan);
  // Each account is listed on one reader per side, as many at once as the plan's caps allow.
  const { accountsAtOnce } = connectionCaps(plan, DISCOVERY_LANE);
  // The token file lives in the state directory; planning keeps no run log, so renewals go unlogged.
  const logins = openLogins(plan.logins, stateDirFor(plan.name, args.stateDir).dir, silentLogger());
  const readers = await session.wiring.readers(plan, false, logins);
  const planned = await planAccounts(plan, readers, accountsAtOnce);
  const resolved: Record<string, ResolvedAccount> = {};
  for (const { id, sourceFolders: _listing, ...account } of planned) resolved[id] = account;
  const path = writeResolvedPlan(plan, resolved);
  const { stdout } = session.io;
  if (args.json) stdout.write(`${JSON.stringify(resolved, null, 2)}\n`);
  else stdout.write(`${formatPlanTables(planned)}\n\nFolder mapping written to ${path}\n`);
  const failed = planned.filter((p) => p.error).length;
  if (failed === planned.length) return ExitCode.connection;
  return failed > 0 ? ExitCode.incomplete : ExitCode.ok;
}
