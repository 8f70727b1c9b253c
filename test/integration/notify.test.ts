/**
 * Notifications reach real receivers on 127.0.0.1: an SMTP server (the `smtp-server` package,
 * with STARTTLS and a login) and an HTTP server standing in for a JSON webhook and a Slack-style
 * incoming webhook. The test reads what arrived: the schema and the facts in the JSON, the text in
 * Slack's layout, the subject and body of the mail; no secret in any of them; `starttls` never
 * falls back to plain text; a repeated failure is not sent again; a receiver that answers 500 is
 * reported, not thrown.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Notification } from '../../src/notify/notification.js';
import { emailChannel, Notifier, webhookChannel, type NoticeMemory } from '../../src/notify/notifier.js';
import { accountStoppedNotice, passNotice } from '../../src/watch/notices.js';
import { summaryOf } from '../unit/watch/watch-fixtures.js';

const SMTP_PASSWORD = 'smtp-Pa55-word';
const HOOK_SECRET = 'T0AAA/B0BBB/slackHookSecret42';
const ACCOUNT_PASSWORD = 'kontakt-Pa55';

interface Mail {
  user?: string;
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
}

function startSmtp(opts: {
  starttls: boolean;
}): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    // smtp-server's own self-signed certificate serves STARTTLS; the client is told not to verify it.
    disabledCommands: opts.starttls ? [] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.starttls,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'it@acme.example' && auth.password === SMTP_PASSWORD)
        cb(null, { user: auth.username });
      else cb(new Error('bad login'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          user: session.user as string | undefined,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
        });
        cb();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.server.address() as AddressInfo).port, mails });
    }),
  );
}

interface Hook {
  path: string;
  contentType: string;
  body: unknown;
}

function startReceiver(): Promise<{ server: Server; base: string; hooks: Hook[]; failing: Set<string> }> {
  const hooks: Hook[] = [];
  const failing = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (failing.has(path)) {
        res.writeHead(500).end('down');
        return;
      }
      hooks.push({
        path,
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hooks, failing }),
    ),
  );
}

function memory(): NoticeMemory {
  const keys = new Map<string, number>();
  return {
    lastSent: (k) => keys.get(k),
    remember: (k, at) => void keys.set(k, at),
    forget: (p) => {
      for (const k of [...keys.keys()]) if (k.startsWith(p)) keys.delete(k);
    },
  };
}

describe('notifications to real receivers', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let plainSmtp: Awaited<ReturnType<typeof startSmtp>>;
  let http: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    smtp = await startSmtp({ starttls: true });
    plainSmtp = await startSmtp({ starttls: false });
    http = await startReceiver();
  });

  after(async () => {
    await new Promise<void>((r) => smtp.server.close(() => r()));
    await new Promise<void>((r) => plainSmtp.server.close(() => r()));
    await new Promise<void>((r) => http.server.close(() => r()));
  });

  function notifier(): Notifier {
    return new Notifier({
      channels: [
        webhookChannel({ name: 'webhook 1', url: `${http.base}/mailshift`, style: 'json' }),
        webhookChannel({ name: 'webhook 2', url: `${http.base}/services/${HOOK_SECRET}`, style: 'slack' }),
        emailChannel({
          host: '127.0.0.1',
          port: smtp.port,
          security: 'starttls',
          tlsVerify: false,
          auth: { user: 'it@acme.example', password: () => SMTP_PASSWORD },
          from: 'mailshift@acme.example',
          to: ['it@acme.example', 'boss@acme.example'],
        }),
      ],
      on: ['pass-done', 'account-stopped', 'cutover-done', 'sync-stopped'],
      repeatAfterMs: 24 * 3_600_000,
      memory: memory(),
      secrets: () => [SMTP_PASSWORD, `${http.base}/services/${HOOK_SECRET}`, ACCOUNT_PASSWORD],
    });
  }

  it('a stopped account reaches the JSON webhook, the Slack webhook and the mailbox, once, without secrets', async () => {
    const n = notifier();
    const summary = summaryOf([
      { account: 'sprzedaz@acme.example', copied: 12 },
      {
        account: 'kontakt@acme.example',
        error: `login refused for kontakt@acme.example (tried password ${ACCOUNT_PASSWORD})`,
        code: 'AUTH_FAILED',
        hint: 'check the user name and password (or token) of this account in the plan',
      },
    ]);
    const failed = summary.accounts[1]!;
    const now = Date.parse('2026-12-02T03:00:00Z');
    const notice = accountStoppedNotice(
      'acme',
      failed,
      { failures: 1, since: now, retryAt: now + 900_000 },
      now,
    );
    const first = await n.send(notice);
    assert.deepEqual(
      first.deliveries.map((d) => [d.channel, d.ok, d.error]),
      [
        ['webhook 1', true, undefined],
        ['webhook 2', true, undefined],
        ['email via 127.0.0.1', true, undefined],
      ],
    );
    const again = await n.send(notice);
    assert.equal(again.heldBack, 'repeat');
    assert.equal(http.hooks.length, 2, 'each webhook got it once');
    assert.equal(smtp.mails.length, 1, 'one mail');

    const json = http.hooks.find((h) => h.path === '/mailshift')!;
    assert.match(json.contentType, /^application\/json/);
    const body = json.body as Notification;
    assert.equal(body.schema, 'mailshift.notification/1');
    assert.equal(body.kind, 'account-stopped');
    assert.equal(body.plan, 'acme');
    assert.deepEqual(
      { account: body.account?.account, code: body.account?.code, failures: body.account?.failures },
      { account: 'kontakt@acme.example', code: 'AUTH_FAILED', failures: 1 },
    );
    assert.equal(body.account?.retryAt, '2026-12-02T03:15:00.000Z');

    const slack = http.hooks.find((h) => h.path.startsWith('/services/'))!;
    assert.match(
      (slack.body as { text: string }).text,
      /^\*Account kontakt@acme\.example stopped\*\nlogin refused/,
    );

    const mail = smtp.mails[0]!;
    assert.equal(mail.secure, true, 'sent after STARTTLS');
    assert.equal(mail.user, 'it@acme.example', 'logged in');
    assert.equal(mail.from, 'mailshift@acme.example');
    assert.deepEqual(mail.to, ['it@acme.example', 'boss@acme.example']);
    const parsed = await simpleParser(mail.raw);
    assert.equal(parsed.subject, '[mailshift acme] Account kontakt@acme.example stopped');
    assert.match(parsed.text ?? '', /What to do: check the user name and password/);

    // The Slack hook's path is its secret by design; what matters is that no body carries one.
    const everything = JSON.stringify(http.hooks.map((h) => h.body)) + smtp.mails.map((m) => m.raw).join('');
    for (const secret of [ACCOUNT_PASSWORD, SMTP_PASSWORD, HOOK_SECRET])
      assert.ok(!everything.includes(secret), `${secret} reached a receiver`);
  });

  it('a pass notice carries the pass facts in the documented schema', async () => {
    http.hooks.length = 0;
    const n = notifier();
    const s = summaryOf([{ account: 'a@acme.example', copied: 40 }], { seconds: 12.34 });
    const start = Date.parse('2026-12-02T08:00:00Z');
    await n.send(
      passNotice(
        'acme',
        { number: 4, final: false, trigger: 'schedule', startedAt: start },
        s,
        start + 900_000,
        start + 13_000,
      ),
    );
    const body = http.hooks.find((h) => h.path === '/mailshift')?.body as Notification;
    assert.equal(body.kind, 'pass-done');
    assert.deepEqual(body.pass, {
      number: 4,
      final: false,
      trigger: 'schedule',
      startedAt: '2026-12-02T08:00:00.000Z',
      seconds: 12.3,
      copied: 40,
      bytes: 40_000,
      present: 0,
      skipped: 0,
      failed: 0,
      accounts: 1,
      accountsStopped: 0,
      complete: true,
      nextPassAt: '2026-12-02T08:15:00.000Z',
    });
    assert.equal(body.title, 'Pass 4 done: 40 copied');
  });

  it('starttls is required: a server without it gets nothing; security none sends in plain to a local relay', async () => {
    const n = (security: 'starttls' | 'none') =>
      new Notifier({
        channels: [
          emailChannel({
            host: '127.0.0.1',
            port: plainSmtp.port,
            security,
            tlsVerify: false,
            from: 'mailshift@acme.example',
            to: ['it@acme.example'],
            timeoutMs: 10_000,
          }),
        ],
        on: ['pass-done'],
        repeatAfterMs: 60_000,
        memory: memory(),
        secrets: () => [],
      });
    const notice = passNotice(
      'acme',
      { number: 1, final: false, trigger: 'first', startedAt: 0 },
      summaryOf([]),
      undefined,
      1000,
    );
    const refused = await n('starttls').send(notice);
    assert.equal(refused.sent, false);
    assert.match(refused.deliveries[0]?.error ?? '', /email through 127\.0\.0\.1:\d+ failed/);
    assert.equal(plainSmtp.mails.length, 0);
    const plain = await n('none').send(notice);
    assert.equal(plain.sent, true);
    assert.equal(plainSmtp.mails.length, 1);
    assert.equal(plainSmtp.mails[0]?.secure, false);
  });

  it('a webhook answering 500 is reported with the channel name, never its URL', async () => {
    http.failing.add(`/services/${HOOK_SECRET}`);
    const n = new Notifier({
      channels: [
        webhookChannel({ name: 'webhook 2', url: `${http.base}/services/${HOOK_SECRET}`, style: 'slack' }),
      ],
      on: ['sync-stopped'],
      repeatAfterMs: 60_000,
      memory: memory(),
      secrets: () => [],
    });
    const r = await n.send({
      notification: {
        schema: 'mailshift.notification/1',
        kind: 'sync-stopped',
        severity: 'error',
        plan: 'acme',
        time: new Date().toISOString(),
        title: 'The sync stopped',
        text: 'disk full',
      },
    });
    http.failing.clear();
    assert.deepEqual(r.deliveries, [
      { channel: 'webhook 2', ok: false, error: 'webhook 2: the webhook answered HTTP 500' },
    ]);
  });
});
