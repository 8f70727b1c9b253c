/**
 * `mailshift login <plan>`: signs accounts in by the OAuth2 device flow (a person opens an address
 * and types a code) and stores their refresh tokens; `--status` shows how every account logs in
 * and when its token expires, never a token.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { LoginArgs } from '../run-login.js';
import type { CliSession } from '../wiring.js';

/** The yargs module of `login`: parses, then calls `runLogin` for the exit code. */
export const loginCommand = (session: CliSession): CommandModule<object, LoginArgs> => ({
  command: 'login <plan>',
  describe:
    'sign accounts in (OAuth2 device code) and store their refresh tokens; --status shows every login',
  builder: (y: Argv) =>
    y
      .positional('plan', { type: 'string', demandOption: true, describe: 'plan file (YAML)' })
      .option('state-dir', {
        type: 'string',
        describe: 'where the token file goes (default .mailshift/<plan name>)',
      })
      .option('account', { type: 'string', array: true, describe: 'only these accounts (source user)' })
      .option('side', { choices: ['source', 'destination'] as const, describe: 'only this side' })
      .option('status', {
        type: 'boolean',
        default: false,
        describe: 'show how each account logs in and when its token expires (contacts no server)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: '--status as JSON on stdout',
      }) as unknown as Argv<LoginArgs>,
  handler: async (args: ArgumentsCamelCase<LoginArgs>) => {
    session.outcome.code = await (await import('../run-login.js')).runLogin(args, session);
  },
});
