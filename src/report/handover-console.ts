/**
 * The handover report on the console (English, like every console line): the verdict, one row per
 * mailbox and where the files are. The files themselves follow `--lang`.
 */
import { formatSize } from '../core/units.js';
import { terminalText } from '../shared/terminal-text.js';
import { textTable } from './format.js';
import type { HandoverReport } from './handover-model.js';

const VERDICT: Record<HandoverReport['verdict'], string> = {
  complete: 'COMPLETE: every message of every mailbox is on the new server',
  incomplete: 'INCOMPLETE: something is not on the new server yet (see the mailboxes below)',
  failed: 'FAILED: verify found messages missing or altered (see the mailboxes below)',
};

/** The console text of a handover report and its files. */
export function formatHandoverConsole(r: HandoverReport, files: readonly string[]): string {
  const rows = [
    ['mailbox', 'status', 'copied', 'already there', 'skipped', 'failed', 'size', 'verify', 'last pass'],
  ];
  for (const a of r.accounts)
    rows.push([
      a.account,
      a.status,
      String(a.copied),
      String(a.present),
      String(a.skipped),
      String(a.failed),
      formatSize('en', a.bytes),
      a.check.error ? `${a.check.verdict} (${a.check.error})` : a.check.verdict,
      a.lastPassAt ?? '-',
    ]);
  const lines = [
    `Handover report of plan ${r.plan}: ${VERDICT[r.verdict]}`,
    `  verify: ${r.verify.verdict} (${r.verify.mode}); passes: ${r.passes}` +
      (r.cutoverAt ? `; cutover ${r.cutoverAt}` : '') +
      (r.finalPassAt ? `; final pass ended ${r.finalPassAt}` : ''),
    '',
    textTable(rows),
  ];
  for (const a of r.accounts)
    for (const f of a.failures.filter((x) => x.action === 'still-stopped' || x.action === 'left-on-source'))
      lines.push(`${a.account}: ${f.folder ? `${f.folder} UID ${f.uid}: ` : ''}${f.reason}`);
  if (files.length > 0) lines.push('', 'Report files:', ...files.map((p) => `  ${p}`));
  return terminalText(lines.join('\n'));
}
