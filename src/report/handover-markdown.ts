/**
 * The handover report as Markdown, for tickets and mail.
 */
import { escapeMarkdown as m, markdownTable } from './markdown.js';
import type { HandoverReport } from './handover-model.js';
import { handoverView } from './handover-view.js';

/** Renders the report as Markdown in its language. */
export function handoverMarkdown(r: HandoverReport): string {
  const v = handoverView(r);
  const out = [
    `# ${m(v.title)}`,
    '',
    v.header.map(([k, x]) => `${m(k)}: **${m(x)}**`).join(' \u00b7 '),
    '',
    `> **${m(v.verdictWord)}**: ${m(v.verdictLine)}`,
    '',
    markdownTable(
      ['', ''],
      v.totals.map(([k, x]) => [m(k), m(x)]),
    ),
    '',
    `## ${m(v.accountsTitle)}`,
  ];
  for (const a of v.accounts) {
    out.push(
      '',
      `### ${m(a.account)} ${a.ok ? '\u2713' : '\u2717'}`,
      '',
      markdownTable(
        ['', ''],
        a.facts.map(([k, x]) => [m(k), m(x)]),
      ),
    );
    if (a.skipped.length > 0)
      out.push('', `**${m(v.skippedTitle)}**`, '', ...a.skipped.map((s) => `- ${m(s)}`));
    out.push('', `**${m(v.failuresTitle)}**`, '');
    out.push(
      a.failures.rows.length > 0
        ? markdownTable(
            a.failures.headers.map(m),
            a.failures.rows.map((row) => row.map(m)),
          )
        : m(v.noFailures),
    );
  }
  out.push('', `## ${m(v.aboutTitle)}`, '', ...v.about.map((p) => `${m(p)}\n`));
  return `${out.join('\n').trimEnd()}\n`;
}
