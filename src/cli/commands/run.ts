/**
 * `mailshift run <plan>`: copy everything (or, run again: resume and delta sync).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { RunArgs } from '../run-migration.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `run`: parses, then calls `runMigration` for the exit code. */
export const runCommand = (session: CliSession): CommandModule<object, RunArgs> => ({
  command: 'run <plan>',
  describe: 'copy every account of the plan; run again to resume or to copy what is new',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', {
        type: 'string',
        describe: 'where checkpoints and logs go (default .mailshift/<plan name>)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'NDJSON events on stdout instead of progress',
      })
      .option('account', { type: 'string', array: true, describe: 'only these accounts (source user)' })
      .option('flag-sync', {
        type: 'boolean',
        default: true,
        describe: 'bring source flag changes to copies made by earlier runs (--no-flag-sync to skip)',
      }) as unknown as Argv<RunArgs>,
  handler: async (args: ArgumentsCamelCase<RunArgs>) => {
    session.outcome.code = await (await import('../run-migration.js')).runMigration(args, session);
  },
});
