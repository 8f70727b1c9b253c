/**
 * `mailshift plan <plan>`: discover both sides read-only and propose the folder mapping.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { PlanArgs } from '../context.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `plan`: parses, then calls `runPlan` for the exit code. */
export const planCommand = (session: CliSession): CommandModule<object, PlanArgs> => ({
  command: 'plan <plan>',
  describe: 'discover folders on both sides (read-only) and write the proposed folder mapping for review',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', {
        type: 'string',
        describe: 'where the OAuth2 token file is read (default .mailshift/<plan name>); plan keeps no state',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'the resolved mapping as JSON on stdout',
      }) as unknown as Argv<PlanArgs>,
  handler: async (args: ArgumentsCamelCase<PlanArgs>) => {
    session.outcome.code = await (await import('../run-plan.js')).runPlan(args, session);
  },
});
