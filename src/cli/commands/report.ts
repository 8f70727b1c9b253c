/**
 * `mailshift report <plan>`: the dry-run report for the client, before anything is copied; with
 * `--final`, the handover report after the cutover (verify included).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { ReportArgs } from '../run-report.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `report`: parses, then calls `runReport` for the exit code. */
export const reportCommand = (session: CliSession): CommandModule<object, ReportArgs> => ({
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
      .option('final', {
        type: 'boolean',
        default: false,
        describe: 'the handover report after the cutover: verify both sides, then report per mailbox',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'the JSON report on stdout (the summary goes to stderr)',
      }) as unknown as Argv<ReportArgs>,
  handler: async (args: ArgumentsCamelCase<ReportArgs>) => {
    session.outcome.code = args.final
      ? await (await import('../run-handover.js')).runHandover(args, session)
      : await (await import('../run-report.js')).runReport(args, session);
  },
});
