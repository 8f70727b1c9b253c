/**
 * The end-of-run summary per account: folders, copied, already present, skipped and failed with
 * reasons. Plain text for the console. Messages the date window leaves out are counted per reason
 * rather than named one by one: there may be years of them, and they are left out on purpose.
 */
import type { RunSummary } from '../engine/migrate.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { formatSeconds, formatSize } from '../core/units.js';
import { textTable } from './format.js';
import { driftText, wipedText } from './drift-text.js';
import { terminalField, terminalText } from '../shared/terminal-text.js';
import { WINDOW_REASON } from '../plan/window.js';

/**
 * Formats the summary of a run, naming every failed or skipped message from the state.
 * @param opts.quiet a run that changed nothing and found nothing to say gets its last line only
 *   (a sync's delta passes, most of which find nothing new)
 */
export function formatRunSummary(
  summary: RunSummary,
  state: CheckpointStore,
  opts: { quiet?: boolean } = {},
): string {
  if (opts.quiet && uneventful(summary)) return terminalText(verdictLines(summary).join('\n'));
  const rows = [
    ['account', 'folders', 'copied', 'already there', 'skipped', 'failed', 'flag updates', 'size'],
  ];
  for (const a of summary.accounts) {
    const t = a.totals;
    rows.push([
      a.account,
      String(a.folders),
      String(t.copied),
      String(t.present),
      String(t.skipped),
      String(t.failed),
      String(t.flagsUpdated),
      formatSize('en', t.bytes),
    ]);
  }
  const lines = [textTable(rows), ''];
  // One line per fact: a folder name or a server's words holding a line break stay on their line.
  const line = (text: string) => lines.push(terminalField(text));
  for (const a of summary.accounts) {
    if (a.error) {
      line(`${a.account}: STOPPED: ${a.error}`);
      if (a.hint) line(`  -> ${a.hint}`);
    }
    const wiped = wipedText(a.account, a.drift, state.folders(a.account).length);
    if (wiped) line(`${a.account}: ${wiped}`);
    for (const d of a.drift) line(`${a.account}: ${driftText(d)}`);
    for (const p of a.unverified) line(`${a.account}: NOT COMPLETE: ${p}`);
    for (const f of a.failedFolders) line(`${a.account}: folder ${f.folder} failed: ${f.error}`);
    for (const f of a.skippedFolders) line(`${a.account}: folder ${f.folder} not copied: ${f.reason}`);
    const windowed = new Map<string, number>();
    for (const r of state.notableMessages(a.account)) {
      if (r.state === 'skipped' && r.reason?.startsWith(WINDOW_REASON))
        windowed.set(r.reason, (windowed.get(r.reason) ?? 0) + 1);
      else if (r.state === 'failed') line(`${a.account}: ${r.folder} UID ${r.uid} FAILED: ${r.reason}`);
      else if (r.state === 'skipped') line(`${a.account}: ${r.folder} UID ${r.uid} skipped: ${r.reason}`);
      else if (r.dropped_flags)
        line(`${a.account}: ${r.folder} UID ${r.uid}: destination dropped flags ${r.dropped_flags}`);
      else if (r.repaired) line(`${a.account}: ${r.folder} UID ${r.uid} repaired: ${r.repaired}`);
    }
    for (const [reason, n] of windowed) line(`${a.account}: ${n} messages skipped: ${reason}`);
  }
  lines.push(...verdictLines(summary));
  return terminalText(lines.join('\n'));
}

/** Complete, nothing copied, found, skipped, failed or updated, and nothing changed on a server. */
function uneventful(s: RunSummary): boolean {
  const t = s.totals;
  return (
    s.complete &&
    t.copied + t.present + t.skipped + t.failed + t.flagsUpdated === 0 &&
    s.accounts.every((a) => a.drift.length === 0 && a.skippedFolders.length === 0)
  );
}

/** The verdict line (and what to do when something is left). */
function verdictLines(summary: RunSummary): string[] {
  const t = summary.totals;
  const rate = summary.seconds > 0 ? t.copied / summary.seconds : 0;
  const verdict = summary.interrupted ? 'INTERRUPTED' : summary.complete ? 'Complete' : 'INCOMPLETE';
  const lines = [
    `${verdict}: ${t.copied} copied (${formatSize('en', t.bytes)}), ${t.present} already there, ` +
      `${t.skipped} skipped, ${t.failed} failed in ${formatSeconds('en', summary.seconds)} (${rate.toFixed(0)} msg/s).`,
  ];
  if (!summary.complete)
    lines.push('Run the same command again to retry what failed; nothing is copied twice.');
  return lines;
}
