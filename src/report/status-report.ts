/**
 * `status`: each account's standing, computed from the checkpoint store alone.
 */
import type { Plan } from '../plan/load-plan.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { formatSize } from '../core/units.js';
import { textTable } from './format.js';
import { terminalText } from '../shared/terminal-text.js';

export interface AccountStatusRow {
  account: string;
  status: string;
  folders: number;
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  inDoubt: number;
  bytes: number;
  lastUpdate?: string;
  error?: string;
}

/**
 * One row per plan account: never run, done, incomplete (with counts and the last error). Takes
 * only the account ids and the state's reads, so the dashboard computes the very same rows.
 */
export function accountStatusRows(
  plan: { accounts: readonly Pick<Plan['accounts'][number], 'id'>[] },
  store: Pick<CheckpointStore, 'counts' | 'accountStatuses' | 'folders'>,
): AccountStatusRow[] {
  const counts = new Map(store.counts().map((c) => [c.account, c]));
  const statuses = new Map(store.accountStatuses().map((s) => [s.id, s]));
  return plan.accounts.map((a) => {
    const c = counts.get(a.id);
    const s = statuses.get(a.id);
    return {
      account: a.id,
      status: s?.status ?? 'not started',
      folders: store.folders(a.id).length,
      copied: c?.copied ?? 0,
      present: c?.present ?? 0,
      skipped: c?.skipped ?? 0,
      failed: c?.failed ?? 0,
      inDoubt: c?.appending ?? 0,
      bytes: c?.bytes ?? 0,
      lastUpdate: s ? new Date(s.updated_at).toISOString() : undefined,
      error: s?.error ?? undefined,
    };
  });
}

/** Plain-text table of the rows, with errors below. */
export function formatStatus(rows: AccountStatusRow[]): string {
  const table = [
    [
      'account',
      'status',
      'folders synced',
      'copied',
      'already there',
      'skipped',
      'failed',
      'in doubt',
      'size',
      'last update',
    ],
  ];
  for (const r of rows) {
    table.push([
      r.account,
      r.status,
      String(r.folders),
      String(r.copied),
      String(r.present),
      String(r.skipped),
      String(r.failed),
      String(r.inDoubt),
      formatSize('en', r.bytes),
      r.lastUpdate ?? '-',
    ]);
  }
  const errors = rows.filter((r) => r.error).map((r) => `${r.account}: ${r.error}`);
  return terminalText([textTable(table), ...errors].join('\n'));
}
