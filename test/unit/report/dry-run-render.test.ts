/**
 * Rendering of the dry-run report: every section in HTML and Markdown, in both languages, names
 * escaped (a folder may be called anything), nothing external in the HTML, JSON read back with its
 * version checked, and a title and an action for every problem kind in both languages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDryRunReport } from '../../../src/report/dry-run-build.js';
import { formatDryRunConsole } from '../../../src/report/dry-run-console.js';
import { HTML_SECTIONS, renderDryRunHtml } from '../../../src/report/dry-run-html.js';
import { renderDryRunJson } from '../../../src/report/dry-run-json.js';
import { renderDryRunMarkdown } from '../../../src/report/dry-run-markdown.js';
import { escapeMarkdown } from '../../../src/report/markdown.js';
import { parseDryRunReport, type ProblemKind } from '../../../src/report/dry-run-model.js';
import { parseFormats } from '../../../src/report/dry-run-write.js';
import { countOf, stringsFor } from '../../../src/report/dry-run-texts.js';
import { formatSize, LANGS } from '../../../src/core/units.js';
import { MailshiftError } from '../../../src/core/errors.js';
import {
  accountInput,
  copy,
  destinationFolder,
  destinationSide,
  failedSide,
  input,
  sourceFolder,
  sourceSide,
} from './dry-run-fixtures.js';

const EVIL = 'INBOX.<script>alert(1)</script> | R&D "x"';

function sample(lang: 'pl' | 'en') {
  const a = accountInput(
    'kontakt@acme.example',
    sourceSide('kontakt@acme.example', [
      sourceFolder('INBOX', [
        { size: 2000, date: '2020-02-03' },
        { size: 90_000, date: '2024-05-06', flags: ['$label1'] },
      ]),
      sourceFolder(EVIL, [{ size: 10 }]),
    ]),
    destinationSide('kontakt@acme.example', [destinationFolder('INBOX', 3)], {
      appendLimit: 50_000,
      quota: { usage: 0, limit: 1_000_000 },
    }),
    [copy('INBOX', 'INBOX', true), copy(EVIL, 'R&D <x>')],
  );
  const b = accountInput(
    'jan@acme.example',
    sourceSide('jan@acme.example', [sourceFolder('INBOX', [{ size: 5 }])]),
    failedSide('jan@acme.example'),
    undefined,
  );
  return buildDryRunReport(
    input([a, b], { addresses: [{ address: 'faktury@acme.example', kind: 'alias' }], throughput: 5 }, lang),
  );
}

describe('dry-run report rendering', () => {
  it('HTML: every section in order, escaped names, self-contained, in the report language', () => {
    for (const lang of LANGS) {
      const html = renderDryRunHtml(sample(lang));
      const at = HTML_SECTIONS.map((id) => html.indexOf(`id="${id}"`));
      assert.ok(
        at.every((i) => i > 0),
        `${lang}: sections ${JSON.stringify(at)}`,
      );
      assert.deepEqual(
        [...at].sort((x, y) => x - y),
        at,
        'sections in document order',
      );
      assert.match(html, new RegExp(`<html lang="${lang}">`));
      assert.ok(!html.includes('<script>'), 'a folder name must not become markup');
      assert.ok(html.includes('INBOX.&lt;script&gt;alert(1)&lt;/script&gt; | R&amp;D &quot;x&quot;'));
      assert.doesNotMatch(html, /\b(src|href)\s*=|<link|@import|url\(/i);
      assert.match(html, /Content-Security-Policy/);
      const t = stringsFor(lang);
      assert.ok(html.includes(t.sections.problems));
      assert.ok(html.includes(t.verdictBlocked(3).replace(/"/g, '&quot;')), `${lang}: verdict`);
    }
  });

  it('Markdown: the same sections, table cells escaped', () => {
    const md = renderDryRunMarkdown(sample('en'));
    for (const h of [
      '# Mail migration',
      '## Summary',
      '## Problems found ahead of time',
      '## Mailboxes',
      '## Addresses',
      '## About this report',
    ]) {
      assert.ok(md.includes(h), h);
    }
    assert.ok(md.includes(escapeMarkdown(EVIL)));
    assert.equal(escapeMarkdown('a|b*c_d'), 'a\\|b\\*c\\_d');
    // Every table row has as many cells as its header.
    for (const table of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const widths = table.split('\n').map((l) => l.split(/(?<!\\)\|/).length);
      assert.ok(
        widths.every((w) => w === widths[0]),
        table,
      );
    }
    assert.match(renderDryRunMarkdown(sample('pl')), /^# Migracja poczty: raport przed przeniesieniem/);
  });

  it('JSON: version 1 with titles and actions written out, read back; another version is refused', () => {
    const r = sample('pl');
    const text = renderDryRunJson(r);
    const back = parseDryRunReport(text);
    assert.equal(back.version, 1);
    assert.equal(back.summary.messages, r.summary.messages);
    const problems = JSON.parse(text).problems as { kind: string; title: string; action: string }[];
    const login = problems.find((p) => p.kind === 'login-failed')!;
    assert.match(login.title, /Nie mo\u017cna zalogowa\u0107 si\u0119/);
    assert.match(login.action, /has\u0142o/);
    assert.throws(
      () => parseDryRunReport(JSON.stringify({ ...r, version: 2 }), 'old.json'),
      (e: unknown) => e instanceof MailshiftError && /expected 1, got 2/.test(e.message),
    );
  });

  it('console: verdict, problems one per line, and where the files are', () => {
    const text = formatDryRunConsole(sample('pl'), ['/tmp/r/dry-run.html']);
    assert.match(text, /^Not ready: 3 blocking problems \(2 of 2 mailboxes\)\./);
    assert.match(text, /BLOCKER {2}jan@acme\.example: Cannot log in to the new server as jan@acme\.example/);
    assert.match(text, /Report written to:\n {2}\/tmp\/r\/dry-run\.html$/);
  });

  it('has a title and an action for every problem kind in both languages', () => {
    const kinds: ProblemKind[] = [
      'login-failed',
      'folder-unreadable',
      'over-append-limit',
      'over-plan-limit',
      'append-limit-per-folder',
      'quota-too-small',
      'flags-not-kept',
      'flags-unverified',
      'folders-skipped',
      'mapping-warnings',
      'merge-into-existing',
      'address-unmapped',
      'address-target-unknown',
      'outside-window',
    ];
    for (const lang of LANGS) {
      const t = stringsFor(lang);
      assert.deepEqual(Object.keys(t.problem).sort(), [...kinds].sort());
      for (const k of kinds) {
        const p = {
          side: 'source',
          user: 'u',
          code: 'AUTH_FAILED',
          limit: '1 MB',
          missing: '2 MB',
          needed: '3 MB',
          window: 'since 2024-01-01',
        };
        assert.ok(
          t.problem[k].title(p).length > 10 && !t.problem[k].title(p).includes('undefined'),
          `${lang} ${k}`,
        );
        assert.ok(t.problem[k].action(p).length > 10, `${lang} ${k}`);
      }
    }
  });

  it('Polish plurals and number formats', () => {
    assert.deepEqual(
      [1, 2, 5, 12, 22, 25, 104, 1000].map((n) => countOf('pl', n, 'messages')),
      [
        '1 wiadomo\u015b\u0107',
        '2 wiadomo\u015bci',
        '5 wiadomo\u015bci',
        '12 wiadomo\u015bci',
        '22 wiadomo\u015bci',
        '25 wiadomo\u015bci',
        '104 wiadomo\u015bci',
        '1000 wiadomo\u015bci',
      ],
    );
    assert.deepEqual(
      [1, 3, 5, 13, 24].map((n) => countOf('pl', n, 'folders')),
      ['1 folder', '3 foldery', '5 folder\u00f3w', '13 folder\u00f3w', '24 foldery'],
    );
    assert.equal(countOf('en', 12345, 'messages'), '12,345 messages');
    assert.equal(formatSize('pl', 1536), '1,5 KB');
    assert.equal(formatSize('en', 5 * 1024 * 1024), '5 MB');
  });

  it('parses --format lists and refuses unknown formats', () => {
    assert.deepEqual(parseFormats('html,md,json'), ['html', 'md', 'json']);
    assert.deepEqual(parseFormats(['json', 'html,json']), ['json', 'html']);
    assert.throws(
      () => parseFormats('pdf'),
      (e: unknown) => e instanceof MailshiftError && e.code === 'USAGE_FORMAT',
    );
    assert.throws(() => parseFormats(' , '), /no report format/);
  });
});
