/**
 * The renderers of the verification report: the same findings in the console, Markdown and HTML,
 * in both languages, with client-supplied text (subjects, folder names) escaped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyFormats, verifyMode } from '../../../src/cli/run-verify.js';
import { formatVerifyConsole } from '../../../src/report/verify-console.js';
import { verifyHtml } from '../../../src/report/verify-html.js';
import { parseVerifyReport, verifyReportJson } from '../../../src/report/verify-json.js';
import { verifyMarkdown } from '../../../src/report/verify-markdown.js';
import { verifyReportName } from '../../../src/report/verify-write.js';
import { MailshiftError } from '../../../src/core/errors.js';
import { folderResult } from '../../../src/verify/counts.js';
import type { VerifyReport } from '../../../src/verify/types.js';
import { verdictOf, verifyTotals } from '../../../src/verify/verdict.js';

function report(lang: 'pl' | 'en'): VerifyReport {
  const lost = folderResult('INBOX.R&D', 'R&D', 'compared', {
    counts: { source: 2, destination: 1, matched: 1, missing: 1 },
  });
  lost.missing.push({
    folder: 'INBOX.R&D',
    uid: 7,
    size: 2048,
    internalDate: '2024-03-01T09:00:00.000Z',
    from: 'Jan <jan@x.example>',
    subject: 'Oferta | <b>pilne</b>',
    cause: 'deleted-on-destination',
    recordedDestUid: 3,
  });
  const ok = folderResult('INBOX', 'INBOX', 'compared', {
    counts: { source: 5, destination: 5, matched: 5 },
  });
  const accounts = [
    {
      account: 'kontakt@acme.example',
      destinationUser: 'kontakt@acme.example',
      sourceLogin: { ok: true as const },
      destinationLogin: { ok: true as const },
      folders: [ok, lost],
    },
  ];
  const addresses = [{ address: 'faktury@acme.example', kind: 'alias' as const, destination: null }];
  const totals = verifyTotals(accounts, addresses);
  return {
    version: 1,
    plan: 'acme',
    generatedAt: '2026-11-25T20:01:02.345Z',
    seconds: 1.25,
    mode: { kind: 'headers' },
    lang,
    verdict: verdictOf(totals),
    totals,
    accounts,
    addresses,
  };
}

describe('verification report renderers', () => {
  it('names the missing message and the verdict on the console, leaving empty columns out', () => {
    const text = formatVerifyConsole(report('en'));
    assert.match(text, /INBOX\.R&D\s+7\s+2024-03-01 09:00\s+Jan <jan@x\.example>\s+Oferta \| <b>pilne<\/b>/);
    assert.match(text, /copied \(UID 3\), later deleted on the new server/);
    assert.match(text, /FAILED: Missing messages: 1, addresses without a destination: 1\./);
    assert.match(text, /source folder +destination folder +source +destination +matched +missing +result\n/);
  });

  it('escapes Markdown table cells and HTML, in Polish', () => {
    const md = verifyMarkdown(report('pl'));
    assert.match(md, /Oferta \\\| \\<b\\>pilne\\<\/b\\>/);
    assert.match(md, /\*\*NIEZALICZONA\*\*/);
    const html = verifyHtml(report('pl'));
    assert.match(html, /Oferta \| &lt;b&gt;pilne&lt;\/b&gt;/);
    assert.match(html, /<html lang="pl">/);
    assert.match(html, /BRAK\u00a0?/);
    assert.doesNotMatch(html, /<b>pilne/);
  });

  it('round-trips the JSON with its version, and refuses another version', () => {
    const r = report('en');
    assert.deepEqual(parseVerifyReport(verifyReportJson(r)), r);
    assert.throws(
      () => parseVerifyReport('{"version":2}', 'x.json'),
      (e: unknown) => e instanceof MailshiftError && /expected 1, got 2/.test(e.message),
    );
    assert.equal(verifyReportName(r.generatedAt), 'verify-20261125-200102-345');
  });
});

describe('verify options', () => {
  it('reads --deep and --deep-sample, and refuses both or a bad percentage', () => {
    assert.deepEqual(verifyMode({ deep: false }, 's'), { kind: 'headers' });
    assert.deepEqual(verifyMode({ deep: true }, 's'), { kind: 'deep' });
    assert.deepEqual(verifyMode({ deep: false, deepSample: '12.5%' }, 's'), {
      kind: 'sample',
      percent: 12.5,
      seed: 's',
    });
    assert.deepEqual(verifyMode({ deep: false, deepSample: '100' }, 's'), { kind: 'deep' });
    assert.throws(() => verifyMode({ deep: true, deepSample: '5' }, 's'), /exclude each other/);
    assert.throws(() => verifyMode({ deep: false, deepSample: '0' }, 's'), /percentage/);
    assert.throws(() => verifyMode({ deep: false, deepSample: 'ten' }, 's'), /percentage/);
  });

  it('reads --format in a fixed order and names an unknown one', () => {
    assert.deepEqual(verifyFormats('json, HTML'), ['html', 'json']);
    assert.throws(() => verifyFormats('html,pdf'), /--format pdf/);
  });
});
