/**
 * Runs of the whole CLI over in-memory servers, for the unit suite: in this process through
 * `runCli` (migration-env.ts's in-process run with the memory wiring), and what a destination holds
 * as the crash tests compare it.
 */
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore, type AccountCounts } from '../../src/state/checkpoint-store.js';
import { COMPANY, DESTINATION_HOST, type CompanyAccount } from './memory-company.js';
import { MemoryNetwork, type Fault } from './memory-server.js';
import { memoryWiring } from './memory-wiring.js';
import { runPlanInProcess, type InProcessOptions, type InProcessRun } from './migration-env.js';

/** Runs `mailshift run` in this process over the memory servers of `serversFile`. */
export function runMemoryPlan(
  planPath: string,
  stateDir: string,
  serversFile: string,
  opts: Omit<InProcessOptions, 'wiring'> = {},
): Promise<InProcessRun> {
  return runPlanInProcess(planPath, stateDir, { ...opts, wiring: memoryWiring(serversFile) });
}

/** A fresh copy of the seeded servers and an absent state directory under `dir`. */
export function freshCopy(seedFile: string, dir: string): { serversFile: string; stateDir: string } {
  mkdirSync(dir, { recursive: true });
  const serversFile = join(dir, 'servers.json');
  copyFileSync(seedFile, serversFile);
  return { serversFile, stateDir: join(dir, 'state') };
}

/**
 * What the destination holds, per account and folder: the sorted multiset of its messages as
 * "sha256 flags internal-date" (equal iff the same messages, flags and dates, duplicates counted).
 */
export function destinationContent(
  serversFile: string,
  accounts: readonly CompanyAccount[] = COMPANY,
): Record<string, string[]> {
  const server = MemoryNetwork.open(serversFile).server(DESTINATION_HOST)!;
  const out: Record<string, string[]> = {};
  for (const a of accounts) {
    for (const [path, messages] of server.mailbox(a.user)!.digest()) {
      out[`${a.user} ${path}`] = messages
        .map((m) => `${m.sha256} ${m.flags.join(',')} ${m.internalDate}`)
        .sort();
    }
  }
  return out;
}

/** The destination folders that are subscribed, per account: "user folder" sorted. */
export function destinationSubscriptions(
  serversFile: string,
  accounts: readonly CompanyAccount[] = COMPANY,
): string[] {
  const server = MemoryNetwork.open(serversFile).server(DESTINATION_HOST)!;
  return accounts
    .flatMap((a) =>
      server
        .mailbox(a.user)!
        .folders.filter((f) => f.subscribed)
        .map((f) => `${a.user} ${f.path}`),
    )
    .sort();
}

/** Runs `fn` on every item, at most `limit` at a time. */
export async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/**
 * A scratch directory for runs over memory servers: in RAM (/dev/shm) where there is one, since
 * every checkpoint intent is fsynced and every server change renamed into place, and a test that
 * SIGKILLs processes needs neither to reach a disk (the page cache survives a killed process).
 */
export function scratchDir(prefix: string): string {
  let base = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    base = '/dev/shm';
  } catch {
    /* no RAM disk: the system's temporary folder */
  }
  return mkdtempSync(join(base, prefix));
}

/** Arms a fault in a servers file. */
export function armFault(serversFile: string, fault: Fault): void {
  MemoryNetwork.open(serversFile).addFault(fault);
}

/** How often each armed fault of a servers file has fired. */
export function firedFaults(serversFile: string): number[] {
  return MemoryNetwork.open(serversFile).faults.map((f) => f.fired ?? 0);
}

/** Per-account message counts of a state directory (copied, present, appending...). */
export function stateCounts(stateDir: string): AccountCounts[] {
  const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
  try {
    return store.counts();
  } finally {
    store.close();
  }
}

/** Resolves once `check` holds, polling every 20 ms. @throws Error after `timeoutMs` */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
