/**
 * The few lines `mailshift report` prints for the IT specialist: verdict, totals, estimate, each
 * problem on one line, and where the report files are. Always in English, like the rest of the CLI;
 * the files are in the client's language. The figures and problem texts come from the report's
 * view (dry-run-view.ts) laid out in English; the sentences around them are the console's own.
 */
import type { DryRunReport } from './dry-run-model.js';
import { dryRunView, type DryRunView, type ProblemView } from './dry-run-view.js';
import { terminalText } from '../shared/terminal-text.js';

const SEVERITY = { blocker: 'BLOCKER', warning: 'warning', info: 'note' } as const;

const BASIS = {
  learned: 'measured by earlier runs',
  plan: 'report.throughput of the plan',
  default: 'default; set report.throughput',
} as const;

function verdictLine(r: DryRunReport): string {
  const s = r.summary;
  return r.verdict === 'ready'
    ? 'Ready: nothing blocks the migration.'
    : `Not ready: ${s.blockers} blocking problem${s.blockers === 1 ? '' : 's'} (${s.accountsBlocked} of ${s.accounts} mailboxes).`;
}

function totalsLine(v: DryRunView): string {
  const f = v.figures;
  return (
    `${f.mailboxes.value} mailboxes, ${f.folders.value} folders to copy (${v.foldersSkipped} skipped), ` +
    `${f.messages.value} messages, ${f.size.value}` +
    (v.span.from ? `, mail from ${v.span.from} to ${v.span.to}` : '') +
    '.'
  );
}

function problemLine(p: ProblemView): string {
  const scope = p.account ?? (p.kind.startsWith('address') ? 'addresses' : 'all mailboxes');
  return `  ${SEVERITY[p.severity].padEnd(8)} ${scope}: ${p.title} [${p.count}]`;
}

/**
 * Formats the console summary.
 * @param files the written report files, printed last
 */
export function formatDryRunConsole(r: DryRunReport, files: string[]): string {
  const v = dryRunView(r, 'en');
  const est = v.estimate;
  const lines = [
    verdictLine(r),
    totalsLine(v),
    `Estimated copy time: ${v.figures.duration.value} (${est.messages} at ${est.throughput}/s, ${BASIS[est.basis]}).`,
  ];
  if (v.problems.length > 0) lines.push('', 'Problems:', ...v.problems.map(problemLine));
  lines.push('', `Read both servers in ${v.discovery}; nothing was written to either.`);
  lines.push('Report written to:', ...files.map((f) => `  ${f}`));
  return terminalText(lines.join('\n'));
}
