/**
 * The few lines `mailshift report` prints for the IT specialist: verdict, totals, estimate, each
 * problem on one line, and where the report files are. Always in English, like the rest of the CLI;
 * the files are in the client's language.
 */
import type { DryRunReport } from './dry-run-model.js';
import { problemCount } from './dry-run-html.js';
import { formatDurationIn, formatSeconds, stringsFor } from './i18n.js';
import { formatSize } from '../core/units.js';
import { terminalText } from '../shared/terminal-text.js';

const SEVERITY = { blocker: 'BLOCKER', warning: 'warning', info: 'note' } as const;

/**
 * Formats the console summary.
 * @param files the written report files, printed last
 */
export function formatDryRunConsole(r: DryRunReport, files: string[]): string {
  const t = stringsFor('en');
  const s = r.summary;
  const lines = [
    r.verdict === 'ready'
      ? 'Ready: nothing blocks the migration.'
      : `Not ready: ${s.blockers} blocking problem${s.blockers === 1 ? '' : 's'} (${s.accountsBlocked} of ${s.accounts} mailboxes).`,
    `${s.accounts} mailboxes, ${s.folders} folders to copy (${s.foldersSkipped} skipped), ${s.messages} messages, ${formatSize('en', s.bytes)}` +
      (s.oldest ? `, mail from ${s.oldest.slice(0, 10)} to ${(s.newest ?? '').slice(0, 10)}` : '') +
      '.',
    `Estimated copy time: ${formatDurationIn('en', s.estimate.seconds)} (${s.estimate.messages} messages at ${
      Math.round(s.estimate.throughput * 10) / 10
    }/s, ${s.estimate.basis === 'learned' ? 'measured by earlier runs' : s.estimate.basis === 'plan' ? 'report.throughput of the plan' : 'default; set report.throughput'}).`,
  ];
  if (r.problems.length > 0) lines.push('', 'Problems:');
  for (const p of r.problems) {
    const title = t.problem[p.kind].title(p.params);
    const scope = p.account ?? (p.kind.startsWith('address') ? 'addresses' : 'all mailboxes');
    lines.push(`  ${SEVERITY[p.severity].padEnd(8)} ${scope}: ${title} [${problemCount(p, 'en')}]`);
  }
  lines.push(
    '',
    `Read both servers in ${formatSeconds('en', s.discoverySeconds)}; nothing was written to either.`,
  );
  lines.push('Report written to:', ...files.map((f) => `  ${f}`));
  return terminalText(lines.join('\n'));
}
