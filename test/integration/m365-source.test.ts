/**
 * A Microsoft 365 source (issue 18) against real Dovecot: the Microsoft-365-shaped Dovecot
 * (test/harness/m365-shape.ts, English and Polish mailboxes: Exchange's folder names, its special
 * folders marked in LIST without SPECIAL-USE, its non-mail folders) copied with
 * `provider: microsoft365` to a modern Dovecot: the non-mail folders are left out with their
 * reason, the special folders land on the destination's, and verify passes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { sampleM365Account, startM365Shape, type M365Shape } from '../harness/m365-shape.js';
import {
  mailboxContents,
  runProviderPlan,
  verifyProviderPlan,
  writeProviderPlan,
  type ProviderPlan,
} from '../harness/provider-migration.js';

for (const locale of ['en', 'pl'] as const) {
  describe(`Microsoft 365 source (${locale}) to a Dovecot destination`, () => {
    const account = sampleM365Account(`jan.${locale}@m365-shape.example`, 'jan-pass', locale);
    const dstUser = { user: `jan.${locale}@new-host.example`, password: 'dst-pass' };
    let m365: M365Shape;
    let dst: DovecotServer;
    let plan: ProviderPlan;

    before(async () => {
      m365 = await startM365Shape({ accounts: [account], locale });
      dst = await startDovecot({ flavor: 'destination', users: [dstUser] });
      plan = writeProviderPlan(
        { host: '127.0.0.1', port: m365.server.port, security: 'none', extra: 'provider: microsoft365' },
        { host: '127.0.0.1', port: dst.port, security: 'starttls' },
        [{ source: { user: account.user, password: account.password }, destination: dstUser }],
      );
    });
    after(async () => {
      plan?.remove();
      await Promise.allSettled([m365?.stop(), dst?.stop()]);
    });

    test('non-mail folders are left out with their reason; special folders go to the destination\u2019s', async () => {
      const run = await runProviderPlan(plan);
      assert.ifError(run.error);
      assert.equal(run.code, 0, run.stderr);
      const skipped = new Map(run.summary!.accounts[0]!.skippedFolders.map((s) => [s.folder, s.reason]));
      // The layout's confirmed names are the engine's to know; unconfirmed localized ones are not.
      for (const f of m365.folders.filter((x) => x.exclude && x.confirmed !== false)) {
        assert.ok(skipped.has(f.name), `${f.name} should be left out`);
      }
      assert.match(skipped.get(m365.folderOf('calendar')) ?? '', /calendar/i);
      const held = await mailboxContents(dst, dstUser.user, dstUser.password);
      for (const [role, there] of [
        ['sent', 'Sent'],
        ['trash', 'Trash'],
        ['archive', 'Archive'],
      ] as const) {
        const count = account.messages.filter((m) => m.folder === m365.folderOf(role)).length;
        assert.equal(held.get(there)?.length, count, `${m365.folderOf(role)} -> ${there}`);
        if (m365.folderOf(role) !== there)
          assert.ok(!held.has(m365.folderOf(role)), `${m365.folderOf(role)} was created instead`);
      }
      assert.ok(!held.has(m365.folderOf('calendar')), 'no calendar folder on the destination');
      const verified = await verifyProviderPlan(plan);
      assert.equal(verified.report.verdict, 'passed', JSON.stringify(verified.report.totals));
    });
  });
}
