/**
 * A Gmail / Google Workspace source (issue 18) against real Dovecot: the Gmail-shaped Dovecot
 * (test/harness/gmail-shape.ts: label folders holding copies, All Mail holding everything, two
 * messages archived without a label) is copied to a modern Dovecot destination.
 *  - default mode through the X-GM-EXT-1 proxy (matching by X-GM-MSGID, labels from All Mail's
 *    X-GM-LABELS): every message arrives, archived-only mail in Archive, nothing twice, Starred and
 *    Important not copied as folders; verify passes, and fails once the archived-only messages are
 *    removed from the destination;
 *  - `labels: one-copy` with `provider: google` and no proxy (matching by identity): one copy per
 *    message, the other labels as keywords; verify passes;
 *  - the dry-run report shows the labels, the archived-only mail and the label mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { startGmailExtProxy, type GmailExtProxy } from '../harness/gmail-ext-proxy.js';
import { messageKey } from '../harness/gmail-labels.js';
import {
  foldersOf,
  headerOf,
  sampleGmailAccount,
  startGmailShape,
  type GmailShape,
} from '../harness/gmail-shape.js';
import {
  deleteMessages,
  mailboxContents,
  reportProviderPlan,
  runProviderPlan,
  verifyProviderPlan,
  writeProviderPlan,
  type HeldMessage,
  type ProviderPlan,
} from '../harness/provider-migration.js';

const USER = 'anna@gmail-shape.example';
const account = sampleGmailAccount(USER, 'anna-gmail');
/** Sample key (`archived-1`) by the message's key on a server (Message-ID, or a header hash). */
const sampleKey = new Map(account.messages.map((m) => [messageKey(headerOf(m.raw)), m.key]));
const ARCHIVED = ['archived-1', 'archived-2'];

/** Where each sample message is on the destination: sample key -> folders (and its flags there). */
function whereIs(contents: Map<string, HeldMessage[]>): Map<string, { folder: string; flags: string[] }[]> {
  const out = new Map<string, { folder: string; flags: string[] }[]>();
  for (const [folder, held] of contents) {
    for (const m of held) {
      const key = sampleKey.get(m.key);
      assert.ok(key, `${folder} holds a message the sample does not have`);
      out.set(key, [...(out.get(key) ?? []), { folder, flags: m.flags }]);
    }
  }
  return out;
}

describe('Gmail source to a Dovecot destination', () => {
  let gmail: GmailShape;
  let proxy: GmailExtProxy;
  let dst: DovecotServer;
  const plans: ProviderPlan[] = [];
  const dstUser = (n: number) => ({ user: `anna${n}@new-host.example`, password: `dst-pass-${n}` });

  before(async () => {
    gmail = await startGmailShape({ accounts: [account] });
    proxy = await startGmailExtProxy({
      target: { host: '127.0.0.1', port: gmail.server.port },
      table: gmail.table,
    });
    dst = await startDovecot({ flavor: 'destination', users: [dstUser(1), dstUser(2), dstUser(3)] });
  });
  after(async () => {
    for (const p of plans) p.remove();
    await proxy?.stop();
    await Promise.allSettled([gmail?.stop(), dst?.stop()]);
  });

  function plan(n: number, via: 'proxy' | 'plain', sourceExtra: string, extraYaml = ''): ProviderPlan {
    const p = writeProviderPlan(
      {
        host: '127.0.0.1',
        port: via === 'proxy' ? proxy.port : gmail.server.port,
        security: 'none',
        ...(sourceExtra ? { extra: sourceExtra } : {}),
      },
      { host: '127.0.0.1', port: dst.port, security: 'starttls' },
      [{ source: { user: USER, password: account.password }, destination: dstUser(n) }],
      extraYaml,
    );
    plans.push(p);
    return p;
  }

  test('default mode (X-GM-EXT-1): every message present, archived-only in Archive, verify passes and then fails without them', async () => {
    const p = plan(1, 'proxy', '');
    const run = await runProviderPlan(p);
    assert.ifError(run.error);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.summary?.complete, true);
    assert.ok(proxy.splicedResponses > 0, 'the X-GM items were asked for and answered');

    const where = whereIs(await mailboxContents(dst, dstUser(1).user, dstUser(1).password));
    const f = gmail.folders;
    const expected = (key: string) => {
      const m = account.messages.find((x) => x.key === key)!;
      const mapped = foldersOf(m, f)
        .filter((x) => x !== f.all && x !== f.starred && x !== f.important)
        .map(
          (x) => ({ [f.sent]: 'Sent', [f.drafts]: 'Drafts', [f.spam]: 'Junk', [f.trash]: 'Trash' })[x] ?? x,
        );
      return mapped.length > 0 ? mapped.sort() : ['Archive'];
    };
    for (const m of account.messages) {
      const at = (where.get(m.key) ?? []).map((x) => x.folder).sort();
      assert.deepEqual(at, expected(m.key), `${m.key} is in ${at.join(', ') || 'no folder'}`);
    }
    for (const key of ARCHIVED)
      assert.deepEqual(
        where.get(key)?.map((x) => x.folder),
        ['Archive'],
      );
    const important = where.get('important')!;
    assert.ok(
      important.every((x) => x.flags.includes('$Important')),
      'Important became a keyword',
    );
    assert.ok(
      where.get('starred')!.every((x) => x.flags.includes('\\Flagged')),
      'Starred is \\Flagged',
    );
    assert.ok(!where.get('labelled')!.some((x) => x.flags.includes('$Important')));
    const events = run.events.filter((e) => e.type === 'folder-done');
    const order = events.map((e) => (e.type === 'folder-done' ? e.folder : ''));
    assert.equal(order[order.length - 1], f.all, `All Mail is copied last: ${order.join(', ')}`);

    const again = await runProviderPlan(p);
    assert.equal(again.summary?.totals.copied, 0, 'a second run copies nothing');
    assert.equal(again.code, 0, again.stderr);

    const passed = await verifyProviderPlan(p);
    assert.equal(passed.report.verdict, 'passed', JSON.stringify(passed.report.totals));
    assert.equal(passed.code, 0);
    const allMail = passed.report.accounts[0]!.folders.find((x) => x.source === f.all)!;
    assert.equal(allMail.status, 'compared');
    assert.equal(allMail.counts.source, account.messages.filter((m) => !m.spam && !m.trash).length);
    assert.equal(allMail.counts.matched, allMail.counts.source);

    const removed = await deleteMessages(dst, dstUser(1).user, dstUser(1).password, 'Archive', [
      ...account.messages.filter((m) => ARCHIVED.includes(m.key)).map((m) => messageKey(headerOf(m.raw))),
    ]);
    assert.equal(removed, 2);
    const failed = await verifyProviderPlan(p);
    assert.equal(failed.report.verdict, 'failed');
    assert.equal(failed.code, 1);
    const lost = failed.report.accounts[0]!.folders.find((x) => x.source === f.all)!;
    assert.deepEqual(
      lost.missing.map((m) => sampleKey.get(m.messageId ?? '')).sort(),
      ARCHIVED,
      'the archived-only messages are named as missing',
    );
    assert.ok(lost.missing.every((m) => m.cause === 'deleted-on-destination'));
  });

  test('labels: one-copy (provider: google, identity matching): one copy each, other labels as keywords', async () => {
    const p = plan(2, 'plain', 'provider: google', 'gmail: { labels: one-copy }');
    const run = await runProviderPlan(p);
    assert.ifError(run.error);
    assert.equal(run.code, 0, run.stderr);
    const where = whereIs(await mailboxContents(dst, dstUser(2).user, dstUser(2).password));
    for (const m of account.messages) {
      assert.equal(where.get(m.key)?.length, 1, `${m.key} has one copy: ${JSON.stringify(where.get(m.key))}`);
    }
    const one = (key: string) => where.get(key)![0]!;
    // INBOX, Sent, Drafts keep the copy first; then labels by name.
    assert.equal(one('labelled').folder, 'INBOX');
    assert.ok(one('labelled').flags.includes('Klienci/ACME'), JSON.stringify(one('labelled')));
    assert.equal(one('multi').folder, 'Faktury');
    for (const k of ['Klienci/ACME', 'Projekty/Migracja']) assert.ok(one('multi').flags.includes(k));
    assert.ok(!one('multi').flags.includes('Faktury'), 'the folder holding the copy is no keyword');
    assert.equal(one('sent').folder, 'Sent');
    assert.ok(one('sent').flags.includes('Projekty/Migracja'));
    assert.equal(one('zabka').folder, 'Klienci/\u017babka');
    assert.equal(one('important').folder, 'Faktury');
    assert.ok(one('important').flags.includes('$Important'));
    for (const key of ARCHIVED) assert.equal(one(key).folder, 'Archive');

    const verified = await verifyProviderPlan(p);
    assert.equal(
      verified.report.verdict,
      'passed',
      JSON.stringify(verified.report.accounts[0]?.folders.filter((x) => x.counts.missing > 0)),
    );
    assert.equal(verified.report.totals.flagDifferences, 0, 'the keywords are what verify expects');
  });

  test('the dry-run report shows the labels, the archived-only mail and the label mode', async () => {
    const p = plan(3, 'proxy', 'provider: google', 'gmail: { labels: one-copy }');
    const report = await reportProviderPlan(p);
    const json = report.json as {
      accounts: {
        gmail?: {
          labelMode: string;
          archivedOnly: { messages: number };
          labels: { folder: string; messages: number }[];
          multiLabelled: number;
        };
      }[];
      presets?: { side: string; provider: string }[];
    };
    const g = json.accounts[0]?.gmail;
    assert.ok(g, `no gmail section: ${JSON.stringify(json.accounts[0]).slice(0, 400)}`);
    assert.equal(g.labelMode, 'one-copy');
    assert.equal(g.archivedOnly.messages, 2);
    assert.equal(
      g.multiLabelled,
      account.messages.filter((m) => (m.labels?.length ?? 0) + (m.inbox ? 1 : 0) + (m.sent ? 1 : 0) > 1)
        .length,
    );
    assert.ok(g.labels.some((l) => l.folder === 'Klienci/ACME' && l.messages === 3));
    assert.deepEqual(
      json.presets?.map((x) => `${x.side}:${x.provider}`),
      ['source:google'],
    );
    assert.match(report.markdown, /archived/i);
    assert.match(report.markdown, /one-copy/);
  });
});
