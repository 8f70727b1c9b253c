/**
 * Migrations between provider-shaped servers for the integration tests of issue 18: a plan file
 * whose sides are any two servers (a Gmail-shaped Dovecot, through the X-GM-EXT-1 proxy or not, a
 * Microsoft-365-shaped one, a plain destination), with secrets in files, and helpers to run
 * `mailshift run`, `report` and `verify` in-process through the CLI's own `runCli`, and to read
 * back what a mailbox holds by message.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as runCliInProcess } from '../../src/cli/cli.js';
import { imapWiring } from '../../src/cli/imap-wiring.js';
import { parseVerifyReport } from '../../src/report/verify-json.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { connectPlain } from './dovecot.js';
import { messageKey } from './gmail-labels.js';
import { headerOf } from './gmail-shape.js';
import { runPlanInProcess, type InProcessRun } from './migration-env.js';

/** One side of a plan: where the server is and how mailshift reaches it. */
export interface PlanSide {
  host: '127.0.0.1';
  port: number;
  security: 'none' | 'starttls' | 'tls';
  /** Extra YAML fields of the server (provider, maxConnections...). */
  extra?: string;
}

/** One account of the plan. */
export interface PlanAccountLogins {
  source: { user: string; password: string };
  destination: { user: string; password: string };
}

/** A plan file in a temporary folder, with its state directory. */
export interface ProviderPlan {
  dir: string;
  planPath: string;
  stateDir: string;
  remove(): void;
}

function server(side: PlanSide): string {
  const tls = side.security === 'none' ? '' : ', tlsVerify: false';
  return `{ host: ${side.host}, port: ${side.port}, security: ${side.security}${tls}${side.extra ? `, ${side.extra}` : ''} }`;
}

/** Writes a plan for two servers and some accounts; `extraYaml` adds top-level sections. */
export function writeProviderPlan(
  source: PlanSide,
  destination: PlanSide,
  accounts: PlanAccountLogins[],
  extraYaml = '',
): ProviderPlan {
  const dir = mkdtempSync(join(tmpdir(), 'mailshift-provider-'));
  mkdirSync(join(dir, 'secrets'));
  const lines = [
    'version: 1',
    'name: provider-test',
    `source: ${server(source)}`,
    `destination: ${server(destination)}`,
    'accounts:',
  ];
  accounts.forEach((a, i) => {
    writeFileSync(join(dir, `secrets/src-${i}.txt`), `${a.source.password}\n`, { mode: 0o600 });
    writeFileSync(join(dir, `secrets/dst-${i}.txt`), `${a.destination.password}\n`, { mode: 0o600 });
    lines.push(`  - source: { user: "${a.source.user}", passwordFile: "secrets/src-${i}.txt" }`);
    lines.push(`    destination: { user: "${a.destination.user}", passwordFile: "secrets/dst-${i}.txt" }`);
  });
  const planPath = join(dir, 'plan.yaml');
  writeFileSync(planPath, `${lines.join('\n')}\n${extraYaml}\n`);
  return {
    dir,
    planPath,
    stateDir: join(dir, 'state'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `mailshift run` in this process, with quick retries. */
export function runProviderPlan(plan: ProviderPlan): Promise<InProcessRun> {
  return runPlanInProcess(plan.planPath, plan.stateDir, {
    retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 200 },
  });
}

/** Any mailshift command in this process (production IMAP wiring); its exit code and output. */
export async function cliInProcess(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const outcome = await runCliInProcess(args, {
    ...imapWiring(),
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    reporters: [],
  });
  return { code: outcome.code, stdout, stderr };
}

/** `mailshift verify --json` in this process: the exit code and the parsed report. */
export async function verifyProviderPlan(
  plan: ProviderPlan,
): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  const res = await cliInProcess(['verify', plan.planPath, '--state-dir', plan.stateDir, '--json']);
  if (!res.stdout.trim().startsWith('{')) throw new Error(`no JSON report:\n${res.stdout}\n${res.stderr}`);
  return { code: res.code, report: parseVerifyReport(res.stdout), stderr: res.stderr };
}

/** `mailshift report --format json` in this process: the exit code and the JSON report file. */
export async function reportProviderPlan(
  plan: ProviderPlan,
): Promise<{ code: number; json: unknown; stdout: string; markdown: string }> {
  const out = join(plan.dir, 'reports');
  const res = await cliInProcess([
    'report',
    plan.planPath,
    '--state-dir',
    plan.stateDir,
    '--format',
    'json,md',
    '--out',
    out,
  ]);
  const files = readdirSync(out);
  const json = files.find((f) => f.endsWith('.json'));
  const md = files.find((f) => f.endsWith('.md'));
  if (!json || !md) throw new Error(`no report written:\n${res.stdout}\n${res.stderr}`);
  return {
    code: res.code,
    json: JSON.parse(readFileSync(join(out, json), 'utf8')) as unknown,
    stdout: res.stdout + res.stderr,
    markdown: readFileSync(join(out, md), 'utf8'),
  };
}

/** One message as a mailbox holds it: its key in the sample (Message-ID or header hash) and flags. */
export interface HeldMessage {
  key: string;
  uid: number;
  flags: string[];
}

/** Every selectable folder of a mailbox and its messages, read-only. */
export async function mailboxContents(
  target: { host: string; port: number },
  user: string,
  password: string,
): Promise<Map<string, HeldMessage[]>> {
  const client = await connectPlain(target, user, password);
  const out = new Map<string, HeldMessage[]>();
  try {
    for (const box of await client.list()) {
      if (box.flags.has('\\Noselect')) continue;
      const opened = await client.mailboxOpen(box.path, { readOnly: true });
      const held: HeldMessage[] = [];
      if (opened.exists > 0) {
        for await (const m of client.fetch('1:*', { uid: true, flags: true, headers: true }, { uid: true })) {
          held.push({
            key: messageKey(headerOf(m.headers ?? Buffer.alloc(0))),
            uid: m.uid,
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
          });
        }
      }
      out.set(box.path, held);
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return out;
}

/** Deletes (and expunges) the messages of a folder whose key is listed: mail lost on the destination. */
export async function deleteMessages(
  target: { host: string; port: number },
  user: string,
  password: string,
  folder: string,
  keys: readonly string[],
): Promise<number> {
  const held = (await mailboxContents(target, user, password)).get(folder) ?? [];
  const uids = held.filter((m) => keys.includes(m.key)).map((m) => m.uid);
  if (uids.length === 0) return 0;
  const client = await connectPlain(target, user, password);
  try {
    await client.mailboxOpen(folder);
    await client.messageDelete(uids.join(','), { uid: true });
  } finally {
    await client.logout().catch(() => client.close());
  }
  return uids.length;
}
