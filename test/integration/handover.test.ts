/**
 * The handover report as the client opens it: the Polish HTML in real headless Chromium renders
 * every mailbox with no console message (nothing blocked by its Content-Security-Policy: it loads
 * nothing from elsewhere), and a screenshot is written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildHandover } from '../../src/report/handover-model.js';
import { handoverHtml } from '../../src/report/handover-html.js';
import { renderPage, screenshotPage } from '../harness/chromium.js';
import { DAY, plan, state, verifyReport } from '../unit/report/handover-fixture.js';

describe('handover report in Chromium', () => {
  it('renders every mailbox in Polish with no console message; screenshot taken', () => {
    const { store, schedule } = state();
    const report = buildHandover({
      plan,
      store,
      schedule,
      verify: verifyReport('passed'),
      lang: 'pl',
      now: new Date(DAY),
    });
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-handover-html-'));
    const html = join(dir, 'handover.html');
    writeFileSync(html, handoverHtml(report));
    const page = renderPage(html);
    for (const a of plan.accounts) assert.match(page.dom, new RegExp(`<h3>${a.id.replace(/\./g, '\\.')} `));
    assert.match(page.dom, /Jeszcze niezako\u0144czone/);
    assert.deepEqual(page.console, []);
    assert.deepEqual(page.loadErrors, []);
    const png = join(dir, 'handover.png');
    const shot = screenshotPage(html, png, '1000,2400');
    assert.deepEqual(shot.console, []);
    process.stderr.write(`# screenshot: ${png}\n`);
  });
});
