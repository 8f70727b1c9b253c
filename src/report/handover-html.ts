/**
 * The handover report as one self-contained, printable HTML page (no script, nothing loaded from
 * elsewhere): the verdict first, the totals, then each mailbox.
 */
import { escapeHtml, htmlPage, htmlTable } from './html.js';
import type { HandoverReport, HandoverVerdict } from './handover-model.js';
import { handoverView } from './handover-view.js';

const VERDICT_CLASS: Record<HandoverVerdict, string> = { complete: 'ok', incomplete: 'warn', failed: 'bad' };

// Key/value tables: no header row, as wide as their content.
const CSS = `
table.kv { width: auto; min-width: 24rem; } table.kv thead { display: none; }
section.account { break-inside: avoid-page; }`;

function kv(rows: [string, string][]): string {
  return htmlTable(['', ''], rows, { className: 'kv' });
}

/** Renders the report as HTML in its language. */
export function handoverHtml(r: HandoverReport): string {
  const v = handoverView(r);
  const e = escapeHtml;
  const parts = [
    `<h1>${e(v.title)}</h1>`,
    `<p class="muted">${v.header.map(([k, x]) => `${e(k)}: <strong>${e(x)}</strong>`).join(' &middot; ')}</p>`,
    `<div class="banner ${VERDICT_CLASS[v.verdict]}"><strong>${e(v.verdictWord)}</strong>: ${e(v.verdictLine)}</div>`,
    kv(v.totals),
    `<h2>${e(v.accountsTitle)}</h2>`,
  ];
  for (const a of v.accounts) {
    parts.push(
      `<section class="account"><h3>${e(a.account)} <span class="${a.ok ? 'ok' : 'bad'}">${a.ok ? '&#10003;' : '&#10007;'}</span></h3>`,
      kv(a.facts),
    );
    if (a.skipped.length > 0)
      parts.push(
        `<p><strong>${e(v.skippedTitle)}</strong></p><ul>${a.skipped.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`,
      );
    parts.push(`<p><strong>${e(v.failuresTitle)}</strong></p>`);
    parts.push(
      a.failures.rows.length > 0
        ? htmlTable(a.failures.headers, a.failures.rows)
        : `<p class="muted">${e(v.noFailures)}</p>`,
      '</section>',
    );
  }
  parts.push(`<h2>${e(v.aboutTitle)}</h2>`, ...v.about.map((p) => `<p class="muted">${e(p)}</p>`));
  return htmlPage({ lang: r.lang, title: `${v.title}: ${r.plan}`, body: parts.join('\n'), css: CSS });
}
