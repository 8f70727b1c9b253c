/**
 * Generic helpers for the client-facing HTML reports: escaping, tables and a self-contained,
 * printable page (inline CSS, no script, no external resource, so the file can be mailed or
 * archived and still open as it was).
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A table cell: text is escaped; `html` is inserted as is (already escaped by the caller). */
export type HtmlCell = string | { html: string; className?: string };

function cell(tag: 'td' | 'th', c: HtmlCell): string {
  if (typeof c === 'string') return `<${tag}>${escapeHtml(c)}</${tag}>`;
  const cls = c.className ? ` class="${escapeHtml(c.className)}"` : '';
  return `<${tag}${cls}>${c.html}</${tag}>`;
}

/** A table with a header row; `numeric` columns are right-aligned. */
export function htmlTable(
  headers: string[],
  rows: HtmlCell[][],
  opts: { numeric?: number[]; className?: string } = {},
): string {
  const numeric = new Set(opts.numeric ?? []);
  const cols = headers.map((_, i) => (numeric.has(i) ? '<col class="num">' : '<col>')).join('');
  const head = `<thead><tr>${headers
    .map((h, i) => cell('th', numeric.has(i) ? { html: escapeHtml(h), className: 'num' } : h))
    .join('')}</tr></thead>`;
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) => {
            if (!numeric.has(i)) return cell('td', c);
            return typeof c === 'string'
              ? cell('td', { html: escapeHtml(c), className: 'num' })
              : cell('td', c);
          })
          .join('')}</tr>`,
    )
    .join('\n');
  const cls = opts.className ? ` class="${escapeHtml(opts.className)}"` : '';
  return `<table${cls}><colgroup>${cols}</colgroup>${head}<tbody>\n${body}\n</tbody></table>`;
}

const BASE_CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: 12.5px; }
th, td { border: 1px solid #d0d7de; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #57606a; } .ok { color: #1a7f37; } .bad { color: #cf222e; font-weight: 600; } .warn { color: #9a6700; }
.banner { padding: .8rem 1rem; border-radius: 6px; margin: 1rem 0; font-size: 1.1rem; }
.banner.ok { background: #dafbe1; } .banner.bad { background: #ffebe9; } .banner.warn { background: #fff8c5; }
code { font-size: 12px; word-break: break-all; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; } tr, .banner { break-inside: avoid; } thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}`;

/**
 * A complete HTML document.
 * @param body already-escaped HTML
 * @param css extra CSS appended after the base style
 */
export function htmlPage(opts: { lang: string; title: string; body: string; css?: string }): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(opts.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load from anywhere: a browser blocks and reports it, so "self-contained" is checked.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${BASE_CSS}${opts.css ?? ''}</style>`,
    '</head>',
    '<body>',
    opts.body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
