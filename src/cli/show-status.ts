/**
 * The `status` command's core call.
 */
import { loadPlan } from '../plan/load-plan.js';
import { accountStatusRows, formatStatus } from '../report/status-report.js';
import { ExitCode } from '../core/errors.js';
import { CheckpointStore } from '../state/checkpoint-store.js';
import { lockHolder, stateDirFor } from '../state/state-dir.js';
import { existsSync } from 'node:fs';
import type { PlanArgs } from './context.js';
import type { CliSession } from './wiring.js';

/**
 * Prints each account's state.
 * @returns 0 when every account is done, 1 otherwise.
 */
export function showStatus(args: PlanArgs, session: CliSession): number {
  const { stdout } = session.io;
  const plan = loadPlan(args.plan);
  const dir = stateDirFor(plan.name, args.stateDir);
  if (!existsSync(dir.db)) {
    stdout.write(`No state yet in ${dir.dir}: nothing has run for plan ${plan.name}.\n`);
    return ExitCode.incomplete;
  }
  // Read-only: `status` must work on a copy of the state, a read-only mount, during a run.
  const { store, missedWal } = CheckpointStore.openReadOnly(dir.db);
  if (missedWal) {
    process.stderr.write(
      `mailshift: note: ${dir.db}-wal could not be read with it (read-only file system): the last changes of a run may not show\n`,
    );
  }
  try {
    const running = lockHolder(dir) !== undefined;
    // An account left "in progress" with no run holding the lock was interrupted (crash, kill, reboot).
    const rows = accountStatusRows(plan, store).map((r) =>
      r.status === 'in progress' && !running ? { ...r, status: 'interrupted' } : r,
    );
    stdout.write(
      args.json ? `${JSON.stringify({ version: 1, accounts: rows }, null, 2)}\n` : `${formatStatus(rows)}\n`,
    );
    return rows.every((r) => r.status === 'done') ? ExitCode.ok : ExitCode.incomplete;
  } finally {
    store.close();
  }
}
