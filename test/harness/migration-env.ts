/**
 * A ready migration for integration tests: a source and a destination Dovecot, the sample company
 * (or given accounts) seeded on the source, a plan file with secrets in files, and helpers to run
 * mailshift in-process (the CLI's own `runCli`, with its lock, log and reporters) or as the real
 * CLI, and to read back what a server holds.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli as runCliInProcess } from '../../src/cli/cli.js';
import { imapWiring } from '../../src/cli/imap-wiring.js';
import type { CliWiring } from '../../src/cli/wiring.js';
import type { EngineEvent } from '../../src/core/events.js';
import type { RunSummary } from '../../src/engine/migrate.js';
import type { CheckpointStore } from '../../src/state/checkpoint-store.js';
import type { CliResult } from './test-entry.js';
import { connectPlain, startDovecot, type DovecotOptions, type DovecotServer } from './dovecot.js';
import {
  destinationPassword,
  destinationUsers,
  sampleCompany,
  seedSource,
  sourceUsers,
  type SampleAccount,
} from './sample-company.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'dist/cli/main.js');

export interface MigrationEnv {
  src: DovecotServer;
  dst: DovecotServer;
  accounts: SampleAccount[];
  dir: string;
  planPath: string;
  stateDir: string;
  /** Rewrites the plan file with extra top-level YAML (limits, folders, ...). */
  writePlan(extraYaml?: string, accounts?: SampleAccount[], destination?: DestinationOf): void;
  stop(): Promise<void>;
}

export interface EnvOptions {
  accounts?: SampleAccount[];
  /** Extra destination users (e.g. one per crash-loop iteration). */
  extraDestinationUsers?: { user: string; password: string }[];
  source?: Partial<DovecotOptions>;
  destination?: Partial<DovecotOptions>;
  planYaml?: string;
  seed?: boolean;
}

/** Where an account goes on the destination: same address by default. */
export type DestinationOf = (a: SampleAccount) => { user: string; password: string };

const sameAddress: DestinationOf = (a) => ({ user: a.user, password: destinationPassword(a) });

function planText(env: MigrationEnv, accounts: SampleAccount[], extra: string, dest: DestinationOf): string {
  const lines = [
    'version: 1',
    'name: test',
    `source: { host: 127.0.0.1, port: ${env.src.tlsPort}, security: tls, tlsVerify: false, maxConnections: 20 }`,
    `destination: { host: 127.0.0.1, port: ${env.dst.port}, security: starttls, tlsVerify: false, maxConnections: 40 }`,
    'accounts:',
  ];
  for (const a of accounts) {
    const file = (side: string) => `secrets/${side}-${a.user}.txt`;
    writeFileSync(join(env.dir, file('src')), `${a.password}\n`, { mode: 0o600 });
    const d = dest(a);
    writeFileSync(join(env.dir, file('dst')), `${d.password}\n`, { mode: 0o600 });
    lines.push(`  - source: { user: "${a.user}", passwordFile: "${file('src')}" }`);
    lines.push(`    destination: { user: "${d.user}", passwordFile: "${file('dst')}" }`);
  }
  return `${lines.join('\n')}\n${extra}\n`;
}

/** Starts both servers, seeds the source and writes the plan. Call `stop()` in `after`. */
export async function startMigrationEnv(opts: EnvOptions = {}): Promise<MigrationEnv> {
  const accounts = opts.accounts ?? sampleCompany();
  const src = await startDovecot({ flavor: 'source', users: sourceUsers(accounts), ...opts.source });
  let dst: DovecotServer;
  try {
    dst = await startDovecot({
      flavor: 'destination',
      users: [...destinationUsers(accounts), ...(opts.extraDestinationUsers ?? [])],
      ...opts.destination,
    });
  } catch (err) {
    await src.stop();
    throw err;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-test-'));
  mkdirSync(join(dir, 'secrets'));
  const env: MigrationEnv = {
    src,
    dst,
    accounts,
    dir,
    planPath: join(dir, 'plan.yaml'),
    stateDir: join(dir, 'state'),
    writePlan: (extra = '', list = accounts, dest = sameAddress) =>
      writeFileSync(env.planPath, planText(env, list, extra, dest)),
    stop: async () => {
      await Promise.allSettled([src.stop(), dst.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  env.writePlan(opts.planYaml ?? '');
  if (opts.seed !== false) await seedSource(src, accounts);
  return env;
}

/** Result of an in-process run. */
export interface InProcessRun {
  summary?: RunSummary;
  error?: unknown;
  events: EngineEvent[];
  /** The exit code `mailshift run` would have ended with. */
  code: number;
  stdout: string;
  stderr: string;
}

/** How an in-process run is set up. */
export interface InProcessOptions {
  /** Called after each committed checkpoint step (throw to simulate a crash). */
  stepHook?: (step: string) => void;
  /** Sees the command's checkpoint store once it is open (to watch what is read of it). */
  onStore?: (store: CheckpointStore) => void;
  /** Overrides the plan's retry settings. */
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Source messages per slice of a big folder's verify (src/verify/verify-slices.ts). */
  verifySliceMessages?: number;
  /** Source messages per slice of a big folder's copy (src/engine/folder-prepare.ts). */
  copySliceMessages?: number;
  /** How servers are reached: the production IMAP wiring by default. */
  wiring?: Pick<CliWiring, 'connectors' | 'readers' | 'inboxWake'>;
  /** More arguments after `run <plan> --state-dir <dir>`. */
  args?: string[];
}

/**
 * Runs `mailshift run` in this process through the CLI's own composition (`runCli`): plan, state
 * directory, lock, log, reporters and signal handling as the bin builds them, its output kept.
 */
export async function runPlanInProcess(
  planPath: string,
  stateDir: string,
  opts: InProcessOptions = {},
): Promise<InProcessRun> {
  return runCommandInProcess(['run', planPath, '--state-dir', stateDir, ...(opts.args ?? [])], opts);
}

/**
 * Runs any mailshift command line in this process through `runCli`, its output kept; `onStdout`
 * sees each write as it happens (a test may act between a sync's passes).
 */
export async function runCommandInProcess(
  argv: string[],
  opts: Omit<InProcessOptions, 'args'> & { onStdout?: (text: string) => void } = {},
): Promise<InProcessRun> {
  const events: EngineEvent[] = [];
  let stdout = '';
  let stderr = '';
  const outcome = await runCliInProcess(argv, {
    ...(opts.wiring ?? imapWiring()),
    io: {
      stdout: {
        write: (s: string) => {
          stdout += s;
          opts.onStdout?.(s);
        },
      },
      stderr: { write: (s: string) => (stderr += s) },
    },
    reporters: [{ emit: (e) => events.push(e) }],
    ...(opts.stepHook || opts.onStore
      ? {
          onStore: (store: CheckpointStore) => {
            if (opts.stepHook) store.setStepHook(opts.stepHook);
            opts.onStore?.(store);
          },
        }
      : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.verifySliceMessages ? { verifySliceMessages: opts.verifySliceMessages } : {}),
    ...(opts.copySliceMessages ? { copySliceMessages: opts.copySliceMessages } : {}),
  });
  return {
    ...(outcome.summary ? { summary: outcome.summary } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    events,
    code: outcome.code,
    stdout,
    stderr,
  };
}

/** Runs the environment's plan in this process, with quick retries. */
export async function runInProcess(
  env: MigrationEnv,
  opts: Pick<InProcessOptions, 'stepHook' | 'copySliceMessages'> = {},
): Promise<InProcessRun> {
  return runPlanInProcess(env.planPath, env.stateDir, {
    ...opts,
    retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 200 },
  });
}

export type { CliResult } from './test-entry.js';

/** Runs the built CLI (`dist/cli/main.js`) with arguments and extra environment. */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

/** One stored message, as compared between servers. */
export interface StoredMessage {
  uid: number;
  sha256: string;
  flags: string[];
  internalDate: number;
  size: number;
}

/** Every folder's messages (raw hash, flags, INTERNALDATE) of a mailbox, read-only. */
export async function readMailbox(
  server: DovecotServer,
  user: string,
  pass: string,
): Promise<Map<string, StoredMessage[]>> {
  const client = await connectPlain(server, user, pass);
  const out = new Map<string, StoredMessage[]>();
  try {
    for (const box of await client.list()) {
      if (box.flags.has('\\Noselect')) continue;
      const list: StoredMessage[] = [];
      const opened = await client.mailboxOpen(box.path, { readOnly: true });
      if (opened.exists > 0) {
        for await (const m of client.fetch(
          '1:*',
          { uid: true, flags: true, internalDate: true, source: true },
          { uid: true },
        )) {
          list.push({
            uid: m.uid,
            sha256: createHash('sha256')
              .update(m.source ?? Buffer.alloc(0))
              .digest('hex'),
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            internalDate: new Date(m.internalDate ?? 0).getTime(),
            size: m.source?.length ?? 0,
          });
        }
      }
      out.set(box.path, list);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return out;
}

/** A folder's content as a sorted multiset of "hash flags date" lines: equal iff same messages. */
export function contentKey(messages: StoredMessage[]): string[] {
  return messages.map((m) => `${m.sha256} ${m.flags.join(',')} ${m.internalDate}`).sort();
}

/** The destination password of a sample account. */
export { connectPlain, destinationPassword };
