/**
 * `mailshift report` against two real Dovecot servers. The counts, sizes and dates of the sample
 * company come out as seeded and as the source's own STATUS says; every problem category is found
 * by a plan or server built to trigger it; Dovecot's rawlog (every command each connection sent)
 * shows that no report sent APPEND, CREATE, STORE, EXPUNGE, DELETE, SUBSCRIBE or even SELECT, and
 * both servers' full state is unchanged; the HTML opens in headless Chromium with every section
 * and no console message, and a screenshot is kept.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DryRunReport, FolderRow, Problem, ProblemKind } from '../../src/report/dry-run-model.js';
import { parseDryRunReport } from '../../src/report/dry-run-model.js';
import { renderPage, screenshotPage } from '../harness/chromium.js';
import type { DovecotServer } from '../harness/dovecot.js';
import {
  connectPlain,
  destinationPassword,
  runInProcess,
  runCli,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';
import {
  destinationUsers,
  sampleCompany,
  sampleTotals,
  serverPath,
  type SampleAccount,
} from '../harness/sample-company.js';

/** Screenshots outlive the servers' temporary folders, so they can be looked at after the run. */
const SHOTS = mkdtempSync(join(tmpdir(), 'mailshift-report-shots-'));

// ---------------------------------------------------------------------------------------------
// Command recording: Dovecot's rawlog writes every line each IMAP connection received.

interface Recorder {
  dir: string;
  config: string;
}

function recorder(root: string, side: string): Recorder {
  const dir = join(root, side);
  mkdirSync(dir, { recursive: true });
  // The imap processes run as `mail` when the tests run as root.
  if (process.getuid?.() === 0) chownSync(dir, 8, 8);
  return { dir, config: `protocol imap {\n  rawlog_dir = ${dir}\n}\n` };
}

function clearRecording(r: Recorder): void {
  for (const f of readdirSync(r.dir)) rmSync(join(r.dir, f), { force: true });
}

/** Every command the server received: "TAG COMMAND args" lines of the `.in` rawlogs, timestamps cut. */
function recordedCommands(r: Recorder): string[] {
  return readdirSync(r.dir)
    .filter((f) => f.endsWith('.in'))
    .flatMap((f) => readFileSync(join(r.dir, f), 'utf8').split('\n'))
    .map((l) => l.replace(/^\d+\.\d+ /, ''))
    .filter(Boolean);
}

/** Anything that changes a mailbox, its messages, flags, subscriptions or \Recent state. */
const WRITES =
  /^\S+ (UID )?(APPEND|CREATE|DELETE|RENAME|SUBSCRIBE|UNSUBSCRIBE|STORE|EXPUNGE|COPY|MOVE|SELECT|SETACL|DELETEACL|SETMETADATA|SETQUOTA|SETANNOTATION)\b/i;

const verb = (line: string) => /^\S+ (?:UID )?(\S+)/.exec(line)?.[1]?.toUpperCase();

function assertNothingWritten(recorders: Recorder[]): void {
  const commands = recorders.flatMap(recordedCommands);
  const writes = commands.filter((c) => WRITES.test(c));
  assert.deepEqual(writes, [], 'a report sent a command that writes');
  // The recording did see the reports' reading: an empty log would prove nothing.
  const verbs = new Set(commands.map(verb));
  for (const v of ['LIST', 'EXAMINE', 'FETCH']) assert.ok(verbs.has(v), `no ${v} was recorded`);
}

/** Every message file of the server's maildirs with its content hash (flags live in maildir file names). */
function maildirFiles(server: DovecotServer): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\/(cur|new)\//.test(p))
        out.push(`${p} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(join(server.dir, 'mail'));
  return out.sort();
}

/**
 * The full state of a server for these users: folders, subscriptions, MESSAGES, UIDNEXT,
 * UIDVALIDITY, HIGHESTMODSEQ and UNSEEN of each, and every message file. LIST's \Marked and
 * \UnMarked are left out: they are hints about "new since last selected" (RFC 3501 7.2.2), which an
 * EXAMINE legitimately updates.
 */
async function serverState(
  server: DovecotServer,
  users: { user: string; password: string }[],
): Promise<string[]> {
  const lines: string[] = maildirFiles(server);
  for (const u of users) {
    let client;
    try {
      client = await connectPlain(server, u.user, u.password);
    } catch {
      lines.push(`${u.user} cannot log in`);
      continue;
    }
    try {
      const list = await client.list({
        statusQuery: { messages: true, uidNext: true, uidValidity: true, highestModseq: true, unseen: true },
      });
      for (const f of list) {
        const st = f.status;
        lines.push(
          [
            u.user,
            f.path,
            `sub=${f.subscribed}`,
            [...f.flags]
              .filter((x) => !/^\\(Un)?Marked$/i.test(x))
              .sort()
              .join(','),
            st ? `${st.messages} ${st.uidNext} ${st.uidValidity} ${st.highestModseq} ${st.unseen}` : '-',
          ].join(' | '),
        );
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
  return lines.sort();
}

// ---------------------------------------------------------------------------------------------
// Running the report

interface ReportRun {
  code: number | null;
  stdout: string;
  stderr: string;
  files: string[];
  report: DryRunReport;
}

let runs = 0;

async function report(env: MigrationEnv, extra: string[] = []): Promise<ReportRun> {
  const out = join(env.dir, `reports-${++runs}`);
  const res = await runCli(['report', env.planPath, '--state-dir', env.stateDir, '--out', out, ...extra]);
  const files = res.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(out));
  const json = files.find((f) => f.endsWith('.json'));
  assert.ok(json, `no JSON report printed (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  return { ...res, files, report: parseDryRunReport(readFileSync(json, 'utf8'), json) };
}

function problemsOf(r: DryRunReport, kind: ProblemKind, account?: string): Problem[] {
  return r.problems.filter((p) => p.kind === kind && (account === undefined || p.account === account));
}

function oneProblem(r: DryRunReport, kind: ProblemKind, account?: string): Problem {
  const found = problemsOf(r, kind, account);
  assert.equal(
    found.length,
    1,
    `expected one ${kind} for ${account ?? 'the plan'}, got: ${JSON.stringify(r.problems, null, 1)}`,
  );
  return found[0]!;
}

const sizesOf = (a: SampleAccount) => a.folders.flatMap((f) => f.messages.map((m) => m.raw.length));

const ADDRESSES_OK = `addresses:
  - { address: kontakt@acme.example, kind: mailbox }
  - { address: sprzedaz@acme.example, kind: mailbox }
  - { address: ksiegowosc@acme.example, kind: mailbox }
  - { address: rekrutacja@acme.example, kind: mailbox }
  - { address: biuro@acme.example, kind: alias, target: kontakt@acme.example }
  - { address: oferty@acme.example, kind: alias, target: biuro@acme.example }
  - { address: prezes@acme.example, kind: forward, target: jan.prezes@gmail.example }
`;

// ---------------------------------------------------------------------------------------------

describe('mailshift report: the sample company, nothing blocking (real Dovecot)', () => {
  let env: MigrationEnv;
  let recorders: Recorder[];
  let users: { src: { user: string; password: string }[]; dst: { user: string; password: string }[] };
  let stateBefore: { src: string[]; dst: string[] };
  let first: ReportRun;
  const root = mkdtempSync(join(tmpdir(), 'mailshift-rawlog-'));

  before(async () => {
    chmodSync(root, 0o755);
    recorders = [recorder(root, 'source'), recorder(root, 'destination')];
    const started = Date.now();
    env = await startMigrationEnv({
      source: { extraConfig: recorders[0]!.config },
      destination: { extraConfig: recorders[1]!.config },
      planYaml: `report: { lang: en, client: "ACME Sp. z o.o.", throughput: 20 }\n${ADDRESSES_OK}`,
    });
    process.stderr.write(`# servers up and sample company seeded in ${Date.now() - started} ms\n`);
    users = {
      src: env.accounts.map((a) => ({ user: a.user, password: a.password })),
      dst: env.accounts.map((a) => ({ user: a.user, password: destinationPassword(a) })),
    };
    recorders.forEach(clearRecording);
    stateBefore = { src: await serverState(env.src, users.src), dst: await serverState(env.dst, users.dst) };
    const t = Date.now();
    first = await report(env);
    process.stderr.write(`# report of the sample company took ${Date.now() - t} ms (CLI start to exit)\n`);
  });
  after(async () => {
    await env?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is ready: exit 0, says so, and prints where the three files are', () => {
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.equal(first.report.verdict, 'ready');
    assert.match(first.stdout, /^Ready: nothing blocks the migration\./m);
    assert.deepEqual(
      first.files.map((f) => f.split('.').pop()),
      ['html', 'md', 'json'],
    );
    assert.equal(
      first.report.problems.filter((p) => p.severity !== 'info').length,
      0,
      JSON.stringify(first.report.problems),
    );
  });

  it('counts, sizes and date ranges equal what was seeded and what the source STATUS says', async () => {
    const r = first.report;
    const totals = sampleTotals(env.accounts);
    assert.equal(r.summary.accounts, totals.accounts);
    assert.equal(r.summary.folders, totals.folders);
    assert.equal(r.summary.messages, totals.messages);
    assert.equal(r.summary.bytes, totals.bytes);
    for (const a of env.accounts) {
      const acc = r.accounts.find((x) => x.id === a.user);
      assert.ok(acc, `no account ${a.user}`);
      assert.equal(
        acc.totals.messages,
        a.folders.reduce((s, f) => s + f.messages.length, 0),
      );
      const client = await connectPlain(env.src, a.user, a.password);
      try {
        for (const f of a.folders) {
          const path = serverPath(f.name);
          const row: FolderRow | undefined = acc.folders.find((x) => x.source === path);
          assert.ok(row, `${a.user}: no row for ${path}`);
          assert.equal(row.action, 'copy', `${a.user} ${path}`);
          const bytes = f.messages.reduce((s, m) => s + m.raw.length, 0);
          assert.equal(row.messages, f.messages.length, `${a.user} ${path} messages`);
          assert.equal(row.bytes, bytes, `${a.user} ${path} bytes`);
          const st = (await client.status(path, { messages: true, size: true } as never)) as {
            messages?: number;
            size?: number;
          };
          assert.equal(row.messages, st.messages, `${a.user} ${path}: STATUS MESSAGES`);
          // STATUS=SIZE (RFC 8438): the server's own byte count of the folder.
          if (st.size !== undefined) assert.equal(row.bytes, st.size, `${a.user} ${path}: STATUS SIZE`);
          const times = f.messages.map((m) => Math.floor(m.internalDate.getTime() / 1000) * 1000);
          if (times.length > 0) {
            assert.equal(row.oldest, new Date(Math.min(...times)).toISOString(), `${path} oldest`);
            assert.equal(row.newest, new Date(Math.max(...times)).toISOString(), `${path} newest`);
          } else assert.equal(row.oldest, undefined);
        }
      } finally {
        await client.logout();
      }
      const largest = [...sizesOf(a)].sort((x, y) => y - x).slice(0, 5);
      assert.deepEqual(
        acc.largest.map((m) => m.size),
        largest,
        `${a.user}: largest messages`,
      );
    }
    // The plan's throughput: 216 messages at 20/s.
    assert.equal(r.summary.estimate.basis, 'plan');
    assert.equal(r.summary.estimate.messages, totals.messages);
    assert.equal(r.summary.estimate.seconds, totals.messages / 20);
    // Every listed address lands somewhere; the forward goes outside.
    assert.deepEqual(
      r.addresses.map((x) => `${x.address}:${x.status}:${x.delivers}`),
      [
        'kontakt@acme.example:account:kontakt@acme.example',
        'sprzedaz@acme.example:account:sprzedaz@acme.example',
        'ksiegowosc@acme.example:account:ksiegowosc@acme.example',
        'rekrutacja@acme.example:account:rekrutacja@acme.example',
        'biuro@acme.example:account:kontakt@acme.example',
        'oferty@acme.example:account:kontakt@acme.example',
        'prezes@acme.example:external:jan.prezes@gmail.example',
      ],
    );
  });

  it('sends no command that writes to either server, and leaves both exactly as they were', async () => {
    await report(env, ['--lang', 'pl', '--format', 'json']);
    assertNothingWritten(recorders);
    assert.deepEqual(await serverState(env.src, users.src), stateBefore.src, 'source changed');
    assert.deepEqual(await serverState(env.dst, users.dst), stateBefore.dst, 'destination changed');
  });

  it('renders in Chromium with every section and no console message; screenshot taken', () => {
    const html = first.files.find((f) => f.endsWith('.html'))!;
    const text = readFileSync(html, 'utf8');
    assert.doesNotMatch(
      text,
      /\b(src|href)\s*=|<script|<link|@import|url\(/i,
      'the HTML refers to something outside itself',
    );
    const page = renderPage(html);
    assert.deepEqual(page.console, [], 'console messages');
    assert.deepEqual(page.loadErrors, []);
    for (const id of ['summary', 'problems', 'accounts', 'addresses', 'about']) {
      assert.match(page.dom, new RegExp(`id="${id}"`), `section ${id}`);
    }
    assert.match(page.dom, /Ready to migrate/);
    for (const a of env.accounts) assert.match(page.dom, new RegExp(`<h3>${a.user}</h3>`));
    const png = join(SHOTS, 'report-ready-en.png');
    const shot = screenshotPage(html, png);
    assert.deepEqual(shot.console, []);
    assert.ok(readFileSync(png).subarray(1, 4).toString() === 'PNG');
    process.stderr.write(`# screenshot: ${png}\n`);
  });

  it('after a run, estimates from the measured speed and sees its own copies as no merge', async () => {
    const run = await runInProcess(env);
    assert.ifError(run.error);
    const again = await report(env, ['--format', 'json']);
    const r = again.report;
    assert.equal(r.summary.estimate.basis, 'learned');
    assert.equal(r.summary.estimate.messages, 0, 'everything is copied already');
    assert.ok(r.summary.estimate.throughput > 0);
    assert.equal(problemsOf(r, 'merge-into-existing').length, 0, 'our own copies are not a merge');
    assert.equal(again.code, 0);
    for (const a of r.accounts) assert.equal(a.alreadyCopied.messages, a.totals.messages);
  });
});

describe('mailshift report: every problem category, each triggered on purpose (real Dovecot)', () => {
  const APPENDLIMIT = 25_000;
  const QUOTA_USER = 'rekrutacja@acme.example';
  const QUOTA_BYTES = 200 * 1024;
  let env: MigrationEnv;
  let recorders: Recorder[];
  const root = mkdtempSync(join(tmpdir(), 'mailshift-rawlog-'));
  const accounts = sampleCompany();
  const account = (user: string) => accounts.find((a) => a.user === user)!;

  before(async () => {
    chmodSync(root, 0o755);
    recorders = [recorder(root, 'source'), recorder(root, 'destination')];
    env = await startMigrationEnv({
      accounts,
      source: { extraConfig: recorders[0]!.config },
      destination: {
        quota: true,
        // Dovecot 2.3 does not announce APPENDLIMIT by itself; "+" adds to its own list.
        capabilities: `+APPENDLIMIT=${APPENDLIMIT}`,
        users: destinationUsers(accounts).map((u) =>
          u.user === QUOTA_USER ? { ...u, quotaRule: `*:storage=${QUOTA_BYTES / 1024}K` } : u,
        ),
        extraConfig: recorders[1]!.config,
      },
    });
    // A folder that already holds mail on the destination: the report must call it a merge.
    const client = await connectPlain(
      env.dst,
      'kontakt@acme.example',
      destinationPassword(account('kontakt@acme.example')),
    );
    try {
      await client.mailboxCreate('Klienci');
      for (const n of [1, 2]) {
        await client.append(
          'Klienci',
          Buffer.from(`Subject: earlier ${n}\r\nMessage-ID: <earlier-${n}@acme.example>\r\n\r\nx\r\n`),
        );
      }
    } finally {
      await client.logout();
    }
    recorders.forEach(clearRecording);
  });
  after(async () => {
    await env?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("finds messages over the destination's APPENDLIMIT, per account, as blockers", async () => {
    env.writePlan('');
    const { report: r, code } = await report(env);
    assert.equal(code, 1);
    const dst = r.accounts[0]!;
    assert.equal(
      dst.appendLimit,
      APPENDLIMIT,
      'the destination reader must expose "APPENDLIMIT=25000"; imapflow keeps the value apart from the name',
    );
    for (const a of accounts) {
      const over = sizesOf(a).filter((s) => s > APPENDLIMIT);
      const found = problemsOf(r, 'over-append-limit', a.user);
      if (over.length === 0) {
        assert.equal(found.length, 0, a.user);
        continue;
      }
      const p = oneProblem(r, 'over-append-limit', a.user);
      assert.equal(p.severity, 'blocker');
      assert.equal(p.count, over.length, a.user);
      assert.equal(
        p.bytes,
        over.reduce((s, x) => s + x, 0),
      );
      assert.match(p.items[0]!, /UID \d+/);
    }
  });

  it("finds messages over the plan's limits.maxMessageSize as a warning", async () => {
    env.writePlan('limits: { maxMessageSize: 20000 }');
    const { report: r } = await report(env);
    for (const a of accounts) {
      const over = sizesOf(a).filter((s) => s > 20_000);
      if (over.length === 0) continue;
      const p = oneProblem(r, 'over-plan-limit', a.user);
      assert.equal(p.severity, 'warning');
      assert.equal(p.count, over.length, a.user);
    }
    // The smaller limit wins, as in the engine: nothing is counted twice.
    assert.equal(problemsOf(r, 'over-append-limit').length, 0);
  });

  it('finds a destination quota smaller than what will arrive', async () => {
    env.writePlan('');
    const { report: r } = await report(env);
    const acc = r.accounts.find((a) => a.id === QUOTA_USER)!;
    assert.ok(acc.quota, 'quota read from the destination');
    assert.equal(acc.quota.limit, QUOTA_BYTES);
    const limit = typeof acc.appendLimit === 'number' ? acc.appendLimit : Infinity;
    const incoming = sizesOf(account(QUOTA_USER))
      .filter((s) => s <= limit)
      .reduce((s, x) => s + x, 0);
    assert.equal(acc.quota.incoming, incoming);
    const p = oneProblem(r, 'quota-too-small', QUOTA_USER);
    assert.equal(p.severity, 'blocker');
    assert.equal(p.bytes, incoming - (QUOTA_BYTES - acc.quota.usage));
    // The other accounts have no limit.
    assert.equal(problemsOf(r, 'quota-too-small').length, 1);
  });

  it('finds an account that cannot log in, and still reports the others', async () => {
    env.writePlan('');
    writeFileSync(join(env.dir, 'secrets', 'dst-sprzedaz@acme.example.txt'), 'not-the-password\n');
    const { report: r, code, stdout } = await report(env);
    assert.equal(code, 1);
    const p = oneProblem(r, 'login-failed', 'sprzedaz@acme.example');
    assert.equal(p.severity, 'blocker');
    assert.equal(p.params.side, 'destination');
    assert.equal(p.params.code, 'AUTH_FAILED');
    const acc = r.accounts.find((a) => a.id === 'sprzedaz@acme.example')!;
    assert.equal(acc.login.source.ok, true);
    assert.equal(acc.login.destination.ok, false);
    assert.equal(acc.mapping, 'none');
    assert.ok(acc.folders.every((f) => f.action === 'unknown'));
    assert.equal(problemsOf(r, 'login-failed').length, 1, 'only that account');
    assert.match(stdout, /Cannot log in to the new server as sprzedaz@acme\.example/);
  });

  it('finds an alias with no destination and one pointing to an unknown address', async () => {
    env.writePlan(`addresses:
  - { address: biuro@acme.example, kind: alias, target: kontakt@acme.example }
  - { address: faktury@acme.example, kind: alias }
  - { address: stary@acme.example, kind: alias, target: nieistnieje@acme.example }
  - { address: prezes@acme.example, kind: forward, target: jan.prezes@gmail.example }`);
    const { report: r } = await report(env);
    const lost = oneProblem(r, 'address-unmapped');
    assert.equal(lost.severity, 'blocker');
    assert.equal(lost.count, 1);
    assert.match(lost.items[0]!, /^faktury@acme\.example/);
    assert.match(
      oneProblem(r, 'address-target-unknown').items[0]!,
      /stary@acme\.example -> nieistnieje@acme\.example/,
    );
    const status = Object.fromEntries(r.addresses.map((a) => [a.address, a.status]));
    assert.equal(status['biuro@acme.example'], 'account');
    assert.equal(status['prezes@acme.example'], 'external');
    // Accounts the list forgot are still shown, as mailboxes of the plan.
    assert.equal(r.addresses.filter((a) => !a.listed).length, accounts.length);
  });

  it('finds a merge into a destination folder that already holds mail', async () => {
    env.writePlan('');
    const { report: r } = await report(env);
    const p = oneProblem(r, 'merge-into-existing', 'kontakt@acme.example');
    assert.equal(p.severity, 'warning');
    assert.deepEqual(p.items, ['INBOX.Klienci -> Klienci: 2 + 6']);
    const row = r.accounts[0]!.folders.find((f) => f.source === 'INBOX.Klienci')!;
    assert.equal(row.existing, true);
    assert.equal(row.destinationMessages, 2);
  });

  it('lists skipped folders with their messages and the name collisions the mapping resolved', async () => {
    env.writePlan(`folders:
  exclude: ['Newslettery']
  rename: [{ from: '^Klienci - stali$', to: 'Klienci' }]`);
    const { report: r } = await report(env);
    const skipped = oneProblem(r, 'folders-skipped', 'kontakt@acme.example');
    assert.equal(skipped.severity, 'warning', 'a skipped folder holds mail');
    assert.equal(skipped.count, 1);
    assert.match(skipped.items[0]!, /^INBOX\.Newslettery: excluded by the plan.*5 messages$/);
    const collision = oneProblem(r, 'mapping-warnings', 'kontakt@acme.example');
    assert.match(collision.items.join('\n'), /Klienci \(2\)/);
    assert.equal(r.summary.foldersSkipped, 1);
  });

  it('lists the keywords in use the destination did not confirm, with their counts', async () => {
    env.writePlan('');
    const { report: r } = await report(env);
    // Dovecot answers EXAMINE with "PERMANENTFLAGS ()": a read-only session may change nothing
    // (RFC 3501 7.1), so a read-only report cannot know; it says so and names the keywords.
    // flags-not-kept, for servers that do announce them, is covered by the unit tests.
    const p = oneProblem(r, 'flags-unverified');
    assert.equal(p.severity, 'info');
    const expected = new Map<string, number>();
    for (const a of accounts) {
      for (const f of a.folders) {
        for (const m of f.messages) {
          for (const flag of m.flags.filter((x) => !x.startsWith('\\'))) {
            expected.set(`${a.user}: ${flag}`, (expected.get(`${a.user}: ${flag}`) ?? 0) + 1);
          }
        }
      }
    }
    const found = new Map(
      p.items.map((i) => {
        const m = /^(.+?: \S+): (\d+) /.exec(i)!;
        return [m[1]!, Number(m[2])];
      }),
    );
    assert.deepEqual(found, expected);
  });

  it('renders every problem in Polish in Chromium, with no console message; screenshot taken', async () => {
    env.writePlan(`report: { lang: pl, client: "ACME Sp. z o.o." }
limits: { maxMessageSize: 28000 }
folders:
  exclude: ['Newslettery']
  rename: [{ from: '^Klienci - stali$', to: 'Klienci' }]
addresses:
  - { address: biuro@acme.example, kind: alias, target: kontakt@acme.example }
  - { address: faktury@acme.example, kind: alias }
  - { address: stary@acme.example, kind: alias, target: nieistnieje@acme.example }`);
    writeFileSync(join(env.dir, 'secrets', 'dst-sprzedaz@acme.example.txt'), 'not-the-password\n');
    const run = await report(env, ['--format', 'html,md,json']);
    const html = run.files.find((f) => f.endsWith('.html'))!;
    const page = renderPage(html);
    assert.deepEqual(page.console, []);
    assert.deepEqual(page.loadErrors, []);
    assert.match(page.dom, /<html lang="pl">/);
    for (const heading of [
      'Podsumowanie',
      'Problemy wykryte przed migracj\u0105',
      'Skrzynki',
      'Adresy',
      'O raporcie',
    ]) {
      assert.ok(page.dom.includes(`<h2>${heading}</h2>`), heading);
    }
    assert.match(page.dom, /Jeszcze nie gotowe/);
    for (const text of [
      'Nie mo\u017cna zalogowa\u0107 si\u0119 na nowy serwer jako sprzedaz@acme.example',
      'Za ma\u0142o miejsca na nowym serwerze',
      'Adresy bez miejsca docelowego',
      'Foldery, kt\u00f3re nie zostan\u0105 skopiowane',
      'Nazwy folder\u00f3w, kt\u00f3re wymaga\u0142y decyzji',
      'Foldery, kt\u00f3re na nowym serwerze ju\u017c zawieraj\u0105 poczt\u0119',
      'U\u017cywane etykiety (s\u0142owa kluczowe)',
    ]) {
      assert.ok(page.dom.includes(text), text);
    }
    // The smaller of APPENDLIMIT (25000) and maxMessageSize (28000) decides, as in the engine.
    assert.match(
      page.dom,
      /Wiadomo\u015bci wi\u0119ksze, ni\u017c przyjmuje nowy serwer|Wiadomo\u015bci powy\u017cej limitu rozmiaru z planu/,
    );
    const md = readFileSync(
      run.files.find((f) => f.endsWith('.md'))!,
      'utf8',
    );
    assert.match(md, /^# Migracja poczty/);
    assert.match(md, /## Adresy/);
    const png = join(SHOTS, 'report-problems-pl.png');
    const shot = screenshotPage(html, png);
    assert.deepEqual(shot.console, []);
    process.stderr.write(`# screenshot: ${png}\n`);
  });

  it('wrote nothing to either server through all these reports', () => {
    assertNothingWritten(recorders);
    const verbs = new Set(recorders.flatMap(recordedCommands).map(verb));
    assert.ok(verbs.has('GETQUOTAROOT'), 'the quota was read');
  });
});
