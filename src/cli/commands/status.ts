/**
 * `mailshift status <plan>`: where each account stands, from the state alone (no server).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { PlanArgs } from '../context.js';

export const statusCommand: CommandModule<object, PlanArgs> = {
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
    process.exitCode = (await import('../show-status.js')).showStatus(args);
  },
};
