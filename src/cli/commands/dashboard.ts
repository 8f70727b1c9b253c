/**
 * `mailshift dashboard <plan>`: a local web page of the migration, live while a run or a sync goes
 * on (reads the state and the run's events; never contacts a mail server, never writes).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { PlanArgs } from '../context.js';

export interface DashboardArgs extends PlanArgs {
  host: string;
  port: number;
  lang?: 'pl' | 'en';
  token?: string;
}

export const dashboardCommand: CommandModule<object, DashboardArgs> = {
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
    process.exitCode = await (await import('../run-dashboard.js')).runDashboard(args);
  },
};
