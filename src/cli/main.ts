#!/usr/bin/env node
/**
 * The mailshift command line. The only place that exits: command handlers set the exit code,
 * errors thrown anywhere are printed once here with their hint and mapped to the documented code.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeError, ExitCode, exitCodeFor, MailshiftError } from '../core/errors.js';
import { commands } from './commands/index.js';
import { terminalText } from '../shared/terminal-text.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const EPILOG = `Exit codes: 0 done | 1 incomplete (something not copied, missing or blocking) | 2 usage | 3 plan invalid or stale | 4 no account could connect | 5 state locked or unusable | 70 internal error | 130 interrupted (run again to resume)`;

/**
 * Keeps V8's heap close to what is alive. A run allocates fast (every FETCH response, every
 * batch), and by default V8 grows the young generation to 32 MiB and lets the old one reach
 * several times its live size before collecting: ~60 MiB of a ~150 MiB run would be garbage.
 * These two flags take effect at runtime (unlike --max-semi-space-size) and cost ~10% more client
 * CPU, which the copy does not wait for (measured with `npm run bench`; README, "Speed").
 */
v8.setFlagsFromString('--semi-space-growth-factor=1');
v8.setFlagsFromString('--heap-growing-percent=20');

async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('mailshift')
    .usage('$0 <command> <plan> [options]')
    .version(pkg.version)
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .epilog(EPILOG)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new MailshiftError(msg, { code: 'USAGE_ARGS', scope: 'run', hint: 'see mailshift --help' });
    });
  for (const c of commands) cli = cli.command(c as never);
  await cli.parseAsync();
}

main(hideBin(process.argv)).then(
  () => process.exit(process.exitCode ?? ExitCode.ok),
  (err: unknown) => {
    process.stderr.write(`mailshift: ${terminalText(describeError(err))}\n`);
    if (!(err instanceof MailshiftError)) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exit(exitCodeFor(err));
  },
);
