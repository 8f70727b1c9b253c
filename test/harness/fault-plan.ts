/**
 * Plans and checks for the fault tests: a plan that reaches the servers through given ports (a
 * fault proxy's) in plain text with fast retries, an in-process run that returns the lines it
 * wrote to the run log, and the check that a destination holds every source message exactly once.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../../src/core/events.js';
import type { RunSummary } from '../../src/engine/migrate.js';
import { CheckpointStore } from '../../src/state/checkpoint-store.js';
import {
  contentKey,
  readMailbox,
  runPlanInProcess,
  type MigrationEnv,
  type StoredMessage,
} from './migration-env.js';
import type { SampleAccount } from './sample-company.js';

/**
 * Dovecot config that makes a refused login cost nothing: no 2 s delay before the NO, and no
 * "auth penalty" (anvil slows every later login from the same IP by up to 15 s after failures).
 */
export const FAST_AUTH_FAILURES = `auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}`;

/** One account of a fault plan: a source login and where it goes. */
export interface FaultAccount {
  src: SampleAccount;
  dst: { user: string; password: string };
}

export interface FaultPlanOptions {
  src: { port: number };
  dst: { port: number };
  accounts: FaultAccount[];
  /** The servers' `timeoutMs` (default 10 s). */
  timeoutMs?: number;
  /** Top-level YAML after the accounts; default small batches, two connections, fast retries. */
  extra?: string;
}

let planCount = 0;

/**
 * Writes a plan reaching both servers on 127.0.0.1 at the given ports with `security: none` (a proxy
 * must read the commands) and secrets in files.
 * @returns the plan's path and a fresh (absent) state directory for it.
 */
export function writeFaultPlan(
  env: MigrationEnv,
  opts: FaultPlanOptions,
): { planPath: string; stateDir: string } {
  const n = ++planCount;
  const timeout = opts.timeoutMs ?? 10_000;
  const server = (port: number, max: number) =>
    `{ host: 127.0.0.1, port: ${port}, security: none, maxConnections: ${max}, timeoutMs: ${timeout} }`;
  const lines = [
    'version: 1',
    `name: fault-${n}`,
    `source: ${server(opts.src.port, 20)}`,
    `destination: ${server(opts.dst.port, 40)}`,
    'accounts:',
  ];
  for (const [i, a] of opts.accounts.entries()) {
    const file = (side: string) => `secrets/p${n}-${i}-${side}.txt`;
    writeFileSync(join(env.dir, file('src')), `${a.src.password}\n`, { mode: 0o600 });
    writeFileSync(join(env.dir, file('dst')), `${a.dst.password}\n`, { mode: 0o600 });
    lines.push(`  - source: { user: "${a.src.user}", passwordFile: "${file('src')}" }`);
    lines.push(`    destination: { user: "${a.dst.user}", passwordFile: "${file('dst')}" }`);
  }
  const planPath = join(env.dir, `plan-${n}.yaml`);
  const extra =
    opts.extra ??
    'limits: { batchMessages: 4, connectionsPerAccount: 2, retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 400 } }';
  writeFileSync(planPath, `${lines.join('\n')}\n${extra}\n`);
  const stateDir = join(env.dir, `state-${n}`);
  rmSync(stateDir, { recursive: true, force: true });
  return { planPath, stateDir };
}

/** An in-process run's outcome, with its log lines. */
export interface FaultRun {
  summary?: RunSummary;
  error?: unknown;
  events: EngineEvent[];
  /** The run's log lines (pino objects): `msg` and fields. */
  logs: { msg?: string; [field: string]: unknown }[];
  ms: number;
}

/** The lines a run added to the log of a state directory (JSON lines: pino objects). */
export function logLinesSince(stateDir: string, offset: number): FaultRun['logs'] {
  const log = join(stateDir, 'run.log');
  if (!existsSync(log)) return [];
  return readFileSync(log)
    .subarray(offset)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FaultRun['logs'][number]);
}

/** The size of a state directory's log now: where the next run's lines start. */
export function logOffset(stateDir: string): number {
  const log = join(stateDir, 'run.log');
  return existsSync(log) ? statSync(log).size : 0;
}

/** Runs a plan in this process as `mailshift run` does, with the plan's own retry settings. */
export async function runFaultPlan(
  planPath: string,
  stateDir: string,
  stepHook?: (step: string) => void,
): Promise<FaultRun> {
  const started = Date.now();
  const offset = logOffset(stateDir);
  const run = await runPlanInProcess(planPath, stateDir, stepHook ? { stepHook } : {});
  return { ...run, logs: logLinesSince(stateDir, offset), ms: Date.now() - started };
}

/** Source folder -> destination folder, and every message row, as the state records them. */
export function stateRows(stateDir: string, account: string) {
  const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
  try {
    return {
      folders: new Map(store.folders(account).map((f) => [f.source_path, f.dest_path])),
      messages: store.accountMessages(account),
    };
  } finally {
    store.close();
  }
}

/** Messages in a mailbox, over all folders. */
export function totalMessages(box: Map<string, StoredMessage[]>): number {
  return [...box.values()].reduce((s, l) => s + l.length, 0);
}

/**
 * The destination holds every source message exactly once: per folder the multiset of (bytes,
 * flags, date) equals the source's, and both mailboxes hold as many messages.
 */
export async function assertCompleteCopy(
  env: MigrationEnv,
  stateDir: string,
  src: SampleAccount,
  dst: { user: string; password: string },
): Promise<void> {
  const from = await readMailbox(env.src, src.user, src.password);
  const to = await readMailbox(env.dst, dst.user, dst.password);
  const { folders } = stateRows(stateDir, src.user);
  for (const [folder, messages] of from) {
    const target = folders.get(folder);
    assert.ok(target, `${src.user}: folder ${folder} was not synced`);
    assert.deepEqual(
      contentKey(to.get(target) ?? []),
      contentKey(messages),
      `${src.user}: ${folder} -> ${target}`,
    );
  }
  const a = totalMessages(to);
  const b = totalMessages(from);
  assert.equal(a, b, `${dst.user}: ${a} messages on the destination, ${b} on the source`);
}
