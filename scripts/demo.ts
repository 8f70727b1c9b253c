/**
 * `npm run demo`: the cutover story end to end on an embedded default, in about a minute. Starts
 * two local Dovecot servers (a cPanel-style source and a modern destination), fills the source with
 * the sample company, then does what the IT specialist does: plan, the dry-run report, a first copy
 * (killed half-way to show that nothing is lost), then `mailshift sync` with the dashboard open
 * while the company keeps working on the old server: mail arrives, a scheduled delta pass copies
 * it, the cutover comes, the final pass runs, and `report --final` hands over the proof. Everything
 * stays on 127.0.0.1; the servers and the dashboard are stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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

/** Starts a long-running mailshift command, its output lines shown with a prefix and passed to `onLine`. */
function background(args: string[], prefix: string, onLine: (line: string) => void = () => {}): ChildProcess {
  process.stdout.write(
    `$ mailshift ${args.map((a) => (a.startsWith('/') ? relative(ROOT, a) : a)).join(' ')} &\n`,
  );
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        process.stdout.write(`${prefix} ${line}\n`);
        onLine(line);
      }
    });
  }
  return child;
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

/** Seconds from the start of the sync to the cutover: a first pass, a delta pass, the final pass. */
const CUTOVER_AFTER_S = 24;
/** The demo's interval between passes (a real one is minutes: 15m by default). */
const EVERY = '10s';

/**
 * The days between the first copy and the MX switch, in half a minute: `mailshift sync` keeps the
 * new server in step while the dashboard shows it; mail arrives and a scheduled pass copies it;
 * at the cutover the final pass runs and the sync ends; then the handover report.
 */
async function cutoverStory(src: DovecotServer, account: SampleAccount, plan: string, state: string) {
  banner('The dashboard: a local web page of the migration (it contacts no mail server)');
  let url = '';
  const dashboard = background(
    ['dashboard', plan, '--state-dir', state, '--port', '0'],
    '  [dashboard]',
    (l) => {
      url ||= /https?:\/\/\S+/.exec(l)?.[0] ?? '';
    },
  );
  try {
    const cutover = new Date(Date.now() + CUTOVER_AFTER_S * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    banner(`Sync until the cutover (${cutover}): a pass every ${EVERY}, then one final pass`);
    let mail: Promise<void> | undefined;
    const sync = background(
      ['sync', plan, '--state-dir', state, '--every', EVERY, '--cutover', cutover, '--no-idle'],
      '  [sync]',
      (line) => {
        if (mail || line !== 'sync: pass 1 complete') return;
        mail = newMail(src, account).then(() => {
          process.stdout.write(
            `\n  (meanwhile the company keeps working: 3 new messages arrive in ${account.user} INBOX on the old server)\n` +
              `  (open ${url || 'the dashboard'} to watch the next pass; \`status\` works too)\n\n`,
          );
        });
      },
    );
    const [code] = (await once(sync, 'close')) as [number | null];
    await mail;
    process.stdout.write(`(sync exit code ${code})\n`);
  } finally {
    dashboard.kill('SIGTERM');
    await once(dashboard, 'close');
    process.stdout.write(`dashboard ${url} stopped\n`);
  }
  banner('After the MX switch: the handover report for the client (verify runs as part of it)');
  mailshift(['report', plan, '--final', '--state-dir', state]);
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
    step('run', 'First copy, days ahead: simulating a crash (kill -9) after 25 checkpoint steps', [], {
      afterSteps: 25,
    });
    step('status', 'Status after the crash, from the saved state alone', []);
    if (have.has('sync') && have.has('dashboard')) await cutoverStory(src, accounts[0]!, plan, state);
    else {
      step('run', 'Run again: resumes where it stopped, copies nothing twice', []);
      banner('New mail arrives on the old server after the DNS cutover');
      await newMail(src, accounts[0]!);
      step('run', 'Delta run: copies only the new mail', []);
      step('verify', 'Verify: every source message is on the destination', []);
    }
  } finally {
    await Promise.allSettled([src.stop(), dst.stop()]);
    banner('Servers stopped. Demo files are in .mailshift/demo-workspace/');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
