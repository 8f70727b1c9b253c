/**
 * The command line as a function: parses the arguments, runs the command with the given wiring,
 * prints an error once with its hint and maps it to the documented exit code. It never exits the
 * process, so the bin (main.ts), the tests' entry and in-process tests all run the same code;
 * only main.ts exits.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { describeError, ExitCode, exitCodeFor, MailshiftError } from '../core/errors.js';
import { terminalText } from '../shared/terminal-text.js';
import { commands } from './commands/index.js';
import type { CliIo, CliOutcome, CliSession, CliWiring } from './wiring.js';

const EPILOG = `Exit codes: 0 done | 1 incomplete (something not copied, missing or blocking) | 2 usage | 3 plan invalid or stale | 4 no account could connect | 5 state locked or unusable | 70 internal error | 130 interrupted (run again to resume)`;

/** mailshift's version, from the package.json two levels above this module (src/cli or dist/<x>). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr });

/**
 * Runs one mailshift command line.
 * @param argv the arguments after the program name, e.g. `['run', 'plan.yaml', '--json']`
 * @param wiring how servers are reached and what the caller observes (wiring.ts)
 * @returns the exit code, and the error that ended the command (already printed) or the run's summary
 */
export async function runCli(argv: string[], wiring: CliWiring): Promise<CliOutcome> {
  const io = wiring.io ?? processIo();
  const session: CliSession = { wiring, io, outcome: { code: ExitCode.ok } };
  try {
    let cli = yargs(argv)
      .scriptName('mailshift')
      .usage('$0 <command> <plan> [options]')
      .version(version())
      .strict()
      .demandCommand(1, 'name a command')
      .recommendCommands()
      .epilog(EPILOG)
      .wrap(Math.min(110, io.stdout.columns ?? 100))
      .exitProcess(false)
      .fail((msg, err) => {
        if (err) throw err;
        throw new MailshiftError(msg, { code: 'USAGE_ARGS', scope: 'run', hint: 'see mailshift --help' });
      });
    for (const c of commands(session)) cli = cli.command(c as never);
    await cli.parseAsync();
    return session.outcome;
  } catch (err) {
    io.stderr.write(`mailshift: ${terminalText(describeError(err))}\n`);
    if (!(err instanceof MailshiftError)) io.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return { ...session.outcome, code: exitCodeFor(err), error: err };
  }
}
