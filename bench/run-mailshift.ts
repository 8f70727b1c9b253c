/**
 * mailshift as a user runs it: a plan file, then `node dist/cli/main.js run <plan> --json`,
 * measured from spawn to exit (process start included).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FolderTotals } from '../src/core/events.js';
import { runMeasured, type Measured } from './processes.js';

/** The CLI the benchmark runs: the build of this checkout. */
export const CLI = resolve(import.meta.dirname, '../dist/cli/main.js');

/** A host and port (the server itself, or a latency proxy in front of it). */
export interface Address {
  host: string;
  port: number;
}

/** Writes a plan for the bench accounts (same user and password on both sides); returns its path. */
export function writeBenchPlan(opts: {
  dir: string;
  source: Address;
  destination: Address;
  users: { user: string; password: string }[];
  limits: Record<string, number>;
}): string {
  mkdirSync(join(opts.dir, 'secrets'), { recursive: true });
  const lines = [
    '# written by bench/bench.ts',
    'version: 1',
    'name: bench',
    // Plain IMAP on loopback: the proxy can count commands, and TLS would cost every tool alike.
    `source: { host: ${opts.source.host}, port: ${opts.source.port}, security: none, maxConnections: 20 }`,
    `destination: { host: ${opts.destination.host}, port: ${opts.destination.port}, security: none, maxConnections: 40 }`,
  ];
  const limits = Object.entries(opts.limits);
  if (limits.length > 0) lines.push(`limits: { ${limits.map(([k, v]) => `${k}: ${v}`).join(', ')} }`);
  lines.push('accounts:');
  for (const u of opts.users) {
    const file = join(opts.dir, 'secrets', `${u.user}.txt`);
    writeFileSync(file, `${u.password}\n`, { mode: 0o600 });
    lines.push(`  - source: { user: ${u.user}, passwordFile: secrets/${u.user}.txt }`);
    lines.push(`    destination: { user: ${u.user}, passwordFile: secrets/${u.user}.txt }`);
  }
  const path = join(opts.dir, 'plan.yaml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The run's own account of itself (its `run-done` event). */
export type MailshiftTotals = FolderTotals & { seconds: number };

/** A finished mailshift run. */
export interface MailshiftRun {
  measured: Measured;
  totals?: MailshiftTotals;
  eventsFile: string;
}

/**
 * Runs `mailshift run` once.
 * @param opts.accounts only these accounts (`--account`)
 * @param opts.cpuProfileDir write a V8 CPU profile there (`node --cpu-prof`)
 */
export async function runMailshift(opts: {
  planPath: string;
  stateDir: string;
  eventsFile: string;
  accounts?: string[];
  cpuProfileDir?: string;
}): Promise<MailshiftRun> {
  const node = opts.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfileDir] : [];
  const args = [...node, CLI, 'run', opts.planPath, '--state-dir', opts.stateDir, '--json'];
  for (const a of opts.accounts ?? []) args.push('--account', a);
  const measured = await runMeasured(process.execPath, args, { stdoutFile: opts.eventsFile });
  let totals: MailshiftTotals | undefined;
  for (const line of readFileSync(opts.eventsFile, 'utf8').split('\n')) {
    if (!line.includes('"run-done"')) continue;
    const e = JSON.parse(line) as { seconds: number; totals: Omit<MailshiftTotals, 'seconds'> };
    totals = { ...e.totals, seconds: e.seconds };
  }
  return { measured, totals, eventsFile: opts.eventsFile };
}

/** The commands besides `run` that the benchmark times. */
export type MailshiftCommand = 'plan' | 'report' | 'verify';

/**
 * Runs `mailshift plan|report|verify <plan> --state-dir <dir>` once, as a user would (reports in
 * their default formats), stdout to `outFile`.
 */
export async function runMailshiftCommand(opts: {
  command: MailshiftCommand;
  planPath: string;
  stateDir: string;
  outFile: string;
}): Promise<Measured> {
  return runMeasured(process.execPath, [CLI, opts.command, opts.planPath, '--state-dir', opts.stateDir], {
    stdoutFile: opts.outFile,
  });
}
