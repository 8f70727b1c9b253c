/**
 * `mailshift dashboard <plan>`: a local web page of the migration, live while a run or a sync goes
 * on (reads the state and the run's events; never contacts a mail server, never writes).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { DashboardArgs } from '../run-dashboard.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `dashboard`: parses, then calls `runDashboard` for the exit code. */
export const dashboardCommand = (session: CliSession): CommandModule<object, DashboardArgs> => ({
  command: 'dashboard <plan>',
  describe: 'serve a live web page of the migration (127.0.0.1 by default; contacts no mail server)',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', { type: 'string', describe: 'state directory (default .mailshift/<plan name>)' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'address to listen on; any other than loopback asks for the token it prints',
      })
      .option('port', { type: 'number', default: 8025, describe: 'port to listen on (0: any free one)' })
      .option('lang', {
        type: 'string',
        choices: ['pl', 'en'],
        describe: "language of the page (default: the plan's report.lang)",
      })
      .option('token', {
        type: 'string',
        describe: 'ask for this token even on loopback (a machine shared with other users)',
      }) as unknown as Argv<DashboardArgs>,
  handler: async (args: ArgumentsCamelCase<DashboardArgs>) => {
    session.outcome.code = await (await import('../run-dashboard.js')).runDashboard(args, session);
  },
});
