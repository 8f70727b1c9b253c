/**
 * The `dashboard` command's core call: start the page for the plan's state, print its address,
 * serve until Ctrl-C or SIGTERM.
 */
import { ExitCode } from '../core/errors.js';
import { startDashboard } from '../dashboard/server.js';
import { loadPlan } from '../plan/load-plan.js';
import { stateDirFor } from '../state/state-dir.js';
import type { Lang } from '../core/units.js';
import type { PlanArgs } from './context.js';
import type { CliSession } from './wiring.js';

/** Options of `dashboard`, as yargs parses them. */
export interface DashboardArgs extends PlanArgs {
  host: string;
  port: number;
  lang?: Lang;
  token?: string;
}

/**
 * Serves the dashboard until the process is told to stop.
 * @returns the exit code: 0 after a stop by signal
 */
export async function runDashboard(args: DashboardArgs, session: CliSession): Promise<number> {
  const plan = loadPlan(args.plan);
  const dashboard = await startDashboard({
    state: stateDirFor(plan.name, args.stateDir),
    plan: {
      name: plan.name,
      ...(plan.report?.client ? { client: plan.report.client } : {}),
      accounts: plan.accounts.map((a) => a.id),
    },
    lang: args.lang ?? plan.report?.lang ?? 'en',
    host: args.host,
    port: args.port,
    ...(args.token ? { token: args.token } : {}),
    onError: (err) => session.io.stderr.write(`mailshift: dashboard: ${err.message}\n`),
  });
  session.io.stdout.write(`mailshift dashboard of plan ${plan.name}: ${dashboard.url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.close();
  return ExitCode.ok;
}
