/**
 * mailshift as the tests run it in a child process: the bin's own `runCli` (src/cli/cli.ts) with
 * the production IMAP wiring or the memory servers of a file (memory-wiring.ts), and optionally a
 * crash: SIGKILL right after the N-th committed checkpoint step, the harshest crash there is (no
 * `finally` runs, nothing is flushed). Production code has no such hook: it is given here, through
 * the wiring's `onStore`.
 *
 * Usage: node dist/test/cli-entry.js [--memory servers.json] [--kill-after-steps N] [--copy-slice N]
 *   -- <mailshift arguments>
 * Bundled once per test run (test-entry.ts), so a child starts as fast as the real bin.
 */
import { runCli } from '../../src/cli/cli.js';
import { imapWiring } from '../../src/cli/imap-wiring.js';
import type { CliWiring } from '../../src/cli/wiring.js';
import type { CheckpointStore } from '../../src/state/checkpoint-store.js';
import { memoryWiring } from './memory-wiring.js';

/** The entry's own options, before `--`. */
interface EntryOptions {
  memory?: string;
  killAfterSteps?: number;
  /** Messages per slice of a big folder's copy. */
  copySlice?: number;
  argv: string[];
}

function parseEntryArgs(args: string[]): EntryOptions {
  const split = args.indexOf('--');
  if (split < 0) throw new Error('cli-entry: give the mailshift arguments after --');
  const opts: EntryOptions = { argv: args.slice(split + 1) };
  const own = args.slice(0, split);
  for (let i = 0; i < own.length; i += 2) {
    const [name, value] = [own[i], own[i + 1]];
    if (value === undefined) throw new Error(`cli-entry: ${name} needs a value`);
    if (name === '--memory') opts.memory = value;
    else if (name === '--kill-after-steps') opts.killAfterSteps = Number(value);
    else if (name === '--copy-slice') opts.copySlice = Number(value);
    else throw new Error(`cli-entry: unknown option ${name}`);
  }
  return opts;
}

/** A step hook that kills this process with SIGKILL right after the n-th committed step. */
function killAfterSteps(n: number): (store: CheckpointStore) => void {
  let steps = 0;
  return (store) =>
    store.setStepHook(() => {
      if (++steps >= n) process.kill(process.pid, 'SIGKILL');
    });
}

const opts = parseEntryArgs(process.argv.slice(2));
const exitNow = (code: number) => process.exit(code);
const wiring: CliWiring = {
  ...(opts.memory ? memoryWiring(opts.memory) : imapWiring(exitNow)),
  exitNow,
  ...(opts.killAfterSteps ? { onStore: killAfterSteps(opts.killAfterSteps) } : {}),
  ...(opts.copySlice ? { copySliceMessages: opts.copySlice } : {}),
};
const outcome = await runCli(opts.argv, wiring);
process.exit(outcome.code);
