/**
 * The plan's date window (plan/window.ts) in the copy. After a folder's scan, the messages received
 * outside the account's window are recorded as skipped on purpose, with the reason in the plan's
 * words, counted and announced: the dry-run report, verify, the dashboard and the handover report
 * then count them as left out, not lost.
 *
 * While the window keeps its words, what it left out stays settled: those rows are not scanned again
 * on every pass. A window written otherwise (widened, narrowed, removed) unsettles them, and a
 * folder whose STATUS did not change is looked at again (its window is stored with it), so mail the
 * window now takes in is copied.
 */
import type { FolderTotals } from '../core/events.js';
import type { MessageMeta } from '../core/messages.js';
import { isOpenWindow, outsideWindow, windowSkipReason, type ResolvedWindow } from '../plan/window.js';
import type { MessageRow } from '../state/checkpoint-store.js';
import type { FolderContext, FolderJob, FolderKey } from './folder-context.js';

/**
 * What the state stores of the window a folder was synced under: the plan's words (an age such as
 * `2y` stays `2y` from pass to pass), or null when every message goes.
 */
export function windowKey(w: ResolvedWindow | undefined): string | null {
  if (!w || isOpenWindow(w)) return null;
  return [
    w.text.since === undefined ? '' : `since ${w.text.since}`,
    w.text.before === undefined ? '' : `before ${w.text.before}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** The reasons the current window records, one per end it has. */
function reasons(w: ResolvedWindow): string[] {
  return [
    ...(w.since ? [windowSkipReason(w, 'before-since')] : []),
    ...(w.before ? [windowSkipReason(w, 'from-before')] : []),
  ];
}

/** True for a row the current window left out: settled until the window's words change. */
export function leftOutByWindow(
  w: ResolvedWindow | undefined,
  row: Pick<MessageRow, 'state' | 'reason'>,
): boolean {
  if (!w || row.state !== 'skipped' || row.reason === null) return false;
  return reasons(w).includes(row.reason);
}

/**
 * Records the scanned messages outside the window as skipped (one transaction), announces each and
 * counts them in the folder's totals.
 * @returns the messages inside the window, in the order given
 */
export function skipOutsideWindow(
  ctx: Pick<FolderContext, 'account' | 'state' | 'reporter' | 'window'>,
  key: FolderKey,
  job: Pick<FolderJob, 'source' | 'destination'>,
  metas: MessageMeta[],
  totals: FolderTotals,
): MessageMeta[] {
  const w = ctx.window;
  if (!w || isOpenWindow(w)) return metas;
  const inside: MessageMeta[] = [];
  const outside: { meta: MessageMeta; state: 'skipped'; reason: string }[] = [];
  for (const m of metas) {
    const side = outsideWindow(w, m.internalDate);
    if (side) outside.push({ meta: m, state: 'skipped', reason: windowSkipReason(w, side) });
    else inside.push(m);
  }
  if (outside.length === 0) return metas;
  ctx.state.recordWithoutAppend(key, job.destination, outside);
  for (const o of outside)
    ctx.reporter.emit({
      type: 'message-skipped',
      account: ctx.account,
      folder: job.source,
      uid: o.meta.uid,
      reason: o.reason,
    });
  totals.skipped += outside.length;
  return inside;
}
