/**
 * The mapping table `mailshift plan` prints per account: source, destination, reason, messages,
 * size, warnings; skipped folders with their reason.
 */
import type { PlannedAccount } from '../plan/plan-accounts.js';
import { formatSize } from '../core/units.js';
import { textTable } from './format.js';
import { terminalText } from '../shared/terminal-text.js';

/** Formats every planned account as a text table. */
export function formatPlanTables(accounts: PlannedAccount[]): string {
  return terminalText(accounts.map(formatAccount).join('\n\n'));
}

function formatAccount(a: PlannedAccount): string {
  const head = `${a.id}`;
  if (a.error) return `${head}\n  NOT PLANNED: ${a.error}`;
  const listing = new Map(a.sourceFolders.map((f) => [f.path, f]));
  const rows = [['source', 'destination', 'reason', 'messages', 'size', 'notes']];
  for (const d of a.folders) {
    const f = listing.get(d.source);
    const count = f?.messages !== undefined ? String(f.messages) : '-';
    const size = f?.size !== undefined ? formatSize('en', f.size) : '-';
    if (d.action === 'skip') {
      rows.push([d.source, '(not copied)', d.reason, count, size, d.detail]);
      continue;
    }
    const notes = [d.exists ? 'exists' : 'new', ...d.warnings].join('; ');
    rows.push([d.source, d.destination, d.reason, count, size, notes]);
  }
  return `${head}\n${textTable(rows)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}`;
}
