/**
 * One view, three media: the HTML, the Markdown and the console show the very figures, problem
 * counts and table rows the dry-run view computed, in both languages. Each renderer's output is
 * read back (cells, list lines) and compared with the view, so a renderer that formats a figure
 * on its own, or drops one, fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDryRunReport } from '../../../src/report/dry-run-build.js';
import { formatDryRunConsole } from '../../../src/report/dry-run-console.js';
import { renderDryRunHtml } from '../../../src/report/dry-run-html.js';
import { renderDryRunMarkdown } from '../../../src/report/dry-run-markdown.js';
import { dryRunView, type DryRunView } from '../../../src/report/dry-run-view.js';
import { LANGS, type Lang } from '../../../src/core/units.js';
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

/** A report with thousands of messages, fractional sizes, a merge, oversize mail and a failed login. */
function sample(lang: Lang) {
  const many = Array.from({ length: 1234 }, (_, i) => ({ size: 1000 + i, date: '2023-05-06' }));
  const a = accountInput(
    'kontakt@acme.example',
    sourceSide('kontakt@acme.example', [
      sourceFolder('INBOX', [
        { size: 1536, date: '2020-02-03' },
        { size: 90_000, flags: ['$label1'] },
      ]),
      sourceFolder('INBOX.Archiwum', many),
      sourceFolder('INBOX.R&D | <b>', [{ size: 10 }]),
    ]),
    destinationSide(
      'kontakt@acme.example',
      [destinationFolder('INBOX', 3, ['\\Seen']), destinationFolder('Archiwum', 1500)],
      { appendLimit: 50_000, quota: { usage: 500_000, limit: 1_000_000 } },
    ),
    [
      copy('INBOX', 'INBOX', true),
      copy('INBOX.Archiwum', 'Archiwum', true),
      copy('INBOX.R&D | <b>', 'R&D <b>'),
    ],
    { alreadyCopied: { messages: 1100, bytes: 1536 } },
  );
  const b = accountInput(
    'jan@acme.example',
    sourceSide('jan@acme.example', [sourceFolder('INBOX', [{ size: 5 }])]),
    failedSide('jan@acme.example'),
    undefined,
  );
  return buildDryRunReport(
    input(
      [a, b],
      { addresses: [{ address: 'faktury@acme.example', kind: 'alias' }], throughput: 7.25 },
      lang,
    ),
  );
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** The text of an HTML fragment: tags dropped, entities decoded. */
function htmlText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, x: string) => HTML_ENTITIES[x]!);
}

/** The cells of every row of the first HTML table after `marker`. */
function htmlRows(html: string, marker: string): string[][] {
  const start = html.indexOf(marker);
  assert.ok(start >= 0, `no ${marker}`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody>'));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1]!),
  );
}

/** The cells of every body row of the first Markdown table after `marker`, unescaped. */
function markdownRows(md: string, marker: string): string[][] {
  const lines = md.slice(md.indexOf(marker)).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((c) => c.trim().replace(/\\(.)/g, '$1')),
    );
  }
  return rows;
}

const FIGURES = ['mailboxes', 'folders', 'messages', 'size', 'period', 'duration'] as const;

function viewFigures(v: DryRunView): string[] {
  return FIGURES.map((k) => v.figures[k].value);
}

describe('dry-run view shared by HTML, Markdown and console', () => {
  for (const lang of LANGS) {
    const r = sample(lang);
    const v = dryRunView(r);
    const html = renderDryRunHtml(r);
    const md = renderDryRunMarkdown(r);

    it(`${lang}: the summary figures are the view's, in both files`, () => {
      assert.equal(v.figures.messages.value, lang === 'pl' ? '1238' : '1,238');
      for (const k of Object.keys(v.figures) as (keyof DryRunView['figures'])[]) {
        const f = v.figures[k];
        const tile = new RegExp(`<span class="label">([^<]*)</span><span class="value">([^<]*)</span>`, 'g');
        const tiles = new Map([...html.matchAll(tile)].map((m) => [htmlText(m[1]!), htmlText(m[2]!)]));
        assert.equal(tiles.get(f.label), f.value || '\u2014', `${lang} HTML tile ${k}`);
      }
      const [row] = markdownRows(md, `| ${v.figures.mailboxes.label}`);
      assert.deepEqual(row, viewFigures(v), `${lang} Markdown summary row`);
      assert.ok(htmlText(html).includes(v.estimateBasis) && md.includes(v.estimateBasis));
    });

    it(`${lang}: every problem with the view's title, account and count`, () => {
      const expected = v.problems.map((p) => [p.severityText, p.title, p.accountText, p.count]);
      assert.ok(expected.length >= 4, 'the sample has problems of several kinds');
      const fromHtml = htmlRows(html, '<table class="problems">').map((c) => [
        htmlText(c[0]!),
        htmlText(/<strong>(.*?)<\/strong>/.exec(c[1]!)![1]!),
        htmlText(c[2]!),
        htmlText(c[3]!),
      ]);
      assert.deepEqual(fromHtml, expected, `${lang} HTML problems`);
      const fromMd = md
        .split('\n')
        .filter((l) => /^- \*\*/.test(l))
        .map((l) => {
          // A title may itself hold a dash: the severity is first, the account and count last.
          const parts = l.slice(2).split(' \u2013 ');
          const cells = [parts[0]!, parts.slice(1, -2).join(' \u2013 '), ...parts.slice(-2)];
          return cells.map((x) => x.replace(/^\*\*|\*\*$/g, '').replace(/\\(.)/g, '$1'));
        });
      assert.deepEqual(fromMd, expected, `${lang} Markdown problems`);
    });

    it(`${lang}: the mapping tables hold the view's rows and totals`, () => {
      for (const a of v.accounts.filter((x) => x.folders.length > 0)) {
        const expected = a.folders.map((f) => [f.source, f.destination, f.messages, f.size, f.period]);
        const at = html.indexOf(`<h3>${a.heading.replace(/&/g, '&amp;')}</h3>`);
        const htmlCells = htmlRows(html.slice(at), '<table class="mapping">');
        const total = htmlCells.pop()!.map(htmlText);
        assert.deepEqual(
          htmlCells.map((c) => [0, 1, 4, 5, 6].map((i) => htmlText(c[i]!))),
          expected,
          `${lang} HTML mapping of ${a.heading}`,
        );
        assert.deepEqual(total, [
          `${a.total.label}: ${a.total.folders}`,
          a.total.messages,
          a.total.size,
          a.total.period,
        ]);
        const mdCells = markdownRows(md.slice(md.indexOf(`### ${a.heading}`)), '| ');
        const mdTotal = mdCells.pop()!;
        assert.deepEqual(
          mdCells.map((c) => [0, 1, 4, 5, 6].map((i) => c[i]!)),
          expected,
          `${lang} Markdown mapping of ${a.heading}`,
        );
        assert.deepEqual(
          [4, 5, 6].map((i) => mdTotal[i]!.replace(/^\*\*|\*\*$/g, '')),
          [a.total.messages, a.total.size, a.total.period],
        );
        for (const note of a.notes) assert.ok(htmlText(html).includes(note) && md.includes(note), note);
      }
    });
  }

  it('the console shows the figures and problems of the English view, whatever the report language', () => {
    const r = sample('pl');
    const v = dryRunView(r, 'en');
    const text = formatDryRunConsole(r, []);
    const f = v.figures;
    assert.equal(f.messages.value, '1,238');
    assert.ok(
      text.includes(
        `${f.mailboxes.value} mailboxes, ${f.folders.value} folders to copy (${v.foldersSkipped} skipped), ` +
          `${f.messages.value} messages, ${f.size.value}, mail from ${v.span.from} to ${v.span.to}.`,
      ),
      text,
    );
    assert.ok(
      text.includes(
        `Estimated copy time: ${f.duration.value} (${v.estimate.messages} at ${v.estimate.throughput}/s`,
      ),
    );
    const lines = text.split('\n').filter((l) => /^ {2}(BLOCKER|warning|note) /.test(l));
    assert.deepEqual(
      lines.map((l) => /: (.*) \[(.*)\]$/.exec(l)!.slice(1)),
      v.problems.map((p) => [p.title, p.count]),
    );
    assert.ok(text.includes(`Read both servers in ${v.discovery};`));
  });
});
