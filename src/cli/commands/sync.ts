/**
 * `mailshift sync <plan>`: a first pass, then delta passes on a schedule until the cutover, then
 * one final pass (README, "The cutover, step by step").
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { SyncArgs } from '../run-sync.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `sync`: parses, then calls `runSync` for the exit code. */
export const syncCommand = (session: CliSession): CommandModule<object, SyncArgs> => ({
  command: 'sync <plan>',
  describe: 'copy everything, then copy what is new on a schedule until the cutover, then run one final pass',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', {
        type: 'string',
        describe: 'where checkpoints and logs go (default .mailshift/<plan name>)',
      })
      .option('every', {
        type: 'string',
        describe:
          "time from the start of one pass to the next, e.g. 15m (default: the plan's schedule.every, else 15m)",
      })
      .option('cutover', {
        type: 'string',
        describe:
          "after this date-time one final pass runs and the sync ends, e.g. 2026-12-05T18:00:00+01:00 (default: the plan's schedule.cutover)",
      })
      .option('idle', {
        type: 'boolean',
        default: true,
        describe:
          'start a pass early when new mail arrives in a source INBOX (IDLE); --no-idle for the schedule only',
      })
      .option('account', { type: 'string', array: true, describe: 'only these accounts (source user)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'NDJSON events on stdout instead of progress',
      }) as unknown as Argv<SyncArgs>,
  handler: async (args: ArgumentsCamelCase<SyncArgs>) => {
    session.outcome.code = await (await import('../run-sync.js')).runSync(args, session);
  },
});
