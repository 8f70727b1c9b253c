/**
 * The sample company copied into the providers companies move to (issue 18), against real Dovecot:
 * a Gmail-shaped destination (`provider: google`: special folders under `[Gmail]` by attribute,
 * labels created as needed, Gmail's limits from the preset) and a Microsoft-365-shaped one
 * (`provider: microsoft365`: Exchange's folder names, special-use attributes in LIST without
 * SPECIAL-USE, no MULTIAPPEND), the latter through the fault proxy answering as Exchange Online
 * does: a throttled APPEND is waited out, and messages Exchange refuses with `BAD Command Error. 10`
 * (over-long lines) are named while the others arrive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectPlain, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { createFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { startGmailShape, type GmailShape } from '../harness/gmail-shape.js';
import { armLongLineRefusal, armThrottling, EXCHANGE_MAX_LINE_LENGTH } from '../harness/m365-faults.js';
import { startM365Shape, type M365Shape } from '../harness/m365-shape.js';
import {
  destinationPassword,
  destinationUsers,
  sampleCompany,
  seedSource,
  sourceUsers,
  type SampleAccount,
} from '../harness/sample-company.js';
import {
  mailboxContents,
  runProviderPlan,
  verifyProviderPlan,
  writeProviderPlan,
  type ProviderPlan,
} from '../harness/provider-migration.js';

type Topic = 'sent' | 'drafts' | 'trash' | 'spam';

/** The sample's special folders by the use their (Polish) names stand for. */
const TOPIC_OF: Record<string, Topic> = {
  'Wys\u0142ane': 'sent',
  Robocze: 'drafts',
  Kosz: 'trash',
  Spam: 'spam',
};

/** The sample's folders by topic: `Wys\u0142ane` is sent, `Kosz` trash... */
function topicFolders(a: SampleAccount): Map<Topic, { name: string; count: number }> {
  return new Map(
    a.folders.flatMap((f) => {
      const topic = TOPIC_OF[f.name];
      return topic ? [[topic, { name: f.name, count: f.messages.length }] as const] : [];
    }),
  );
}

/** Checks every account's special folders landed where the provider keeps them, and no copy of the old names. */
async function checkSpecialFolders(
  target: { host: string; port: number },
  accounts: SampleAccount[],
  where: Record<Topic, string>,
): Promise<void> {
  for (const a of accounts) {
    const held = await mailboxContents(target, a.user, destinationPassword(a));
    for (const [topic, folder] of topicFolders(a)) {
      const at = where[topic];
      assert.equal(held.get(at)?.length, folder.count, `${a.user}: ${folder.name} should be in ${at}`);
      assert.ok(!held.has(folder.name), `${a.user}: ${folder.name} was created instead of using ${at}`);
    }
  }
}

describe('the sample company into provider-shaped destinations', () => {
  const accounts = sampleCompany();
  let src: DovecotServer;
  const plans: ProviderPlan[] = [];

  before(async () => {
    src = await startDovecot({ flavor: 'source', users: sourceUsers(accounts) });
    await seedSource(src, accounts);
  });
  after(async () => {
    for (const p of plans) p.remove();
    await src?.stop();
  });

  function planTo(port: number, provider: string, extraYaml = ''): ProviderPlan {
    const p = writeProviderPlan(
      { host: '127.0.0.1', port: src.tlsPort, security: 'tls', extra: 'maxConnections: 20' },
      { host: '127.0.0.1', port, security: 'none', extra: `provider: ${provider}` },
      accounts.map((a) => ({
        source: { user: a.user, password: a.password },
        destination: { user: a.user, password: destinationPassword(a) },
      })),
      extraYaml,
    );
    plans.push(p);
    return p;
  }

  describe('Gmail-shaped destination', () => {
    let gmail: GmailShape;
    before(async () => {
      gmail = await startGmailShape({
        accounts: destinationUsers(accounts).map((u) => ({ ...u, messages: [] })),
      });
    });
    after(async () => gmail?.stop());

    test('completes; special folders are Gmail\u2019s by attribute, labels created as needed; verify passes', async () => {
      const p = planTo(gmail.server.port, 'google');
      const run = await runProviderPlan(p);
      assert.ifError(run.error);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.summary?.complete, true);
      const f = gmail.folders;
      await checkSpecialFolders(gmail.server, accounts, {
        sent: f.sent,
        drafts: f.drafts,
        trash: f.trash,
        spam: f.spam,
      });
      const held = await mailboxContents(gmail.server, accounts[1]!.user, destinationPassword(accounts[1]!));
      assert.equal(held.get('Klienci/Wa\u017cne/Umowy')?.length, 3, 'nested labels are created');
      const verified = await verifyProviderPlan(p);
      assert.equal(verified.report.verdict, 'passed', JSON.stringify(verified.report.totals));
    });
  });

  describe('Microsoft-365-shaped destination through Exchange Online\u2019s refusals', () => {
    let m365: M365Shape;
    let proxy: FaultProxy;
    before(async () => {
      m365 = await startM365Shape({
        accounts: destinationUsers(accounts).map((u) => ({ ...u, messages: [] })),
      });
      proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: m365.server.port } });
    });
    after(async () => {
      await proxy?.stop();
      await m365?.stop();
    });

    test('completes with a throttled APPEND waited out; special folders are Exchange\u2019s; verify passes', async () => {
      const throttle = armThrottling(proxy, { command: /^APPEND/i, backoffMs: 300, nth: 3 });
      const p = planTo(proxy.port, 'microsoft365');
      const started = Date.now();
      const run = await runProviderPlan(p);
      assert.ifError(run.error);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.summary?.complete, true);
      assert.equal(throttle.fired, 1, 'Exchange throttled one APPEND');
      assert.ok(Date.now() - started >= 300, 'the suggested backoff was waited');
      await checkSpecialFolders(m365.server, accounts, {
        sent: m365.folderOf('sent'),
        drafts: m365.folderOf('drafts'),
        trash: m365.folderOf('trash'),
        spam: m365.folderOf('junk'),
      });
      const verified = await verifyProviderPlan(p);
      assert.equal(verified.report.verdict, 'passed', JSON.stringify(verified.report.totals));
    });

    test('a message Exchange refuses (BAD Command Error. 10) is named; the others of its folder arrive', async () => {
      const refusal = armLongLineRefusal(proxy);
      try {
        const p = writeProviderPlan(
          { host: '127.0.0.1', port: src.tlsPort, security: 'tls' },
          { host: '127.0.0.1', port: proxy.port, security: 'none', extra: 'provider: microsoft365' },
          [
            {
              source: { user: accounts[0]!.user, password: accounts[0]!.password },
              destination: { user: accounts[0]!.user, password: destinationPassword(accounts[0]!) },
            },
          ],
        );
        plans.push(p);
        // The copy above left this mailbox complete: add a message with an over-long line to the source.
        const c = await connectPlain(src, accounts[0]!.user, accounts[0]!.password);
        const line = 'x'.repeat(EXCHANGE_MAX_LINE_LENGTH + 10);
        const raw = Buffer.from(
          `From: a@acme.example\r\nTo: b@acme.example\r\nSubject: long line\r\nMessage-ID: <long-line@acme.example>\r\n\r\n${line}\r\n`,
        );
        const ok = Buffer.from(
          'From: a@acme.example\r\nTo: b@acme.example\r\nSubject: short\r\nMessage-ID: <short-line@acme.example>\r\n\r\nshort\r\n',
        );
        try {
          await c.append('INBOX', raw, ['\\Seen']);
          await c.append('INBOX', ok, ['\\Seen']);
        } finally {
          await c.logout();
        }
        const run = await runProviderPlan(p);
        assert.equal(run.code, 1, 'the refused message keeps the run incomplete');
        const failed = run.events.filter((e) => e.type === 'message-failed');
        assert.equal(failed.length, 1, JSON.stringify(failed));
        assert.match(failed[0]!.type === 'message-failed' ? failed[0]!.reason : '', /Command Error\. 10/);
        assert.ok(refusal.fired >= 1);
        const inbox = (
          await mailboxContents(m365.server, accounts[0]!.user, destinationPassword(accounts[0]!))
        ).get('INBOX')!;
        assert.ok(
          inbox.some((m) => m.key === '<short-line@acme.example>'),
          'the other message arrived',
        );
        assert.ok(!inbox.some((m) => m.key === '<long-line@acme.example>'));
      } finally {
        refusal.cancel();
      }
    });
  });
});
