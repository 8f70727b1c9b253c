/**
 * `mailshift verify <plan>`: prove, folder by folder, that every source message is on the destination.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { VerifyArgs } from '../run-verify.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `verify`: parses, then calls `runVerify` for the exit code. */
export const verifyCommand = (session: CliSession): CommandModule<object, VerifyArgs> => ({
  command: 'verify <plan>',
  describe: 'compare source and destination read-only, folder by folder, and write the verification report',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', { type: 'string', describe: 'state directory (default .mailshift/<plan name>)' })
      .option('deep', {
        type: 'boolean',
        default: false,
        describe: 'also compare the bytes (SHA-256) of every message and its copy',
      })
      .option('deep-sample', {
        type: 'string',
        describe: 'compare the bytes of a fixed random sample of N percent of the messages, e.g. 10',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'the JSON report on stdout instead of the tables',
      })
      .option('format', {
        type: 'string',
        default: 'html,md,json',
        describe: 'report files written to <state dir>/reports (comma-separated: html, md, json)',
      })
      .option('lang', {
        type: 'string',
        choices: ['pl', 'en'],
        describe: "language of the report (default: the plan's report.lang)",
      }) as unknown as Argv<VerifyArgs>,
  handler: async (args: ArgumentsCamelCase<VerifyArgs>) => {
    session.outcome.code = await (await import('../run-verify.js')).runVerify(args, session);
  },
});
