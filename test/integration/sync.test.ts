/**
 * `mailshift sync` against the test Dovecots, the sample company on the source:
 * - with a short interval, mail appended to the source between passes is copied by a scheduled
 *   delta pass, the final pass runs at the cutover (exit 0), and `report --final` writes the
 *   handover report with verify's verdict;
 * - a sync process killed with SIGKILL in the middle of its first pass and started again continues
 *   (the cut pass runs again at once, as `resume`) and ends with the same destination as the
 *   uninterrupted sync, without a duplicate;
 * - new mail in a source INBOX wakes the sync (IMAP IDLE on a read-only INBOX) long before its
 *   scheduled pass; a server without IDLE is left to the schedule.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Endpoint } from '../../src/core/endpoint.js';
import { waitForInboxMail } from '../../src/imap/inbox-idle.js';
import { parseHandoverJson } from '../../src/report/handover-write.js';
import { ScheduleStore, type PassRow } from '../../src/state/schedule-store.js';
import { capabilitiesWithout, connectPlain, startDovecot } from '../harness/dovecot.js';
import {
  contentKey,
  readMailbox,
  runCommandInProcess,
  startMigrationEnv,
  type MigrationEnv,
  type StoredMessage,
} from '../harness/migration-env.js';
import { destinationPassword, sampleCompany, type SampleAccount } from '../harness/sample-company.js';
import { runTestEntry, startTestEntry } from '../harness/test-entry.js';

const accounts = sampleCompany();
const kontakt = accounts[0]!;
const LIMITS =
  'limits: { batchMessages: 4, connectionsPerAccount: 1, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 } }';

/** The destination mailbox of an account under a prefix (`kill-kontakt@...`), same password. */
const under = (prefix: string) => (a: SampleAccount) => ({
  user: prefix ? `${prefix}-${a.user}` : a.user,
  password: destinationPassword(a),
});

function byFolder(box: Map<string, StoredMessage[]>): Record<string, string[]> {
  return Object.fromEntries([...box].map(([path, list]) => [path, contentKey(list)]).sort());
}

function passes(stateDir: string): PassRow[] {
  const s = ScheduleStore.open(join(stateDir, 'state.sqlite'), { readonly: true });
  try {
    return s.passes().reverse();
  } finally {
    s.close();
  }
}

/** Appends one message to a source INBOX. */
async function newMail(env: MigrationEnv, a: SampleAccount, n: number): Promise<void> {
  const client = await connectPlain(env.src, a.user, a.password);
  try {
    const raw =
      `From: Nowy Klient <zamowienia@nowy-klient.example>\r\nTo: ${a.user}\r\nSubject: Zamowienie ${n}\r\n` +
      `Message-ID: <sync-test-${n}@nowy-klient.example>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0100\r\n\r\nProsze o wycene.\r\n`;
    await client.append('INBOX', Buffer.from(raw), [], new Date());
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('mailshift sync against Dovecot', () => {
  let env: MigrationEnv;
  let reference: Record<string, Record<string, string[]>>;
  let n = 0;

  before(async () => {
    env = await startMigrationEnv({
      accounts,
      extraDestinationUsers: [...accounts.map(under('kill')), under('idle')(kontakt)],
    });
  });
  after(async () => {
    await env?.stop();
  });

  it('picks up mail appended between passes, runs the final pass at the cutover; report --final', async () => {
    env.writePlan(LIMITS);
    const stateDir = join(env.dir, 'state-sync');
    const cutover = new Date(Date.now() + 12_000).toISOString();
    let appending: Promise<void> | undefined;
    const run = await runCommandInProcess(
      ['sync', env.planPath, '--state-dir', stateDir, '--every', '2s', '--cutover', cutover, '--no-idle'],
      {
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
        onStdout: (text) => {
          if (!appending && /^sync: pass 1 complete$/m.test(text)) appending = newMail(env, kontakt, ++n);
        },
      },
    );
    await appending;
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const list = passes(stateDir);
    assert.equal(list[0]?.trigger, 'first');
    assert.ok(list[0]!.copied >= 216, `the first pass copied the company (${list[0]!.copied})`);
    assert.equal(
      list.slice(1).reduce((s, p) => s + p.copied, 0),
      1,
      'the later passes copied the new message, once',
    );
    const delta = list.find((p) => p.number > 1 && p.copied === 1);
    assert.equal(delta?.trigger, 'schedule');
    assert.equal(delta?.final, false, 'a scheduled delta pass before the cutover took it');
    assert.deepEqual(
      list.filter((p) => p.final).map((p) => p.trigger),
      ['cutover'],
    );
    reference = {};
    for (const a of accounts)
      reference[a.user] = byFolder(await readMailbox(env.dst, a.user, destinationPassword(a)));
    const inbox = reference[kontakt.user]!.INBOX!;
    assert.equal(inbox.length, kontakt.folders.find((f) => f.name === 'INBOX')!.messages.length + 1);

    const handover = await runCommandInProcess(['report', env.planPath, '--final', '--state-dir', stateDir]);
    assert.equal(handover.code, 0, handover.stderr + handover.stdout);
    assert.match(handover.stdout, /Handover report of plan test: COMPLETE/);
    const json = handover.stdout.match(/^ {2}(\/\S+handover-\S+\.json)$/m)?.[1];
    assert.ok(json && existsSync(json), handover.stdout);
    const report = parseHandoverJson(readFileSync(json, 'utf8'));
    assert.equal(report.verdict, 'complete');
    assert.equal(report.verify.verdict, 'passed');
    assert.equal(report.passes, list.length);
    assert.equal(
      report.totals.copied,
      list.reduce((s, p) => s + p.copied, 0),
    );
    for (const ext of ['html', 'md']) assert.ok(existsSync(json.replace(/\.json$/, `.${ext}`)));
  });

  it('killed in the middle of a pass and started again: continues, no duplicate, same destination', async () => {
    assert.ok(reference, 'runs after the uninterrupted sync');
    env.writePlan(LIMITS, accounts, under('kill'));
    const stateDir = join(env.dir, 'state-kill');
    const args = ['sync', env.planPath, '--state-dir', stateDir, '--no-idle'];
    const killed = await runTestEntry([...args, '--every', '1h'], { killAfterSteps: 40 });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.equal(passes(stateDir)[0]?.status, 'running', 'the first pass was cut short');

    const cutover = new Date(Date.now() + 6_000).toISOString();
    const again = await runTestEntry([...args, '--every', '2s', '--cutover', cutover]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const list = passes(stateDir);
    assert.equal(list[0]?.status, 'interrupted');
    assert.equal(list[1]?.trigger, 'resume', 'the cut pass runs again at once');
    assert.equal(list[list.length - 1]?.final, true);
    for (const a of accounts) {
      const d = under('kill')(a);
      assert.deepEqual(byFolder(await readMailbox(env.dst, d.user, d.password)), reference[a.user], a.user);
    }
  });

  it('new mail in a source INBOX starts a pass early (IDLE); the IDLE watch itself stops with the sync', async () => {
    env.writePlan(`${LIMITS}\nschedule: { minGap: 1s }`, [kontakt], under('idle'));
    const stateDir = join(env.dir, 'state-idle');
    const started = Date.now();
    // A process of its own: the harness answers a signal to this one by stopping the servers.
    const sync = startTestEntry(['sync', env.planPath, '--state-dir', stateDir, '--every', '1h']);
    const until = async (re: RegExp, what: string) => {
      for (let i = 0; i < 1200 && !re.test(sync.stdout()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(sync.stdout(), re, what);
    };
    try {
      await until(/^sync: next pass at /m, 'the first pass ended and the sync waits');
      // The watch needs a moment to log in and EXAMINE INBOX: mail keeps coming until it wakes.
      for (let i = 0; i < 20 && !/new mail in a source INBOX/.test(sync.stdout()); i++) {
        await newMail(env, kontakt, ++n);
        await new Promise((r) => setTimeout(r, 1000));
      }
      await until(/^sync: pass 2 complete$/m, 'the woken pass ran');
    } finally {
      sync.child.kill('SIGINT');
    }
    const end = await sync.done;
    assert.equal(end.code, 130, end.stderr + end.stdout);
    assert.match(end.stdout, /^sync: new mail in a source INBOX: the next pass starts early$/m);
    const list = passes(stateDir);
    assert.equal(list[1]?.trigger, 'wake');
    assert.ok(list[1]!.copied >= 1, 'the woken pass copied the new mail');
    assert.ok(Date.now() - started < 120_000, 'long before the hourly pass');
  });

  it('waitForInboxMail: new mail, a stop, and a server without IDLE', async () => {
    const e: Endpoint = {
      side: 'source',
      server: {
        host: '127.0.0.1',
        port: env.src.port,
        security: 'none',
        tlsVerify: false,
        maxConnections: 10,
        maxConnectionsTotal: 40,
        timeoutMs: 10_000,
      },
      user: kontakt.user,
      secret: async () => ({ kind: 'password', value: kontakt.password }),
    };
    const stop = new AbortController();
    const stopped = waitForInboxMail(e, { signal: stop.signal, renewMs: 300 });
    await new Promise((r) => setTimeout(r, 1500)); // a few renewals of IDLE
    stop.abort();
    assert.equal(await stopped, 'stopped');

    const waiting = waitForInboxMail(e, { signal: new AbortController().signal, renewMs: 300 });
    let end: string | undefined;
    void waiting.then((how) => (end = how));
    for (let i = 0; i < 20 && end === undefined; i++) {
      await newMail(env, kontakt, ++n);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(await waiting, 'new-mail');

    const plain = await startDovecot({
      flavor: 'source',
      users: [{ user: kontakt.user, password: kontakt.password }],
      capabilities: capabilitiesWithout('IDLE'),
    });
    try {
      const how = await waitForInboxMail(
        { ...e, server: { ...e.server, port: plain.port } },
        { signal: new AbortController().signal },
      );
      assert.equal(how, 'no-idle');
    } finally {
      await plain.stop();
    }
  });
});
