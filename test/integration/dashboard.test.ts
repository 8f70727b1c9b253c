/**
 * The dashboard in real headless Chromium (Debian's `chromium`, driven by playwright-core) over a
 * state directory written by the real stores and events reporter: the page shows the state's
 * numbers, they move while the copy goes on (server-sent events, no reload), and at the end they
 * equal the status rows (`mailshift status --json`); the page makes no request outside its own
 * server and logs nothing to the console (a blocked load under its Content-Security-Policy would);
 * a screenshot is written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { accountStatusRows } from '../../src/report/status-report.js';
import { openWatchedPage, type WatchedPage } from '../harness/browser-page.js';
import { ACCOUNTS, fillState, type FilledState } from '../unit/dashboard/dashboard-fixture.js';

describe('dashboard in Chromium', () => {
  let f: FilledState;
  let d: Dashboard;
  let watched: WatchedPage | undefined;
  let page: Page;

  before(async () => {
    f = fillState();
    d = await startDashboard({
      state: f.state,
      plan: { name: 'acme', client: 'ACME Sp. z o.o.', accounts: ACCOUNTS },
      lang: 'en',
      pollMs: 200,
    });
    watched = await openWatchedPage();
    page = watched.page;
  });

  after(async () => {
    await watched?.browser.close();
    await d?.close();
    f?.close();
  });

  /** Waits until the page itself shows `text` in a cell (evaluated in the page: no reload). */
  // A locator's wait runs in Playwright's own world: the page's CSP (no eval) does not stop it.
  const showing = (account: string, name: string, text: string) =>
    page
      .locator(`tr[data-account="${account}"] [data-field="${name}"]`)
      .first()
      .filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
      .waitFor({ timeout: 20_000 });

  const cell = (account: string, name: string) =>
    page.locator(`tr[data-account="${account}"] [data-field="${name}"]`).first();

  it('shows the numbers of the state, and they move while the copy goes on', async () => {
    await page.goto(d.url);
    await page.locator('#link.on').waitFor({ timeout: 20_000 }); // the live stream is connected
    assert.equal(await page.title(), 'Mail migration acme');
    assert.equal(await cell('kontakt@acme.example', 'copied').textContent(), '19');
    assert.equal(await cell('biuro@acme.example', 'skipped').textContent(), '5');
    assert.equal(await cell('kontakt@acme.example', 'messages').getAttribute('value'), '20');
    assert.equal(await cell('kontakt@acme.example', 'messages').getAttribute('max'), '100');
    assert.match(
      (await page.locator('[data-total="next-pass"]').textContent()) ?? '',
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    assert.match(
      (await page.locator('body').textContent()) ?? '',
      /NO \[LIMIT\] message too large for this mailbox/,
    );
    assert.match((await page.locator('body').textContent()) ?? '', /outside the date window \(since 2y\): 5/);
    assert.equal(await page.locator('svg.plot polyline').count(), 1, 'the throughput plot is drawn');

    f.advance(30);
    await showing('kontakt@acme.example', 'copied', '49');

    assert.equal(await cell('kontakt@acme.example', 'messages').getAttribute('value'), '50');
  });

  it('at the end equals the status rows; no request leaves the local server; nothing in the console; screenshot', async () => {
    f.advance(50);
    f.finish();
    await showing('kontakt@acme.example', 'state', 'incomplete');

    const rows = accountStatusRows({ accounts: ACCOUNTS.map((id) => ({ id })) }, f.store);
    for (const r of rows)
      for (const k of ['copied', 'present', 'skipped', 'failed'] as const)
        assert.equal(await cell(r.account, k).textContent(), String(r[k]), `${r.account} ${k}`);
    assert.equal(await cell('kontakt@acme.example', 'copied').textContent(), '99');
    assert.equal(
      await page.locator('[data-total="eta"]').textContent(),
      '-',
      'no time left once the run is done',
    );

    const png = join(mkdtempSync(join(tmpdir(), 'mailshift-dashboard-shot-')), 'dashboard.png');
    await page.screenshot({ path: png, fullPage: true });
    process.stderr.write(`# screenshot: ${png}\n`);

    const origin = new URL(d.url).origin;
    assert.ok(
      watched!.requests.length >= 3,
      `page, stylesheet, script and stream requested: ${watched!.requests.join(', ')}`,
    );
    assert.deepEqual(
      watched!.requests.filter((u) => !u.startsWith(`${origin}/`)),
      [],
      'every request went to the dashboard itself',
    );
    assert.deepEqual(watched!.consoleLines, []);
  });
});
