/**
 * The dry-run report as Markdown (GitHub-flavoured tables): for a ticket, a wiki or an e-mail.
 * Same sections and words as the HTML, from the same view (dry-run-view.ts); this file escapes
 * them and lays them out as lists and tables.
 */
import type { DryRunReport } from './dry-run-model.js';
import { dryRunView, type AccountView, type DryRunView, type FigureKey } from './dry-run-view.js';
import { escapeMarkdown, markdownCode, markdownTable } from './markdown.js';

const m = escapeMarkdown;

/** The figures of the summary table; blockers and warnings are the problem list below it. */
const SUMMARY: readonly FigureKey[] = ['mailboxes', 'folders', 'messages', 'size', 'period', 'duration'];

function mappingTable(a: AccountView, v: DryRunView): string {
  const h = v.t.mappingHeaders;
  const rows = a.folders.map((r) => [
    m(r.source),
    m(r.destination),
    m([r.reason, ...r.warnings].join('; ')),
    m(r.where?.text ?? ''),
    r.messages,
    m(r.size),
    r.period,
  ]);
  rows.push([
    `**${m(a.total.label)}**`,
    '',
    '',
    '',
    `**${a.total.messages}**`,
    `**${m(a.total.size)}**`,
    a.total.period,
  ]);
  return markdownTable(
    [h.source, h.destination, h.why, h.onDestination, h.messages, h.size, h.period],
    rows,
    [4, 5],
  );
}

function account(a: AccountView, v: DryRunView): string {
  const t = v.t;
  const lines = [
    `### ${m(a.heading)}`,
    '',
    ...a.logins.map(
      (l) =>
        `- ${m(l.label)}: ${m(l.user)} @ ${m(l.server)}: **${m(l.text)}**${l.ok ? '' : ` (${m(l.message ?? '')})`}`,
    ),
    ...a.notes.map((n) => `- ${m(n)}`),
  ];
  if (a.folders.length > 0) lines.push('', mappingTable(a, v));
  if (a.largest.length > 0) {
    const h = t.largestHeaders;
    lines.push(
      '',
      `**${m(t.largestTitle)}**`,
      '',
      markdownTable(
        [h.folder, h.date, h.size, h.messageId],
        a.largest.map((x) => [m(x.folder), x.date, m(x.size), m(x.messageId)]),
        [2],
      ),
    );
  }
  return lines.join('\n');
}

function problems(v: DryRunView): string[] {
  if (v.problems.length === 0) return [m(v.t.noProblems)];
  return v.problems.flatMap((p) => [
    `- **${m(p.severityText)}** \u2013 ${m(p.title)} \u2013 ${m(p.accountText)} \u2013 ${m(p.count)}`,
    `  - ${m(v.t.problemHeaders.action)}: ${m(p.action)}`,
    ...p.items.map((i) => `  - ${markdownCode(i)}`),
    ...(p.more ? [`  - ${m(p.more)}`] : []),
  ]);
}

function addresses(v: DryRunView): string {
  if (v.addresses.length === 0) return m(v.t.noAddresses);
  const h = v.t.addressHeaders;
  return markdownTable(
    [h.address, h.kind, h.target, h.delivers, h.status].map(m),
    v.addresses.map((a) => [
      m(a.address),
      m(a.kind),
      m(a.target),
      m(a.delivers),
      a.status.tone === 'blocker' ? `**${m(a.status.text)}**` : m(a.status.text),
    ]),
  );
}

/**
 * Renders the report as Markdown in the report's language.
 * @returns the file content
 */
export function renderDryRunMarkdown(r: DryRunReport): string {
  const v = dryRunView(r);
  const t = v.t;
  const out: string[] = [`# ${m(t.docTitle)}`, ''];
  out.push(
    // The client's name stands out: the report is made for them.
    ...v.meta.map((x) => `- ${m(x.label)}: ${x.key === 'client' ? `**${m(x.value)}**` : m(x.value)}`),
    '',
    `## ${m(t.sections.summary)}`,
    '',
    `> **${m(v.verdict.headline)}.** ${m(v.verdict.text)}`,
    '',
    markdownTable(
      SUMMARY.map((k) => m(v.figures[k].label)),
      [SUMMARY.map((k) => m(v.figures[k].value))],
    ),
    '',
    m(v.estimateBasis),
    '',
    `## ${m(t.sections.problems)}`,
    '',
    ...problems(v),
    '',
    `## ${m(t.sections.accounts)}`,
    '',
  );
  for (const a of v.accounts) out.push(account(a, v), '');
  out.push(`## ${m(t.sections.addresses)}`, '', addresses(v));
  out.push('', `## ${m(t.sections.about)}`, '');
  for (const p of v.about) out.push(m(p), '');
  return `${out.join('\n').trimEnd()}\n`;
}
