/**
 * What reaches a person is safe to show: control characters from folder names and server words
 * are neutralised on the console, and Markdown reports keep such names as text, checked with a
 * real renderer (markdown-it with raw HTML and GFM-style autolinks on, the most permissive setup).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import { emptyTotals } from '../../../src/core/events.js';
import { buildDryRunReport } from '../../../src/report/dry-run-build.js';
import { renderDryRunMarkdown } from '../../../src/report/dry-run-markdown.js';
import { ConsoleReporter } from '../../../src/report/console-reporter.js';
import { textTable } from '../../../src/report/format.js';
import { escapeMarkdown, markdownCode, markdownTable } from '../../../src/report/markdown.js';
import { terminalField, terminalText } from '../../../src/shared/terminal-text.js';
import { accountInput, copy, destinationSide, input, sourceFolder, sourceSide } from './dry-run-fixtures.js';

/** A folder name that retitles the window, rings, clears the screen, overwrites and reorders lines. */
const TERMINAL_EVIL = 'Inbox\x1b]0;pwned\x07\x1b[2J\rfake\u009b31m\u202eevil\nsecond line';
/** Bytes a terminal acts on: ESC, BEL, CR, C1, bidi overrides. */
// eslint-disable-next-line no-control-regex -- the test looks for control characters
const ACTIVE = /[\x1b\x07\r\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A folder name that would add a phishing paragraph, a link and an image to the client's report. */
const MARKDOWN_EVIL =
  'Archive\n\n# Your mailbox expires\n\n[Log in here](https://phish.example/login) ' +
  '![x](https://phish.example/t.png) <a href="https://phish.example">a</a> www.phish.example ' +
  'https://phish.example/raw | cell';

const md = new MarkdownIt({ html: true, linkify: true });

describe('terminal text', () => {
  it('shows every control as a visible escape; a block keeps its line breaks, a field does not', () => {
    const block = terminalText(TERMINAL_EVIL);
    assert.doesNotMatch(block, ACTIVE);
    assert.equal(block, 'Inbox\\x1b]0;pwned\\x07\\x1b[2J\\x0dfake\\x9b31m\\u202eevil\nsecond line');
    const field = terminalField(TERMINAL_EVIL);
    assert.doesNotMatch(field, ACTIVE);
    assert.ok(!field.includes('\n'));
    assert.equal(terminalField('Wys\u0142ane \u{1F4E7}\ttab'), 'Wys\u0142ane \u{1F4E7}\\x09tab');
  });

  it('console progress and tables keep a hostile folder name on one line, without controls', () => {
    const out = { isTTY: false, text: '', write: (s: string) => (out.text += s) };
    const r = new ConsoleReporter(out);
    r.emit({
      type: 'folder-failed',
      account: 'a@acme.example',
      folder: TERMINAL_EVIL,
      error: `server said ${TERMINAL_EVIL}`,
    });
    r.emit({
      type: 'folder-done',
      account: 'a@acme.example',
      folder: TERMINAL_EVIL,
      destination: TERMINAL_EVIL,
      totals: { ...emptyTotals(), copied: 1 },
      unchanged: false,
    });
    assert.doesNotMatch(out.text, ACTIVE);
    assert.equal(out.text.split('\n').length, 3, out.text);
    const table = textTable([
      ['folder', 'messages'],
      [TERMINAL_EVIL, '3'],
    ]);
    assert.doesNotMatch(table, ACTIVE);
    assert.equal(table.split('\n').length, 2);
  });
});

describe('Markdown escaping', () => {
  it('a hostile name renders as one piece of text: no link, image, HTML, heading or paragraph', () => {
    const doc = `Folder: ${escapeMarkdown(MARKDOWN_EVIL)}\n\n${markdownTable(['Folder', 'n'], [[escapeMarkdown(MARKDOWN_EVIL), '1']])}\n`;
    const html = md.render(doc);
    assert.doesNotMatch(html, /<a\s|<img\s|<h1>/i, html);
    assert.equal((html.match(/<p>/g) ?? []).length, 1, html);
    assert.equal((html.match(/<td>/g) ?? []).length, 2, 'the pipe in the name makes no extra cell');
    // What the reader sees is the name as it was, line breaks as spaces, zero-width spaces aside.
    const shown = md.renderInline(escapeMarkdown(MARKDOWN_EVIL)).replace(/\u200b/g, '');
    const expected = md.utils.escapeHtml(MARKDOWN_EVIL.replace(/\n/g, ' '));
    assert.equal(shown, expected);
  });

  it('a name cannot start a list, a quote or a heading, and CR, NUL and U+2028 become spaces', () => {
    for (const name of ['- item', '+ item', '1. item', '2) item', '> quote', '# title', '=====']) {
      const html = md.render(escapeMarkdown(name));
      assert.match(html, /^<p>[^<]*<\/p>\n$/, `${name}: ${html}`);
    }
    assert.equal(escapeMarkdown('a\rb\0c\u2028d'), 'a b c d');
  });

  it('code spans hold backticks and line breaks without breaking out', () => {
    const raw = 'X-Bad header ``` with\nnewline` and [link](https://phish.example)';
    const html = md.renderInline(markdownCode(raw));
    assert.match(html, /^<code>[^<]*<\/code>$/);
    assert.ok(html.includes('https://phish.example'), 'shown verbatim, inside the code span');
  });

  it('the dry-run report in Markdown keeps a hostile folder name inside its table cell', () => {
    const report = buildDryRunReport(
      input([
        accountInput(
          'kontakt@acme.example',
          sourceSide('kontakt@acme.example', [sourceFolder(MARKDOWN_EVIL, [{ size: 10 }])]),
          destinationSide('kontakt@acme.example', []),
          [copy(MARKDOWN_EVIL, MARKDOWN_EVIL)],
        ),
      ]),
    );
    const html = md.render(renderDryRunMarkdown(report));
    assert.doesNotMatch(html, /<a\s|<img\s|Your mailbox expires<\/h1>/i);
  });
});
