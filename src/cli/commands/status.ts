/**
 * `mailshift status <plan>`: where each account stands, from the state alone (no server).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { PlanArgs } from '../context.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `status`: parses, then calls `showStatus` for the exit code. */
export const statusCommand = (session: CliSession): CommandModule<object, PlanArgs> => ({
  command: 'status <plan>',
  describe: 'show where each account stands, from the saved state (contacts no server)',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', { type: 'string', describe: 'state directory (default .mailshift/<plan name>)' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'JSON on stdout',
      }) as unknown as Argv<PlanArgs>,
  handler: async (args: ArgumentsCamelCase<PlanArgs>) => {
    session.outcome.code = (await import('../show-status.js')).showStatus(args, session);
  },
});
