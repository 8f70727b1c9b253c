/**
 * The verification report as one self-contained, printable HTML page for the client: verdict
 * first, then each account's folder table and findings, then the addresses.
 */
import type { Verdict, VerifyReport } from '../verify/types.js';
import { escapeHtml, htmlPage, htmlTable, type HtmlCell } from './html.js';
import {
  accountView,
  addressTable,
  headerLines,
  totalsTable,
  type FolderOutcome,
  type TextTable,
} from './verify-view.js';
import { verifyTexts } from './verify-texts.js';

const VERDICT_CLASS: Record<Verdict, string> = { passed: 'ok', incomplete: 'warn', failed: 'bad' };
const OUTCOME_CLASS: Record<FolderOutcome, string> = {
  ok: 'ok',
  differences: 'ok',
  'not-yet-copied': 'warn',
  missing: 'bad',
  neutral: 'muted',
  error: 'bad',
};

// The totals table is a key/value list: no header row, half the page wide.
const CSS = `
table.totals { width: auto; min-width: 24rem; } table.totals thead { display: none; }`;

function tableHtml(tb: TextTable, last?: (row: number) => string): string {
  const rows: HtmlCell[][] = tb.rows.map((r, i) =>
    r.map((c, j) => (last && j === r.length - 1 ? { html: escapeHtml(c), className: last(i) } : c)),
  );
  return htmlTable(tb.headers, rows, { numeric: tb.numeric ?? [] });
}

/** Renders the report as HTML in its language. */
export function verifyHtml(r: VerifyReport): string {
  const t = verifyTexts(r.lang);
  const parts: string[] = [`<h1>${escapeHtml(t.title)}</h1>`];
  parts.push(
    `<p class="muted">${headerLines(r, t)
      .map(([k, v]) => `${escapeHtml(k)}: <strong>${escapeHtml(v)}</strong>`)
      .join(' &middot; ')}</p>`,
  );
  parts.push(
    `<div class="banner ${VERDICT_CLASS[r.verdict]}"><strong>${escapeHtml(t.verdictWord[r.verdict])}</strong>: ` +
      `${escapeHtml(t.verdictLine(r.verdict, r.totals))}</div>`,
  );
  const totals = totalsTable(r, t);
  parts.push(htmlTable(totals.headers, totals.rows, { numeric: [1], className: 'totals' }));
  parts.push(`<p class="muted">${escapeHtml(t.timesUtc)}</p>`);
  for (const a of r.accounts) {
    const v = accountView(a, t);
    parts.push(
      `<h2>${escapeHtml(a.account)} <span class="${v.ok ? 'ok' : 'bad'}">${v.ok ? '&#10003;' : '&#10007;'}</span></h2>`,
    );
    if (v.notes.length > 0)
      parts.push(`<ul>${v.notes.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`);
    if (v.folders.rows.length > 0)
      parts.push(tableHtml(v.folders, (i) => OUTCOME_CLASS[v.folders.outcomes[i] ?? 'ok']));
    for (const f of v.findings)
      parts.push(`<h3>${escapeHtml(f.title)} (${f.rows.length})</h3>`, tableHtml(f));
  }
  parts.push(`<h2>${escapeHtml(t.sections.addresses)}</h2>`);
  const addresses = addressTable(r, t);
  parts.push(
    addresses
      ? tableHtml(addresses, (i) => (r.addresses[i]?.destination === null ? 'bad' : 'ok'))
      : `<p>${escapeHtml(t.noAddresses)}</p>`,
  );
  return htmlPage({ lang: r.lang, title: `${t.title}: ${r.plan}`, body: parts.join('\n'), css: CSS });
}
