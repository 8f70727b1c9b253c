/**
 * Faults of real networks and servers, reproduced through the fault proxy against real Dovecot:
 * connections cut mid-FETCH, mid-MULTIAPPEND and between commands, stalled connections, throttling
 * replies, refused connections, accounts that cannot log in, an exhausted destination quota, and
 * messages the destination refuses. Each run must end with a complete destination holding every
 * source message exactly once (or, for account-level failures, that account stopped with a message
 * that says why and the others complete).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunSummary } from '../../src/engine/migrate.js';
import { applyRepairs, normalizeCrlf, repairsNamed, stripNul } from '../../src/core/repair.js';
import { formatRunSummary } from '../../src/report/run-summary.js';
import { CheckpointStore } from '../../src/state/checkpoint-store.js';
import { freePort } from '../harness/dovecot.js';
import { createFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import {
  assertCompleteCopy,
  FAST_AUTH_FAILURES,
  runFaultPlan,
  stateRows,
  totalMessages,
  writeFaultPlan,
  type FaultAccount,
  type FaultRun,
} from '../harness/fault-plan.js';
import {
  connectPlain,
  readMailbox,
  REPO,
  runCli,
  startMigrationEnv,
  type MigrationEnv,
} from '../harness/migration-env.js';
import { sampleCompany, type SampleAccount } from '../harness/sample-company.js';
import { armInvalidHeaderRefusal, armLongLineRefusal, MICROSOFT_REPLIES } from '../harness/m365-faults.js';
import { runTestEntry } from '../harness/test-entry.js';
import { parseVerifyReport } from '../../src/report/verify-json.js';

const company = sampleCompany();
const rekrutacja = company.find((a) => a.user === 'rekrutacja@acme.example')!;
const ksiegowosc = company.find((a) => a.user === 'ksiegowosc@acme.example')!;
/** A source user holding the hard-corner fixtures. */
const problems: SampleAccount = { user: 'problemy@acme.example', password: 'src-problemy-pass', folders: [] };
const DST_PASSWORD = 'dst-fault-pass';
const FIXTURES = [
  'bare-lf',
  'nul-byte',
  'long-line',
  'raw-8bit-headers',
  'malformed-header',
  'no-message-id',
  'empty-body',
];
/** A source user holding header corners Microsoft 365 refuses or servers rewrite. */
const headers: SampleAccount = { user: 'naglowki@acme.example', password: 'src-naglowki-pass', folders: [] };
const HEADER_FIXTURES = [
  'malformed-header',
  'long-header',
  'raw-8bit-headers',
  'raw-latin2-headers',
  'long-line',
  'no-message-id',
];
const fixture = (name: string) => readFileSync(join(REPO, 'fixtures/eml', `${name}.eml`));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const QUOTA_USER = 'pelny@acme.example';

/** Destination users: one per scenario, so every scenario starts from an empty mailbox. */
const SCENARIOS = [
  'cut-fetch',
  'cut-append',
  'cut-reply',
  'cut-between',
  'stall-src',
  'stall-dst',
  'throttle-append',
  'throttle-fetch',
  'bye-busy',
  'refuse',
  'auth-bad',
  'auth-ok',
  'quota-other',
  'oauth-refresh',
  'oauth-expired',
  'rate',
  'repair',
  'repair-crash',
  'skip',
  'm365',
] as const;
type Scenario = (typeof SCENARIOS)[number];
const dstUser = (s: Scenario) => `${s}@acme.example`;

function ok(o: FaultRun): RunSummary {
  assert.ifError(o.error);
  assert.ok(o.summary);
  return o.summary;
}

describe('resilience: faults through the proxy against real Dovecot', () => {
  let env: MigrationEnv;
  const proxies: FaultProxy[] = [];

  const proxyPair = async () => {
    const src = await createFaultProxy({ target: { host: env.src.host, port: env.src.port } });
    const dst = await createFaultProxy({ target: { host: env.dst.host, port: env.dst.port } });
    proxies.push(src, dst);
    return { src, dst };
  };
  const one = (s: Scenario, src = rekrutacja): FaultAccount[] => [
    { src, dst: { user: dstUser(s), password: DST_PASSWORD } },
  ];

  // An OAuth2 token introspection endpoint (RFC 7662) for Dovecot's oauth2 passdb: token -> user.
  const tokens = new Map<string, string>();
  const introspected: string[] = [];
  const introspection = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      introspected.push(token);
      const user = tokens.get(token);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(user ? { active: true, username: user } : { active: false }));
    });
  });
  const oauthDir = mkdtempSync(join(tmpdir(), 'mailshift-oauth-'));

  before(async () => {
    await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', () => resolve()));
    const oauthConf = join(oauthDir, 'oauth2.conf.ext');
    writeFileSync(
      oauthConf,
      [
        'introspection_mode = post',
        `introspection_url = http://127.0.0.1:${(introspection.address() as AddressInfo).port}/introspect`,
        'force_introspection = yes',
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        '',
      ].join('\n'),
    );
    env = await startMigrationEnv({
      accounts: [rekrutacja, ksiegowosc],
      source: {
        users: [rekrutacja, ksiegowosc, problems, headers].map((a) => ({
          user: a.user,
          password: a.password,
        })),
      },
      destination: {
        quota: true,
        extraConfig: `${FAST_AUTH_FAILURES}
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauthConf}
}`,
        users: [
          ...SCENARIOS.map((s) => ({ user: dstUser(s), password: DST_PASSWORD })),
          { user: QUOTA_USER, password: DST_PASSWORD, quotaRule: '*:storage=150K' },
        ],
      },
    });
    for (const [account, names] of [
      [problems, FIXTURES],
      [headers, HEADER_FIXTURES],
    ] as const) {
      const client = await connectPlain(env.src, account.user, account.password);
      try {
        for (const [i, f] of names.entries()) {
          await client.append('INBOX', fixture(f), ['\\Seen'], new Date(Date.UTC(2024, 5, 12, 10, i)));
        }
      } finally {
        await client.logout();
      }
    }
  });
  after(async () => {
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await env?.stop();
    introspection.close();
    rmSync(oauthDir, { recursive: true, force: true });
  });

  it('a connection cut in the middle of a FETCH of bodies: reconnects, reopens the folder, completes', async () => {
    const { src, dst } = await proxyPair();
    const fault = src.onCommand({
      command: /^UID FETCH .*BODY\.PEEK\[\]/i,
      nth: 3,
      at: { serverBytes: 3000 },
      action: 'cut',
    });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('cut-fetch') });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    assert.equal(fault.fired, 1, 'the fault happened');
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('cut-fetch')[0]!.dst);
  });
  it('a connection cut inside a MULTIAPPEND: nothing of the batch is stored twice', async () => {
    const { src, dst } = await proxyPair();
    const fault = dst.onCommand({ command: 'APPEND', nth: 2, at: { clientBytes: 9000 }, action: 'cut' });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('cut-append') });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(fault.fired, 1);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('cut-append')[0]!.dst);
  });

  it('a connection cut after the server stored a batch but before its reply: the batch is found, not sent again', async () => {
    const { src, dst } = await proxyPair();
    const fault = dst.onCommand({ command: 'APPEND', nth: 3, at: 'reply', action: 'cut' });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('cut-reply') });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    assert.equal(fault.fired, 1);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('cut-reply')[0]!.dst);
    const rows = stateRows(stateDir, rekrutacja.user).messages;
    assert.ok(
      rows.every((r) => r.state === 'copied' && r.dest_uid !== null),
      'every message copied with its destination UID',
    );
  });

  it('connections cut between commands on both sides: reconnects and completes', async () => {
    const { src, dst } = await proxyPair();
    const a = src.onCommand({ command: /^(EXAMINE|SELECT) /i, nth: 3, action: 'cut' });
    // A destination folder is opened for appending by SELECT, then by STATUS (append-target.ts).
    const b = dst.onCommand({ command: /^(SELECT|STATUS) /i, nth: 4, action: 'cut' });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('cut-between') });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(a.fired + b.fired, 2);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('cut-between')[0]!.dst);
  });

  it('a stalled source connection (half-open, mid-FETCH) is detected by the timeout and replaced', async () => {
    const { src, dst } = await proxyPair();
    const fault = src.onCommand({
      command: /^UID FETCH .*BODY\.PEEK\[\]/i,
      nth: 2,
      at: { serverBytes: 2000 },
      action: 'stall',
    });
    const { planPath, stateDir } = writeFaultPlan(env, {
      src,
      dst,
      accounts: one('stall-src'),
      timeoutMs: 1500,
    });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    assert.equal(fault.fired, 1);
    assert.ok(res.ms >= 1500, `finished in ${res.ms} ms: the stall was not waited for`);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('stall-src')[0]!.dst);
  });

  it('a stalled destination connection (mid-APPEND) is detected by the timeout, the batch resolved and completed', async () => {
    const { src, dst } = await proxyPair();
    const fault = dst.onCommand({ command: 'APPEND', nth: 2, at: { clientBytes: 3000 }, action: 'stall' });
    const { planPath, stateDir } = writeFaultPlan(env, {
      src,
      dst,
      accounts: one('stall-dst'),
      timeoutMs: 1500,
    });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    assert.equal(fault.fired, 1);
    assert.ok(res.ms >= 1500, `finished in ${res.ms} ms: the stall was not waited for`);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('stall-dst')[0]!.dst);
  });

  it('throttled APPENDs ([THROTTLED] with a suggested backoff, [UNAVAILABLE]): waits as told, fewer connections, completes', async () => {
    const { src, dst } = await proxyPair();
    const throttled = dst.onCommand({
      command: 'APPEND',
      nth: 2,
      action: {
        respond: '{tag} NO [THROTTLED] Request is throttled. Suggested Backoff Time: 700 milliseconds',
      },
    });
    const unavailable = dst.onCommand({
      command: 'APPEND',
      nth: 6,
      action: { respond: '{tag} NO [UNAVAILABLE] Try later' },
    });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('throttle-append') });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    assert.equal(throttled.fired + unavailable.fired, 2);
    const waits = res.logs.filter((l) => l.msg === 'retrying folder').map((l) => l.delay);
    assert.ok(waits.includes(700), `waited as told: ${JSON.stringify(waits)}`);
    assert.ok(res.ms >= 700);
    assert.ok(
      res.logs.some((l) => l.msg === 'server asks to slow down: fewer connections'),
      'the account runs with fewer connections',
    );
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('throttle-append')[0]!.dst);
  });

  it('throttled FETCHes (NO [LIMIT], Microsoft 365 "Request is throttled" BAD): waits and completes', async () => {
    const { src, dst } = await proxyPair();
    const limit = src.onCommand({
      command: /^UID FETCH .*BODY\.PEEK\[\]/i,
      nth: 2,
      action: { respond: '{tag} NO [LIMIT] Too many concurrent FETCH commands' },
    });
    const ms365 = src.onCommand({
      command: /^UID FETCH .*BODY\.PEEK\[\]/i,
      nth: 6,
      action: { respond: '{tag} BAD Request is throttled. Suggested Backoff Time: 400 milliseconds' },
    });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('throttle-fetch') });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    assert.equal(limit.fired + ms365.fired, 2);
    assert.ok(res.ms >= 400);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('throttle-fetch')[0]!.dst);
  });

  it('"* BYE Too many connections" at connect, at the start and after a cut: backs off and completes', async () => {
    const { src, dst } = await proxyPair();
    // The first two source connections of the run are turned away at the greeting.
    src.refuse({ mode: 'bye', count: 2 });
    const cut = dst.onCommand({ command: 'APPEND', nth: 3, action: 'cut' });
    void cut.whenFired().then(() => dst.refuse({ mode: 'bye', count: 3 }));
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('bye-busy') });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(src.refused, 2);
    assert.equal(dst.refused, 3);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('bye-busy')[0]!.dst);
  });

  it('a server that stops listening for a while (connection refused) after a cut: reconnects once it is back', async () => {
    const { src, dst } = await proxyPair();
    const cut = dst.onCommand({ command: 'APPEND', nth: 2, action: 'cut' });
    void cut.whenFired().then(() => dst.refuse({ mode: 'unlisten', forMs: 500 }));
    // Six attempts wait at least 775 ms in all (half of each backoff cap): longer than the outage.
    const { planPath, stateDir } = writeFaultPlan(env, {
      src,
      dst,
      accounts: one('refuse'),
      extra: 'limits: { batchMessages: 4, retry: { attempts: 6, baseDelayMs: 50, maxDelayMs: 400 } }',
    });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(cut.fired, 1);
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, one('refuse')[0]!.dst);
  });

  it('a wrong password stops that account with a message naming server and user; the other account completes', async () => {
    const accounts: FaultAccount[] = [
      { src: rekrutacja, dst: { user: dstUser('auth-bad'), password: 'not-the-password' } },
      { src: ksiegowosc, dst: { user: dstUser('auth-ok'), password: DST_PASSWORD } },
    ];
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: { port: env.src.port },
      dst: { port: env.dst.port },
      accounts,
    });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    const bad = summary.accounts.find((a) => a.account === rekrutacja.user)!;
    const good = summary.accounts.find((a) => a.account === ksiegowosc.user)!;
    assert.equal(bad.ok, false);
    assert.match(
      bad.error ?? '',
      /login refused by destination 127\.0\.0\.1:\d+ \(none\) for auth-bad@acme\.example/,
    );
    assert.match(bad.hint ?? '', /password/);
    assert.doesNotMatch(JSON.stringify(res.events), /not-the-password/);
    assert.equal(good.ok, true);
    await assertCompleteCopy(env, stateDir, ksiegowosc, accounts[1]!.dst);
  });
  it('destination quota exhausted mid-run: the account stops saying how much more space it needs; raised, the next run completes', async () => {
    const quotaDst = { user: QUOTA_USER, password: DST_PASSWORD };
    const accounts: FaultAccount[] = [
      { src: rekrutacja, dst: quotaDst },
      { src: ksiegowosc, dst: { user: dstUser('quota-other'), password: DST_PASSWORD } },
    ];
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: { port: env.src.port },
      dst: { port: env.dst.port },
      accounts,
    });
    const first = ok(await runFaultPlan(planPath, stateDir));
    const full = first.accounts.find((a) => a.account === rekrutacja.user)!;
    assert.equal(full.ok, false);
    assert.match(
      full.error ?? '',
      /destination mailbox of rekrutacja@acme\.example is full \(\d+ KB of 150 KB used\): it needs about \d+ KB more space for the \d+ KB still to copy/,
    );
    assert.match(full.hint ?? '', /raise its quota on the destination by at least \d+ KB/);
    assert.ok(first.accounts.find((a) => a.account === ksiegowosc.user)!.ok, 'the other account completes');
    const before = totalMessages(await readMailbox(env.dst, QUOTA_USER, DST_PASSWORD));
    assert.ok(before > 0, 'some mail arrived before the quota was reached');

    // The administrator raises the quota (Dovecot rereads its passwd-file when it changes).
    const users = join(env.dst.dir, 'users');
    writeFileSync(users, readFileSync(users, 'utf8').replace('storage=150K', 'storage=100M'));
    // Dovecot checks the file for changes at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    const second = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(second.complete, true, JSON.stringify(second.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, quotaDst);
  });
  /**
   * Dovecot accepts all the hard corners and serves bare LF as CRLF and NUL as 0x80, so the source
   * proxy serves the original fixture bytes for those two, and the destination proxy plays a server
   * that refuses bare LF and NUL (as Exchange and some hosted servers do), and lines over 998 bytes.
   */
  const rejectingServer = (dst: FaultProxy, longLines: boolean) => {
    const hasBareLf = (b: Buffer) => /(^|[^\r])\n/.test(b.toString('latin1'));
    dst.onCommand({
      command: 'APPEND',
      literal: (b) => hasBareLf(b) || b.includes(0),
      times: Infinity,
      action: { respond: '{tag} NO [PARSE] Message contains bare LF or NUL characters' },
    });
    if (longLines) {
      dst.onCommand({
        command: 'APPEND',
        literal: (b) =>
          b
            .toString('latin1')
            .split('\r\n')
            .some((l) => l.length > 998),
        times: Infinity,
        action: { respond: '{tag} NO Message has a line longer than 998 characters' },
      });
    }
  };
  const originalCorners = (src: FaultProxy) =>
    src.rewriteServerLiterals((b) => {
      if (b.includes('Every line of this message ends with LF')) return fixture('bare-lf');
      if (b.includes('holds a NUL byte')) return fixture('nul-byte');
      return undefined;
    });

  it('messages the destination refuses, policy repair: bare LF and NUL arrive repaired and marked so, 8-bit header text encoded before sending; the rest byte-identical', async () => {
    const { src, dst } = await proxyPair();
    originalCorners(src);
    rejectingServer(dst, false);
    const account: FaultAccount = { src: problems, dst: { user: dstUser('repair'), password: DST_PASSWORD } };
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: [account] });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    assert.equal(summary.totals.copied, FIXTURES.length);

    const source = (await readMailbox(env.src, problems.user, problems.password)).get('INBOX')!;
    const nulOnSource = sha(
      Buffer.from(fixture('nul-byte').toString('latin1').replace('\0', '\x80'), 'latin1'),
    );
    // Dovecot announces no UTF8=ACCEPT (RFC 6855): raw 8-bit header text goes in encoded-words.
    const raw8 = fixture('raw-8bit-headers');
    const expected = source.map((m) =>
      m.sha256 === nulOnSource
        ? sha(stripNul(fixture('nul-byte')))
        : m.sha256 === sha(raw8)
          ? sha(applyRepairs(raw8, ['header-8bit']))
          : m.sha256,
    );
    assert.ok(
      source.some((m) => m.sha256 === sha(normalizeCrlf(fixture('bare-lf')))),
      'Dovecot serves bare LF as CRLF',
    );
    assert.ok(
      source.some((m) => m.sha256 === nulOnSource),
      'Dovecot serves NUL as 0x80',
    );
    const arrived = (await readMailbox(env.dst, account.dst.user, DST_PASSWORD)).get('INBOX')!;
    assert.deepEqual(arrived.map((m) => m.sha256).sort(), expected.sort());

    const repaired = stateRows(stateDir, problems.user).messages.filter((r) => r.repaired);
    assert.deepEqual(repaired.map((r) => r.repaired!.replace(/ \(server first said.*$/, '')).sort(), [
      '8-bit header text encoded as RFC 2047 encoded-words (the destination does not announce UTF8=ACCEPT)',
      'NUL bytes removed',
      'line endings normalised to CRLF',
    ]);
    for (const r of repaired.filter((x) => !/UTF8=ACCEPT/.test(x.repaired!)))
      assert.match(r.repaired!, /server first said: Message contains bare LF or NUL/);
  });

  it('a crash right after a repaired message was stored does not copy it twice', async () => {
    const { src, dst } = await proxyPair();
    originalCorners(src);
    rejectingServer(dst, false);
    const account: FaultAccount = {
      src: problems,
      dst: { user: dstUser('repair-crash'), password: DST_PASSWORD },
    };
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: [account] });
    const crash = new Error('test crash after a repaired APPEND');
    // Both repairs are in one batch: crash after the second is stored, before the batch commits.
    let repairs = 0;
    const crashed = await runFaultPlan(planPath, stateDir, (step) => {
      if (step === 'repaired-appended' && ++repairs === 2) throw crash;
    });
    assert.equal(crashed.error, crash);
    const resumed = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(resumed.complete, true);
    const arrived = (await readMailbox(env.dst, account.dst.user, DST_PASSWORD)).get('INBOX')!;
    assert.equal(
      arrived.length,
      FIXTURES.length,
      'the repaired copy stored before the crash is not sent again',
    );
  });

  it('messages the destination refuses, policy skip: each is named with the reason, the folder goes on', async () => {
    const { src, dst } = await proxyPair();
    originalCorners(src);
    rejectingServer(dst, true);
    const account: FaultAccount = { src: problems, dst: { user: dstUser('skip'), password: DST_PASSWORD } };
    const { planPath, stateDir } = writeFaultPlan(env, {
      src,
      dst,
      accounts: [account],
      extra:
        'limits: { batchMessages: 4, retry: { attempts: 2, baseDelayMs: 50 } }\nproblems: { bareLf: skip, nulBytes: skip, eightBitHeaders: keep }',
    });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(summary.complete, false);
    assert.equal(summary.totals.failed, 3);
    assert.equal(summary.totals.copied, FIXTURES.length - 3);
    assert.deepEqual(summary.accounts[0]!.failedFolders, [], 'no folder failed');
    assert.equal(summary.accounts[0]!.error, undefined, 'the account was not stopped');

    const store = CheckpointStore.open(join(stateDir, 'state.sqlite'));
    let text: string;
    try {
      text = formatRunSummary(summary, store);
    } finally {
      store.close();
    }
    assert.equal(
      (text.match(/INBOX UID \d+ FAILED: Message contains bare LF or NUL characters/g) ?? []).length,
      2,
      text,
    );
    assert.match(text, /INBOX UID \d+ FAILED: Message has a line longer than 998 characters/);
    const arrived = (await readMailbox(env.dst, account.dst.user, DST_PASSWORD)).get('INBOX')!;
    const source = (await readMailbox(env.src, problems.user, problems.password)).get('INBOX')!;
    const kept = new Set(arrived.map((m) => m.sha256));
    assert.equal(kept.size, FIXTURES.length - 3);
    for (const h of kept)
      assert.ok(
        source.some((m) => m.sha256 === h),
        'what arrived is byte-identical to the source',
      );
  });
  it('Microsoft 365\u2019s BAD refusals of pipelined APPENDs: header lines repaired and sent again, 8-bit header text encoded first, what cannot be repaired named; verify --deep agrees', async () => {
    const { src, dst } = await proxyPair();
    // As Exchange Online: no MULTIAPPEND, so every message is its own pipelined APPEND (LITERAL+).
    dst.hideCapabilities(['MULTIAPPEND']);
    const invalid = armInvalidHeaderRefusal(dst);
    const long = armLongLineRefusal(dst, { maxLineLength: 998 });
    const headerBytes = (b: Buffer) => b.subarray(0, b.indexOf('\r\n\r\n'));
    const raw8 = dst.onCommand({
      command: 'APPEND',
      literal: (b) => headerBytes(b).some((x) => x >= 0x80),
      times: Infinity,
      action: { respond: MICROSOFT_REPLIES.argumentError11 },
    });
    const account: FaultAccount = { src: headers, dst: { user: dstUser('m365'), password: DST_PASSWORD } };
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: [account] });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(invalid.fired, 1, 'the colon-less header line was refused once');
    assert.equal(
      long.fired,
      2,
      'the long header line (then folded) and the long body line (no repair for it)',
    );
    assert.equal(raw8.fired, 0, 'no raw 8-bit header byte reached the server');
    assert.equal(summary.complete, false);
    assert.equal(summary.totals.copied, HEADER_FIXTURES.length - 1);
    assert.equal(summary.totals.failed, 1);
    assert.equal(summary.accounts[0]!.error, undefined, 'the account was not stopped');

    const rows = stateRows(stateDir, headers.user).messages;
    const failed = rows.filter((r) => r.state === 'failed');
    assert.deepEqual(
      failed.map((r) => r.reason),
      ['Command Error. 10'],
      'the long body line cannot be repaired: named with the server\u2019s words',
    );
    const how = rows
      .filter((r) => r.repaired)
      .map((r) => r.repaired!)
      .sort();
    assert.deepEqual(how, [
      '8-bit header text encoded as RFC 2047 encoded-words (the destination does not announce UTF8=ACCEPT)',
      '8-bit header text encoded as RFC 2047 encoded-words (the destination does not announce UTF8=ACCEPT)',
      'header lines over 998 characters folded (server first said: Command Error. 10)',
      'header lines without a field name moved into X-Mailshift-Repaired-Header (server first said: Command Argument Error. 11)',
    ]);
    // What arrived is each source message with exactly the repairs its row names.
    const source = (await readMailbox(env.src, headers.user, headers.password)).get('INBOX')!;
    const arrived = (await readMailbox(env.dst, account.dst.user, DST_PASSWORD)).get('INBOX')!;
    const expected = HEADER_FIXTURES.filter((f) => f !== 'long-line').map((f) => {
      const row = rows.find(
        (r) => r.state === 'copied' && source.find((m) => m.uid === r.uid)?.sha256 === sha(fixture(f)),
      );
      assert.ok(row, `${f} was not copied`);
      return sha(applyRepairs(fixture(f), row.repaired ? repairsNamed(row.repaired) : []));
    });
    assert.deepEqual(arrived.map((m) => m.sha256).sort(), expected.sort());

    // verify --deep applies the same repairs before it compares: no content difference; the
    // refused message is missing, so verify fails.
    const res = await runTestEntry(['verify', planPath, '--state-dir', stateDir, '--deep', '--json']);
    const report = parseVerifyReport(res.stdout);
    assert.equal(report.totals.contentChecked, HEADER_FIXTURES.length - 1, res.stderr);
    assert.equal(report.totals.contentDifferences, 0, res.stdout);
    assert.equal(res.code, 1);
  });

  it('an unreachable destination: every account stops naming the server, after bounded retries; exit code 4', async () => {
    const closed = await freePort();
    const accounts: FaultAccount[] = [
      { src: rekrutacja, dst: { user: dstUser('auth-ok'), password: DST_PASSWORD } },
      { src: ksiegowosc, dst: { user: dstUser('quota-other'), password: DST_PASSWORD } },
    ];
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: { port: env.src.port },
      dst: { port: closed },
      accounts,
    });
    const started = Date.now();
    const res = await runCli(['run', planPath, '--state-dir', stateDir]);
    assert.equal(res.code, 4, `${res.stdout}\n${res.stderr}`);
    for (const a of accounts) {
      assert.match(
        res.stdout,
        new RegExp(
          `${a.src.user}: STOPPED: cannot connect to destination 127\\.0\\.0\\.1:${closed} \\(none\\) for ${a.dst.user}: .*ECONNREFUSED`,
        ),
      );
    }
    assert.match(res.stdout, /-> check destination\.host, port and security in the plan/);
    assert.ok(Date.now() - started < 15_000, 'retries are bounded');
  });
  /** Rewrites a fault plan so that the first account's destination logs in with a token file. */
  const withTokenFile = (planPath: string, tokenFile: string) =>
    writeFileSync(
      planPath,
      readFileSync(planPath, 'utf8').replace(
        /passwordFile: "(secrets\/p\d+-0-dst\.txt)"/,
        `tokenFile: "${tokenFile}"`,
      ),
    );

  it('an OAuth2 token that expires mid-run is read again from its file on reconnect: a refreshed token continues', async () => {
    const { src, dst } = await proxyPair();
    const user = dstUser('oauth-refresh');
    tokens.set('token-refresh-1', user);
    writeFileSync(join(env.dir, 'secrets/refresh.token'), 'token-refresh-1\n', { mode: 0o600 });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('oauth-refresh') });
    withTokenFile(planPath, 'secrets/refresh.token');
    const cut = dst.onCommand({ command: 'APPEND', nth: 3, action: 'cut' });
    void cut.whenFired().then(() => {
      // The token expires; the user's refresher has written a new one.
      tokens.delete('token-refresh-1');
      tokens.set('token-refresh-2', user);
      writeFileSync(join(env.dir, 'secrets/refresh.token'), 'token-refresh-2\n');
    });
    const summary = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(cut.fired, 1);
    assert.ok(introspected.includes('token-refresh-2'), 'the new token was read and used');
    assert.ok(dst.count(/^AUTHENTICATE XOAUTH2 /) >= 2, 'the appender logs in with XOAUTH2');
    assert.equal(summary.complete, true, JSON.stringify(summary.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, { user, password: DST_PASSWORD });
  });

  it('an OAuth2 token that expired and was not refreshed stops that account with a message; refreshed, the next run completes', async () => {
    const { src, dst } = await proxyPair();
    const user = dstUser('oauth-expired');
    tokens.set('token-expired-1', user);
    const tokenFile = join(env.dir, 'secrets/expired.token');
    writeFileSync(tokenFile, 'token-expired-1\n', { mode: 0o600 });
    const accounts: FaultAccount[] = [
      { src: rekrutacja, dst: { user, password: DST_PASSWORD } },
      { src: ksiegowosc, dst: { user: dstUser('auth-ok'), password: DST_PASSWORD } },
    ];
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts });
    withTokenFile(planPath, 'secrets/expired.token');
    const cut = dst.onCommand({ command: 'APPEND', nth: 2, action: 'cut' });
    void cut.whenFired().then(() => tokens.delete('token-expired-1'));
    const first = ok(await runFaultPlan(planPath, stateDir));
    const stopped = first.accounts.find((a) => a.account === rekrutacja.user)!;
    assert.equal(stopped.ok, false);
    assert.match(
      stopped.error ?? '',
      new RegExp(`login refused by destination 127\\.0\\.0\\.1:\\d+ \\(none\\) for ${user}`),
    );
    assert.match(
      stopped.hint ?? '',
      /token \(tokenFile, tokenCommand\) is read again on every connect: refresh it/,
    );
    assert.ok(first.accounts.find((a) => a.account === ksiegowosc.user)!.ok, 'the other account completes');

    tokens.set('token-expired-2', user);
    writeFileSync(tokenFile, 'token-expired-2\n');
    const second = ok(await runFaultPlan(planPath, stateDir));
    assert.equal(second.complete, true, JSON.stringify(second.accounts));
    await assertCompleteCopy(env, stateDir, rekrutacja, { user, password: DST_PASSWORD });
  });
  it('per-account caps (limits.maxMessagesPerSecond) slow the appends down as asked', async () => {
    const { planPath, stateDir } = writeFaultPlan(env, {
      src: { port: env.src.port },
      dst: { port: env.dst.port },
      accounts: one('rate'),
      extra: 'limits: { batchMessages: 4, maxMessagesPerSecond: 40 }',
    });
    const res = await runFaultPlan(planPath, stateDir);
    assert.equal(ok(res).complete, true);
    // 33 messages at 40/s: the first batch goes at once, the other 29 take at least 725 ms.
    assert.ok(res.ms >= 725, `took ${res.ms} ms`);
    await assertCompleteCopy(env, stateDir, rekrutacja, one('rate')[0]!.dst);
  });
  it('a source that drops every LIST: the account stops after bounded retries with a message, the run goes on', async () => {
    const { src, dst } = await proxyPair();
    src.onCommand({ command: /^LIST /i, times: Infinity, action: 'cut' });
    const { planPath, stateDir } = writeFaultPlan(env, { src, dst, accounts: one('auth-bad') });
    const res = await runFaultPlan(planPath, stateDir);
    const summary = ok(res);
    const stopped = summary.accounts[0]!;
    assert.equal(stopped.ok, false);
    assert.match(stopped.error ?? '', /connection to the servers of rekrutacja@acme\.example kept failing/);
    assert.match(stopped.hint ?? '', /run again to continue where it stopped/);
    assert.equal(src.count(/^LIST /i), 5, 'one try and 4 retries');
  });
});
