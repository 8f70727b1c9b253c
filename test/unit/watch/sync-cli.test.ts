/**
 * `mailshift sync` through the CLI's own composition (`runCli`) over in-memory servers: a first
 * pass, mail appended between passes picked up by a scheduled delta pass, the final pass at the
 * cutover and exit 0; the plan's notifications reach a local HTTP receiver and a local SMTP server
 * (smtp-server) from the plan's `notify:` section (URL and password from a file), with no secret of
 * the plan in anything that arrived; a second start after the cutover has nothing to do; the
 * handover report (`report --final`) is written with the passes; Ctrl-C between passes ends with
 * 130; wrong flags are refused before anything runs.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { Notification } from '../../../src/notify/notification.js';
import { parseHandoverJson } from '../../../src/report/handover-write.js';
import { ScheduleStore } from '../../../src/state/schedule-store.js';
import {
  COMPANY,
  SOURCE_HOST,
  createCompanyServers,
  mail,
  writeCompanyPlan,
} from '../../harness/memory-company.js';
import { destinationContent, freshCopy, scratchDir } from '../../harness/memory-run.js';
import { MemoryNetwork } from '../../harness/memory-server.js';
import { memoryWiring } from '../../harness/memory-wiring.js';
import { runCommandInProcess } from '../../harness/migration-env.js';

const KONTAKT = COMPANY[0]!;
const HOOK_TOKEN = 'hookSecretToken-7f3a9c';
const SMTP_PASSWORD = 'smtp-Pa55-word-91';

interface Received {
  hooks: Notification[];
  mails: string[];
}

function startReceivers(): Promise<
  { http: Server; smtp: SMTPServer; hookPort: number; smtpPort: number } & Received
> {
  const hooks: Notification[] = [];
  const mails: string[] = [];
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification);
      res.writeHead(req.url === `/hook/${HOOK_TOKEN}` ? 204 : 404).end();
    });
  });
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (auth, _s, cb) =>
      auth.password === SMTP_PASSWORD ? cb(null, { user: auth.username }) : cb(new Error('bad login')),
    onData: (stream, _s, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  return new Promise((resolve) =>
    http.listen(0, '127.0.0.1', () =>
      smtp.listen(0, '127.0.0.1', () =>
        resolve({
          http,
          smtp,
          hookPort: (http.address() as AddressInfo).port,
          smtpPort: (smtp.server.address() as AddressInfo).port,
          hooks,
          mails,
        }),
      ),
    ),
  );
}

const LIMITS = 'limits: { batchMessages: 3, connectionsPerAccount: 1, accountsInParallel: 3 }';

describe('mailshift sync over memory servers', () => {
  let root: string;
  let seedFile: string;
  let receivers: Awaited<ReturnType<typeof startReceivers>>;
  let n = 0;
  const fresh = () => freshCopy(seedFile, join(root, `run-${++n}`));

  before(async () => {
    root = scratchDir('mailshift-sync-cli-');
    seedFile = join(root, 'seed.json');
    createCompanyServers(seedFile);
    receivers = await startReceivers();
  });
  after(async () => {
    receivers.http.close();
    await new Promise<void>((r) => receivers.smtp.close(() => r()));
    rmSync(root, { recursive: true, force: true });
  });

  it('copies, picks up mail appended between passes, runs the final pass at the cutover, notifies', async () => {
    const dir = join(root, 'notify');
    const planPath = writeCompanyPlan(dir, LIMITS);
    writeFileSync(
      join(dir, 'secrets', 'hook.txt'),
      `http://127.0.0.1:${receivers.hookPort}/hook/${HOOK_TOKEN}\n`,
    );
    writeFileSync(join(dir, 'secrets', 'smtp.txt'), `${SMTP_PASSWORD}\n`);
    writeFileSync(
      planPath,
      `${readFileSync(planPath, 'utf8')}notify:
  webhooks: [{ urlFile: secrets/hook.txt }]
  email:
    smtp: { host: 127.0.0.1, port: ${receivers.smtpPort}, security: none, user: it@acme.example, passwordFile: secrets/smtp.txt }
    from: mailshift@acme.example
    to: [it@acme.example]
`,
    );
    const { serversFile, stateDir } = fresh();
    const cutover = new Date(Date.now() + 6000).toISOString();
    let appended = false;
    const run = await runCommandInProcess(
      ['sync', planPath, '--state-dir', stateDir, '--every', '1s', '--cutover', cutover],
      {
        wiring: memoryWiring(serversFile),
        onStdout: (text) => {
          // Between pass 1 and pass 2 (the sync waits now): new mail on the old server.
          if (appended || !/^sync: pass 1 complete$/m.test(text)) return;
          appended = true;
          MemoryNetwork.open(serversFile)
            .server(SOURCE_HOST)!
            .mailbox(KONTAKT.user)!
            .append('INBOX', [
              {
                raw: mail({
                  from: 'nowy@klient.example',
                  to: KONTAKT.user,
                  subject: 'Nowe',
                  id: 'new-1',
                  day: 25,
                }),
                flags: [],
                internalDate: new Date(Date.UTC(2025, 10, 25, 10)),
              },
            ]);
        },
      },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.ok(appended, 'pass 1 ended and the mail was appended');
    const content = destinationContent(serversFile);
    assert.ok(
      content[`${KONTAKT.user} INBOX`]!.length >
        destinationContent(seedFile)[`${KONTAKT.user} INBOX`]!.length,
    );
    const schedule = ScheduleStore.open(join(stateDir, 'state.sqlite'), { readonly: true });
    let passes;
    try {
      passes = schedule.passes().reverse();
      assert.ok(schedule.schedule()?.finalDoneAt !== undefined, 'the final pass is recorded');
    } finally {
      schedule.close();
    }
    assert.equal(passes[0]?.trigger, 'first');
    const final = passes[passes.length - 1]!;
    assert.equal(final.final, true);
    assert.equal(final.trigger, 'cutover');
    const delta = passes.find((p) => p.number > 1 && p.copied > 0);
    assert.equal(delta?.copied, 1, 'one scheduled pass copied the new message, and only it');
    assert.ok(passes.every((p) => p.status === 'complete'));
    assert.match(run.stdout, /sync: final pass after the cutover starts \(cutover\)/);

    // Notifications: every pass, the cutover, by both channels; nothing secret in them.
    const kinds = receivers.hooks.map((h) => h.kind);
    assert.equal(kinds.filter((k) => k === 'cutover-done').length, 1);
    assert.ok(kinds.includes('pass-done'));
    assert.ok(
      receivers.hooks.every((h) => h.schema === 'mailshift.notification/1' && h.plan === 'memory-company'),
    );
    assert.ok(
      receivers.mails.some((m) =>
        /Subject: \[mailshift memory-company\] Cutover done: final pass complete/.test(m),
      ),
    );
    const everything = JSON.stringify(receivers.hooks) + receivers.mails.join('\n') + run.stdout + run.stderr;
    for (const secret of [
      HOOK_TOKEN,
      SMTP_PASSWORD,
      ...COMPANY.flatMap((a) => [a.password, a.destinationPassword]),
    ])
      assert.ok(!everything.includes(secret), `secret ${secret.slice(0, 4)}... leaked`);

    // Started again after the cutover: nothing to do.
    const again = await runCommandInProcess(
      ['sync', planPath, '--state-dir', stateDir, '--cutover', cutover],
      {
        wiring: memoryWiring(serversFile),
      },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /the final pass after the cutover already ran/);
    assert.equal(again.events.filter((e) => e.type === 'run-start').length, 0);

    // The handover report: verify passes, the passes are counted, the files are written.
    const handover = await runCommandInProcess(
      ['report', planPath, '--final', '--state-dir', stateDir, '--json', '--lang', 'pl'],
      { wiring: memoryWiring(serversFile) },
    );
    assert.equal(handover.code, 0, handover.stderr);
    const report = parseHandoverJson(handover.stdout);
    assert.equal(report.verdict, 'complete');
    assert.equal(report.passes, passes.length);
    assert.equal(report.lang, 'pl');
    assert.ok(report.finalPassAt);
    const files = [...handover.stderr.matchAll(/^ {2}(\/\S+handover-\S+\.(html|md|json))$/gm)].map(
      (m) => m[1]!,
    );
    assert.equal(files.length, 3, handover.stderr);
    assert.match(
      readFileSync(
        files.find((f) => f.endsWith('.html'))!,
        'utf8',
      ),
      /memory-company/,
    );
  });

  it('ends with 130 when stopped between passes; refuses a bad --every or --cutover', async () => {
    const planPath = writeCompanyPlan(join(root, 'stop'), LIMITS);
    const { serversFile, stateDir } = fresh();
    const run = await runCommandInProcess(['sync', planPath, '--state-dir', stateDir, '--every', '1h'], {
      wiring: memoryWiring(serversFile),
      onStdout: (text) => {
        if (/^sync: next pass at /m.test(text)) setImmediate(() => process.kill(process.pid, 'SIGINT'));
      },
    });
    assert.equal(run.code, 130, run.stderr + run.stdout);
    assert.match(run.stdout, /sync: pass 1 complete/);

    const bad = await runCommandInProcess(['sync', planPath, '--state-dir', stateDir, '--every', '15'], {
      wiring: memoryWiring(serversFile),
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--every 15: expected a span/);
    const zone = await runCommandInProcess(
      ['sync', planPath, '--state-dir', stateDir, '--cutover', '2026-12-05T18:00'],
      { wiring: memoryWiring(serversFile) },
    );
    assert.equal(zone.code, 2);
    assert.match(zone.stderr, /expected a date-time with its zone/);
  });
});
