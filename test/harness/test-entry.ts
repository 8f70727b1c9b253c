/**
 * The tests' CLI process (cli-entry.ts): bundled with esbuild once per test run, exactly as the bin
 * is (scripts/build.mjs), and started with node. scripts/run-tests.ts bundles it before the test
 * files start and says where (MAILSHIFT_TEST_ENTRY); a test file run on its own bundles it once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const OUT = join(REPO, 'dist/test/cli-entry.js');

/**
 * Bundles the test entry into dist/test/cli-entry.js.
 * @returns its path
 * @throws Error when esbuild fails (its messages are on stderr)
 */
export function bundleTestEntry(): string {
  const res = spawnSync(process.execPath, ['scripts/build.mjs', 'test/harness/cli-entry.ts', OUT], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`bundling the test entry failed (exit ${res.status ?? res.signal})`);
  return OUT;
}

let bundled: string | undefined;

/** The bundled test entry: the test run's, else bundled by this process once. */
export function testEntry(): string {
  const given = process.env.MAILSHIFT_TEST_ENTRY;
  if (given && existsSync(given)) return given;
  bundled ??= bundleTestEntry();
  return bundled;
}

/** How to start the entry: memory servers or real ones, a crash after N steps, env, cwd. */
export interface EntryOptions {
  /** The memory servers' file; the plan's real servers when absent. */
  memory?: string;
  /** SIGKILL right after this committed checkpoint step. */
  killAfterSteps?: number;
  /** Messages per slice of a big folder's copy (small, for a test). */
  copySlice?: number;
  env?: Record<string, string>;
  cwd?: string;
}

/** Output of an entry (or CLI) process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A started entry process, with its output so far and its end. */
export interface RunningEntry {
  child: ChildProcess;
  /** Everything written on stdout so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

/** Starts the test entry with mailshift arguments (e.g. `['run', plan, '--state-dir', dir]`). */
export function startTestEntry(argv: string[], opts: EntryOptions = {}): RunningEntry {
  const own = [
    ...(opts.memory ? ['--memory', opts.memory] : []),
    ...(opts.killAfterSteps ? ['--kill-after-steps', String(opts.killAfterSteps)] : []),
    ...(opts.copySlice ? ['--copy-slice', String(opts.copySlice)] : []),
  ];
  const child = spawn(process.execPath, [testEntry(), ...own, '--', ...argv], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = once(child, 'close').then(([code, signal]) => ({ code, signal, stdout, stderr }) as CliResult);
  return { child, stdout: () => stdout, done };
}

/** Runs the test entry to its end. */
export function runTestEntry(argv: string[], opts: EntryOptions = {}): Promise<CliResult> {
  return startTestEntry(argv, opts).done;
}
