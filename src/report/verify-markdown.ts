/**
 * The verification report in Markdown (for a ticket, a wiki or an e-mail), from the same layout
 * as the other renderers.
 */
import type { VerifyReport } from '../verify/types.js';
import { accountView, addressTable, headerLines, totalsTable, type TextTable } from './verify-view.js';
import { escapeMarkdown, markdownTable } from './markdown.js';
import { verifyTexts } from './verify-texts.js';

const md = escapeMarkdown;

function table(tb: TextTable): string {
  return markdownTable(
    tb.headers.map(md),
    tb.rows.map((r) => r.map(md)),
    tb.numeric,
  );
}

/** Renders the report as Markdown in its language. */
export function verifyMarkdown(r: VerifyReport): string {
  const t = verifyTexts(r.lang);
  const out: string[] = [`# ${md(t.title)}`, ''];
  for (const [k, v] of headerLines(r, t)) out.push(`- **${md(k)}:** ${md(v)}`);
  out.push(
    '',
    `## ${md(t.summary)}`,
    '',
    `**${t.verdictWord[r.verdict]}**: ${md(t.verdictLine(r.verdict, r.totals))}`,
  );
  out.push('', table(totalsTable(r, t)), '', `_${md(t.timesUtc)}_`);
  for (const a of r.accounts) {
    const v = accountView(a, t);
    out.push('', `## ${md(a.account)}`, '');
    for (const note of v.notes) out.push(`- ${md(note)}`);
    if (v.notes.length > 0) out.push('');
    if (v.folders.rows.length > 0) out.push(table(v.folders));
    for (const f of v.findings) out.push('', `### ${md(f.title)} (${f.rows.length})`, '', table(f));
  }
  const addresses = addressTable(r, t);
  out.push('', `## ${md(t.sections.addresses)}`, '');
  out.push(addresses ? table(addresses) : md(t.noAddresses));
  return `${out.join('\n')}\n`;
}
