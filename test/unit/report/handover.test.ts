/**
 * The handover report from a state written by the real stores (passes of a sync, checkpoints)
 * and a verification report: per mailbox what was copied, its last pass, verify's verdict, and each
 * failure with what was done about it (refused and left on the old server, repaired, flags dropped,
 * a stop that recovered, one that did not); the window's skips with their reason. Rendered in
 * Polish and English as HTML (self-contained, escaped), Markdown and JSON (read back strictly).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PassAccountRow } from '../../../src/state/schedule-store.js';
import { accountStops, buildHandover } from '../../../src/report/handover-model.js';
import { handoverHtml } from '../../../src/report/handover-html.js';
import { handoverMarkdown } from '../../../src/report/handover-markdown.js';
import { handoverJson, parseHandoverJson, writeHandoverReports } from '../../../src/report/handover-write.js';
import { DAY, plan, state, verifyReport } from './handover-fixture.js';

describe('handover report', () => {
  const { store, schedule } = state();

  it('per mailbox: copied, last pass, verify verdict, failures with what was done', () => {
    const r = buildHandover({
      plan,
      store,
      schedule,
      verify: verifyReport('failed', 'AUTHENTICATIONFAILED'),
      lang: 'en',
      now: new Date(DAY + 3_600_000),
    });
    assert.equal(r.verdict, 'failed');
    assert.equal(r.passes, 4);
    assert.equal(r.finalPassAt, '2026-12-05T17:01:00.000Z');
    assert.equal(r.cutoverAt, '2026-12-05T17:00:00.000Z');
    const [biuro, kontakt, sprzedaz] = r.accounts;
    assert.deepEqual([biuro?.copied, biuro?.failed, biuro?.skipped, biuro?.bytes], [32, 1, 5, 32 * 1536]);
    assert.equal(biuro?.destinationUser, 'biuro@acme-new.example');
    assert.equal(biuro?.lastPass, 4);
    assert.deepEqual(
      biuro?.failures.map((f) => [f.action, f.uid, f.reason]),
      [
        ['left-on-source', 31, 'NO [LIMIT] message too large'],
        ['repaired', 32, 'bare LF line endings made CRLF'],
        ['flags-dropped', 33, '$Label1'],
      ],
    );
    assert.deepEqual(biuro?.skippedByReason, [
      { reason: 'outside the date window (since 2y)', messages: 5, bytes: 5 * 1536 },
    ]);
    assert.equal(biuro?.check.verdict, 'failed');
    assert.deepEqual(
      kontakt?.failures.map((f) => [f.action, f.passes, f.resolvedInPass]),
      [['recovered', [1, 2], 3]],
    );
    assert.equal(kontakt?.check.verdict, 'passed');
    assert.deepEqual(
      sprzedaz?.failures.map((f) => [f.action, f.passes, f.reason]),
      [['still-stopped', [3, 4], 'token expired for sprzedaz@acme.example']],
    );
    assert.equal(sprzedaz?.check.error, 'AUTHENTICATIONFAILED');
    assert.deepEqual(r.totals, {
      accounts: 3,
      copied: 42,
      present: 0,
      skipped: 5,
      failed: 1,
      bytes: 42 * 1536,
    });
  });

  it('a passed verification with a mailbox still stopped is not complete', () => {
    const r = buildHandover({
      plan,
      store,
      schedule,
      verify: verifyReport('passed'),
      lang: 'en',
      now: new Date(DAY),
    });
    assert.equal(r.verdict, 'incomplete');
  });

  it('groups consecutive stops with the same reason; a different reason is its own entry', () => {
    const row = (pass: number, status: PassAccountRow['status'], error?: string): PassAccountRow => ({
      pass,
      account: 'a',
      status,
      copied: 0,
      bytes: 0,
      failed: 0,
      code: undefined,
      error,
    });
    assert.deepEqual(
      accountStops([
        row(1, 'stopped', 'x'),
        row(2, 'stopped', 'y'),
        row(3, 'done'),
        row(4, 'stopped', 'x'),
      ]).map((f) => [f.action, f.passes, f.resolvedInPass]),
      [
        ['recovered', [1], 3],
        ['recovered', [2], 3],
        ['still-stopped', [4], undefined],
      ],
    );
  });

  it('renders Polish HTML: self-contained, escaped, with Polish number and size formats', () => {
    const r = buildHandover({
      plan,
      store,
      schedule,
      verify: verifyReport('failed'),
      lang: 'pl',
      now: new Date(DAY),
    });
    const html = handoverHtml(r);
    assert.match(html, /<html lang="pl">/);
    assert.match(html, /Migracja poczty: raport przekazania/);
    assert.match(html, /Czego\u015b brakuje/);
    assert.match(html, /ACME &lt;Sp\. z o\.o\.&gt;/, 'the client name escaped');
    assert.match(html, /Faktury\/&lt;2024&gt;, wiadomo\u015b\u0107 UID 31/, 'folder names escaped');
    assert.match(html, /<td>32 \(48 KB\)<\/td>/, 'biuro: 32 copied');
    assert.match(
      html,
      /<li>poza zakresem dat z planu \(since 2y\): 5 \(7,5 KB\)<\/li>/,
      'the window reason in Polish, with the decimal comma units.ts uses',
    );
    assert.match(html, /Ponawiano w kolejnych przebiegach; przesz\u0142a w przebiegu 3\./);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /<script/);
  });

  it('renders English Markdown and JSON that reads back', () => {
    const r = buildHandover({
      plan,
      store,
      schedule,
      verify: verifyReport('passed'),
      lang: 'en',
      now: new Date(DAY),
    });
    const md = handoverMarkdown(r);
    assert.match(md, /^# Mail migration: handover report/);
    assert.match(md, /> \*\*Not complete yet\*\*/);
    assert.match(md, /\| Faktury\/\\<2024\\>, message UID 31 \| NO \\\[LIMIT\\\] message too large \|/);
    assert.match(
      md,
      /the mailbox, passes 3, 4 \| token expired for sprzedaz@acme\.example \| Tried again on every pass since; still not through\. \|/,
    );
    const back = parseHandoverJson(handoverJson(r));
    assert.deepEqual(back, JSON.parse(JSON.stringify(r)));
    assert.throws(() => parseHandoverJson(JSON.stringify({ ...r, version: 2 })), /version 1 .*version 2/);
    const dir = mkdtempSync(join(tmpdir(), 'mailshift-handover-out-'));
    const files = writeHandoverReports(r, dir, ['html', 'md', 'json']);
    assert.deepEqual(
      files.map((f) => f.slice(dir.length + 1)),
      [
        'handover-20261205-170000-000.html',
        'handover-20261205-170000-000.md',
        'handover-20261205-170000-000.json',
      ],
    );
    assert.equal(statSync(files[0]!).mode & 0o777, 0o600);
    assert.equal(readFileSync(files[2]!, 'utf8'), handoverJson(r));
  });
});
