/**
 * The verification on the console: per account the folder table and the first findings of each
 * kind, then the addresses and the verdict. Columns that are empty for every folder are left out
 * so the table fits a terminal; the written reports keep them all.
 */
import type { VerifyReport } from '../verify/types.js';
import { formatSeconds } from '../core/units.js';
import { textTable } from './format.js';
import { accountView, addressTable, type TextTable } from './verify-view.js';
import { verifyTexts } from './verify-texts.js';
import { terminalText } from '../shared/terminal-text.js';

/** Finding rows shown per kind and account on the console. */
export const CONSOLE_ROWS = 10;

/** Columns that always stay: names, counts and the result. */
const KEEP = new Set([0, 1, 2, 3, 4]);

function compact(tb: TextTable): TextTable {
  const last = tb.headers.length - 1;
  const keep = tb.headers
    .map((_, i) => i)
    .filter((i) => KEEP.has(i) || i === last || tb.rows.some((r) => r[i] !== '' && r[i] !== '-'));
  return {
    ...tb,
    headers: keep.map((i) => tb.headers[i]!),
    rows: tb.rows.map((r) => keep.map((i) => r[i] ?? '')),
  };
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** Formats the report for the console, in its language. */
export function formatVerifyConsole(r: VerifyReport): string {
  const t = verifyTexts(r.lang);
  const out: string[] = [
    `${t.title}: ${r.plan}, ${formatSeconds(t.lang, r.seconds)}`,
    `${t.modeLabel}: ${t.mode(r.mode)}. ${t.timesUtc}`,
  ];
  for (const a of r.accounts) {
    const v = accountView(a, t);
    out.push('', `${a.account}`);
    for (const note of v.notes) out.push(`  ! ${note}`);
    if (v.folders.rows.length > 0) {
      const tb = compact(v.folders);
      out.push(indent(textTable([tb.headers, ...tb.rows])));
    }
    for (const f of v.findings) {
      out.push(`  ${f.title} (${f.rows.length}):`);
      out.push(indent(textTable(f.rows.slice(0, CONSOLE_ROWS)), '    '));
      if (f.rows.length > CONSOLE_ROWS) out.push(`    ${t.more(f.rows.length - CONSOLE_ROWS)}`);
    }
  }
  const addresses = addressTable(r, t);
  if (addresses) {
    out.push('', `${addresses.title}:`, indent(textTable([addresses.headers, ...addresses.rows])));
  }
  out.push('', `${t.verdictWord[r.verdict]}: ${t.verdictLine(r.verdict, r.totals)}`);
  return terminalText(out.join('\n'));
}
