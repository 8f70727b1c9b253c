/**
 * The date window of a plan: which messages a migration copies, by INTERNALDATE (when the server
 * received them), as imapsync's `--maxage`/`--minage`, dsync's `-t` and MigrationWiz's date range
 * offer. `since` is inclusive and `before` exclusive, like IMAP's SEARCH SINCE and BEFORE (RFC 3501,
 * 6.4.4), but to the instant: the engine compares the INTERNALDATE it scans, not whole days.
 *
 * A message outside the window is recorded as skipped on purpose with {@link windowSkipReason}, so
 * the dry-run report, verify, the dashboard and the handover report count it as left out, not lost;
 * widening the window later copies it, since skipped messages are tried again by every run.
 */
import type { PlanAccount } from './load-plan.js';
import type { PlanFile } from './schema.js';
import { instantBefore, parseAge, parseInstant } from './durations.js';

/** A window as the plan writes it: `since` a date or an age (`2y`), `before` a date. */
export type PlanWindow = NonNullable<PlanFile['window']>;

/** A window as instants for one pass; an open end is undefined. */
export interface ResolvedWindow {
  since?: Date;
  before?: Date;
  /** The plan's own words, for the skip reason (stable from pass to pass). */
  text: { since?: string; before?: string };
}

/**
 * The window of an account: its own `window` when it has one (it replaces the global one whole, so
 * `window: {}` on an account copies all of its mail), else the plan's.
 */
export function windowOf(
  plan: { window?: PlanWindow },
  account: Pick<PlanAccount, 'window'>,
): PlanWindow | undefined {
  return account.window ?? plan.window;
}

/**
 * The instants of a window at `now` (the start of a pass): an age such as `2y` counts back from it.
 * Returns an open window for undefined.
 */
export function resolveWindow(w: PlanWindow | undefined, now: Date): ResolvedWindow {
  const out: ResolvedWindow = { text: {} };
  if (w?.since !== undefined) {
    const age = parseAge(w.since);
    out.since = age ? instantBefore(age, now) : parseInstant(w.since);
    out.text.since = w.since;
  }
  if (w?.before !== undefined) {
    out.before = parseInstant(w.before);
    out.text.before = w.before;
  }
  return out;
}

/** Which end of the window a message falls outside of, or undefined when it is inside. */
export type WindowSide = 'before-since' | 'from-before';

/** Where an INTERNALDATE (milliseconds since the epoch) falls against the window. */
export function outsideWindow(w: ResolvedWindow, t: number): WindowSide | undefined {
  if (w.since && t < w.since.getTime()) return 'before-since';
  if (w.before && t >= w.before.getTime()) return 'from-before';
  return undefined;
}

/** The start of every reason recorded for a message left out by the window. */
export const WINDOW_REASON = 'outside the date window';

/**
 * The skip reason recorded in the state for a message outside the window, in the plan's words so
 * that it reads the same on every pass (`outside the date window (since 2y)`).
 */
export function windowSkipReason(w: ResolvedWindow, side: WindowSide): string {
  return side === 'before-since'
    ? `${WINDOW_REASON} (since ${w.text.since ?? '?'})`
    : `${WINDOW_REASON} (before ${w.text.before ?? '?'})`;
}

/** True when the window lets every message through. */
export function isOpenWindow(w: ResolvedWindow): boolean {
  return w.since === undefined && w.before === undefined;
}
