/**
 * `mailshift report <plan>`: the dry-run report for the client, before anything is copied.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { PlanArgs } from '../context.js';

export interface ReportArgs extends PlanArgs {
  format: string;
  lang?: 'pl' | 'en';
  out?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <plan>',
  describe:
    'read both sides (read-only) and write the dry-run report: what moves where, what will not fit, how long',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', { type: 'string', describe: 'state directory (default .mailshift/<plan name>)' })
      .option('format', {
        type: 'string',
        default: 'html,md,json',
        describe: 'report files to write (comma-separated: html, md, json)',
      })
      .option('lang', {
        type: 'string',
        choices: ['pl', 'en'],
        describe: "language of the report files (default: the plan's report.lang)",
      })
      .option('out', {
        type: 'string',
        describe: 'folder for the report files (default <state dir>/reports)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'the JSON report on stdout (the summary goes to stderr)',
      }) as unknown as Argv<ReportArgs>,
  handler: async (args: ArgumentsCamelCase<ReportArgs>) => {
    process.exitCode = await (await import('../run-report.js')).runReport(args);
  },
};
