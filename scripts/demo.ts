/**
 * `npm run demo`: the main job end to end on an embedded default. Starts two local Dovecot
 * servers (a cPanel-style source and a modern destination), fills the source with the sample
 * company, then runs every mailshift command a user would: plan, report, run (killed half-way
 * to show a resume), status, a delta run after new mail, and verify. Everything stays on
 * 127.0.0.1 and every server is stopped at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { connectPlain, startDovecot, type DovecotServer } from '../test/harness/dovecot.js';
import { testEntry } from '../test/harness/test-entry.js';
import {
  destinationPassword,
  destinationUsers,
  sampleCompany,
  sampleTotals,
  seedSource,
  sourceUsers,
  type SampleAccount,
} from '../test/harness/sample-company.js';

const ROOT = resolve(import.meta.dirname, '..');
const WORK = join(ROOT, '.mailshift', 'demo-workspace');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function banner(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

/**
 * Runs a mailshift command as a user would, showing it and its output. A crash after N checkpoint
 * steps runs the same command through the tests' entry (test/harness/cli-entry.ts), which kills
 * itself with SIGKILL there: the bin has no such hook.
 */
function mailshift(args: string[], crash?: { afterSteps: number }): number {
  process.stdout.write(
    `$ mailshift ${args.map((a) => (a.startsWith('/') ? relative(ROOT, a) : a)).join(' ')}\n`,
  );
  const program = crash ? [testEntry(), '--kill-after-steps', String(crash.afterSteps), '--'] : [CLI];
  const res = spawnSync(process.execPath, [...program, ...args], { stdio: 'inherit' });
  process.stdout.write(`(exit code ${res.status ?? res.signal})\n`);
  return res.status ?? 1;
}

function availableCommands(): Set<string> {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
  return new Set([...help.matchAll(/^\s+mailshift (\w+)/gm)].map((m) => m[1]!));
}

function writePlan(src: DovecotServer, dst: DovecotServer, accounts: SampleAccount[]): string {
  mkdirSync(join(WORK, 'secrets'), { recursive: true });
  const lines = [
    '# Demo plan written by scripts/demo.ts: a cPanel-style source and a modern destination on loopback.',
    'version: 1',
    'name: demo',
    `source: { host: 127.0.0.1, port: ${src.tlsPort}, security: tls, tlsVerify: false }  # self-signed test certificate`,
    `destination: { host: 127.0.0.1, port: ${dst.port}, security: starttls, tlsVerify: false }`,
    'report: { lang: en, client: "ACME Sp. z o.o." }',
    'accounts:',
  ];
  for (const a of accounts) {
    const local = a.user.split('@')[0]!;
    writeFileSync(join(WORK, 'secrets', `old-${local}.txt`), `${a.password}\n`, { mode: 0o600 });
    writeFileSync(join(WORK, 'secrets', `new-${local}.txt`), `${destinationPassword(a)}\n`, { mode: 0o600 });
    lines.push(`  - source: { user: ${a.user}, passwordFile: secrets/old-${local}.txt }`);
    lines.push(`    destination: { user: ${a.user}, passwordFile: secrets/new-${local}.txt }`);
  }
  lines.push('addresses:');
  for (const a of accounts) lines.push(`  - { address: ${a.user}, kind: mailbox }`);
  lines.push('  - { address: biuro@acme.example, kind: alias, target: kontakt@acme.example }');
  const path = join(WORK, 'demo.yaml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function newMail(src: DovecotServer, account: SampleAccount): Promise<void> {
  const client = await connectPlain(src, account.user, account.password);
  for (let i = 1; i <= 3; i++) {
    const raw = Buffer.from(
      `From: Nowy Klient <zamowienia@nowy-klient.example>\r\nTo: ${account.user}\r\n` +
        `Subject: Zamowienie po migracji nr ${i}\r\nMessage-ID: <demo-delta-${i}@nowy-klient.example>\r\n` +
        `Date: Tue, 24 Nov 2026 10:0${i}:00 +0100\r\n\r\nProsze o wycene.\r\n`,
    );
    await client.append('INBOX', raw, [], new Date());
  }
  await client.logout();
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const accounts = sampleCompany();
  const totals = sampleTotals(accounts);
  banner('Starting two local IMAP servers (Dovecot) on 127.0.0.1');
  const src = await startDovecot({ flavor: 'source', users: sourceUsers(accounts) });
  const dst = await startDovecot({ flavor: 'destination', users: destinationUsers(accounts) });
  try {
    process.stdout.write(
      `source      127.0.0.1:${src.tlsPort} (TLS)      prefix "INBOX.", separator ".", no SPECIAL-USE\n`,
    );
    process.stdout.write(
      `destination 127.0.0.1:${dst.port} (STARTTLS) no prefix, separator "/", SPECIAL-USE folders\n`,
    );
    banner(
      `Filling the source with the sample company: ${totals.accounts} accounts, ${totals.folders} folders, ${totals.messages} messages`,
    );
    await seedSource(src, accounts);
    const plan = writePlan(src, dst, accounts);
    const state = join(WORK, 'state');
    process.stdout.write(`plan file: ${relative(ROOT, plan)}\n`);
    const have = availableCommands();
    const step = (cmd: string, title: string, args: string[], crash?: { afterSteps: number }) => {
      if (!have.has(cmd)) return;
      banner(title);
      mailshift([cmd, plan, '--state-dir', state, ...args], crash);
    };
    step('plan', 'Plan: discover folders on both sides and propose the mapping', []);
    step('report', 'Dry-run report for the client (nothing is written anywhere)', []);
    step('run', 'Run, simulating a crash (kill -9) after 25 checkpoint steps', [], { afterSteps: 25 });
    step('status', 'Status after the crash, from the saved state alone', []);
    step('run', 'Run again: resumes where it stopped, copies nothing twice', []);
    step('run', 'Run once more: nothing new, nothing copied', []);
    banner('New mail arrives on the old server after the DNS cutover');
    await newMail(src, accounts[0]!);
    process.stdout.write(`3 new messages appended to ${accounts[0]!.user} INBOX on the source\n`);
    step('run', 'Delta run: copies only the new mail', []);
    step('status', 'Status, from the saved state alone', []);
    step('verify', 'Verify: every source message is on the destination', []);
  } finally {
    await Promise.allSettled([src.stop(), dst.stop()]);
    banner('Servers stopped. Demo files are in .mailshift/demo-workspace/');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
