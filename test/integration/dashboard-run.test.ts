/**
 * The dashboard during a real `mailshift sync` against the test Dovecots, in real headless
 * Chromium: the sync (its own process, the state and the events file written by the CLI's
 * composition) copies the sample company at a paced rate; the page's numbers move while it copies
 * (server-sent events, no reload), it shows the open connections and the next scheduled pass, and
 * once the sync has ended its rows equal `mailshift status --json`. No request leaves the local
 * server. Screenshots are written (the README's picture is one of them, `docs/dashboard.png`).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { AccountStatusRow } from '../../src/report/status-report.js';
import { stateDirFor } from '../../src/state/state-dir.js';
import { startMigrationEnv, type MigrationEnv } from '../harness/migration-env.js';
import { sampleCompany, sampleTotals } from '../harness/sample-company.js';
import { openWatchedPage, type WatchedPage } from '../harness/browser-page.js';
import { runTestEntry, startTestEntry } from '../harness/test-entry.js';

const accounts = sampleCompany();
// Paced so that the copy lasts several seconds: 2 accounts at once, 8 messages a second each.
const PLAN_EXTRA = [
  'limits: { batchMessages: 3, connectionsPerAccount: 1, accountsInParallel: 2, maxMessagesPerSecond: 8 }',
  'report: { client: "ACME Sp. z o.o." }',
].join('\n');

describe('dashboard during a real sync (Dovecot, Chromium)', () => {
  let env: MigrationEnv;
  let watched: WatchedPage | undefined;
  let page: Page;
  let dashboard: Dashboard;

  before(async () => {
    env = await startMigrationEnv({ accounts, planYaml: PLAN_EXTRA });
    dashboard = await startDashboard({
      state: stateDirFor('test', env.stateDir),
      plan: { name: 'test', client: 'ACME Sp. z o.o.', accounts: accounts.map((a) => a.user) },
      lang: 'en',
      pollMs: 200,
    });
    watched = await openWatchedPage();
    page = watched.page;
  });

  after(async () => {
    await watched?.browser.close();
    await dashboard?.close();
    await env?.stop();
  });

  const copiedOnPage = async () =>
    (await page.locator('tr[data-account] [data-field="copied"]').allTextContents()).reduce(
      (s, t) => s + Number(t),
      0,
    );

  it('moves while the sync copies, shows connections and the next pass, equals status --json at the end', async () => {
    await page.goto(dashboard.url);
    await page.locator('#link.on').waitFor({ timeout: 20_000 });
    const total = sampleTotals(accounts).messages;
    const cutover = new Date(Date.now() + 30_000).toISOString();
    const sync = startTestEntry([
      'sync',
      env.planPath,
      '--state-dir',
      env.stateDir,
      '--every',
      '5s',
      '--cutover',
      cutover,
      '--no-idle',
    ]);
    const seen = new Set<number>();
    const connections = new Set<string>();
    const shots = mkdtempSync(join(tmpdir(), 'mailshift-dashboard-run-'));
    let midShot: string | undefined;
    let ended = false;
    void sync.done.then(() => (ended = true));
    while (!ended) {
      const copied = await copiedOnPage();
      seen.add(copied);
      connections.add((await page.locator('[data-total="connections"]').textContent()) ?? '');
      if (!midShot && copied > (total * 2) / 3) {
        midShot = join(shots, 'dashboard-during-sync.png');
        await page.screenshot({ path: midShot, fullPage: true });
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    const end = await sync.done;
    assert.equal(end.code, 0, end.stderr + end.stdout);
    const moving = [...seen].filter((v) => v > 0 && v < total);
    assert.ok(moving.length >= 2, `the copied count moved through ${[...seen].join(', ')}`);
    assert.ok(
      [...connections].some((c) => Number(c) > 0),
      `open connections shown during a pass: ${[...connections].join(', ')}`,
    );

    // At the end: the page shows exactly the status rows.
    const status = await runTestEntry(['status', env.planPath, '--state-dir', env.stateDir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const rows = (JSON.parse(status.stdout) as { accounts: AccountStatusRow[] }).accounts;
    assert.equal(
      rows.reduce((s, r) => s + r.copied + r.present, 0),
      total,
    );
    const cell = (account: string, field: string) =>
      page.locator(`tr[data-account="${account}"] [data-field="${field}"]`).first();
    await page
      .locator('[data-total="status"]')
      .filter({ hasNotText: /Copying now/ })
      .waitFor({ timeout: 20_000 });
    for (const r of rows)
      for (const k of ['copied', 'present', 'skipped', 'failed'] as const)
        await cell(r.account, k)
          .filter({ hasText: new RegExp(`^${r[k]}$`) })
          .waitFor({ timeout: 20_000 });
    assert.match((await page.locator('body').textContent()) ?? '', /ACME Sp\. z o\.o\./);

    const endShot = join(shots, 'dashboard-after-cutover.png');
    await page.screenshot({ path: endShot, fullPage: true });
    process.stderr.write(`# screenshots: ${midShot ?? '(none mid-run)'} ${endShot}\n`);
    // `MAILSHIFT_DASHBOARD_SHOT=docs/dashboard.png` refreshes the README's picture.
    const docs = process.env.MAILSHIFT_DASHBOARD_SHOT;
    if (docs && midShot) copyFileSync(midShot, docs);

    const origin = new URL(dashboard.url).origin;
    assert.deepEqual(
      watched!.requests.filter((u) => !u.startsWith(`${origin}/`)),
      [],
      'every request went to the dashboard itself',
    );
    assert.deepEqual(watched!.consoleLines, []);
  });
});
