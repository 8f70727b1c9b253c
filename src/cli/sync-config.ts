/**
 * The schedule of `mailshift sync` from the plan's `schedule:` section and the command line: flags
 * win over the plan, the plan's defaults fill the rest (every 15m, IDLE on, 1m between a pass and
 * an early one, at most 6h of backoff).
 */
import { MailshiftError } from '../core/errors.js';
import { ScheduleSchema } from '../plan/cutover-schema.js';
import { parseInstant, parseSpan } from '../plan/durations.js';
import type { Plan } from '../plan/load-plan.js';
import type { ScheduleConfig } from '../watch/schedule.js';

/** What `sync` takes from the command line. */
export interface ScheduleFlags {
  every?: string;
  cutover?: string;
  /** False with `--no-idle`. */
  idle?: boolean;
}

/** The schedule in force, and whether new INBOX mail may start a pass early. */
export interface SyncSchedule {
  config: ScheduleConfig;
  idle: boolean;
}

function usage(message: string, hint: string): MailshiftError {
  return new MailshiftError(message, { code: 'USAGE_ARGS', scope: 'run', hint });
}

/**
 * Resolves the schedule.
 * @throws MailshiftError USAGE_ARGS for an `--every` that is no span of at least a second, or a
 *   `--cutover` that is no date-time with its zone
 */
export function syncSchedule(plan: Pick<Plan, 'schedule'>, flags: ScheduleFlags): SyncSchedule {
  const s = plan.schedule ?? ScheduleSchema.parse({});
  const every = flags.every ?? s.every;
  const everyMs = parseSpan(every);
  if (everyMs === undefined || everyMs < 1000)
    throw usage(
      `--every ${every}: expected a span of at least 1s`,
      'e.g. --every 15m, --every 1h30m, --every 30s',
    );
  const cutoverText = flags.cutover ?? s.cutover;
  let cutoverAt: number | undefined;
  if (cutoverText !== undefined) {
    const at = /T/.test(cutoverText) ? parseInstant(cutoverText) : undefined;
    if (!at)
      throw usage(
        `--cutover ${cutoverText}: expected a date-time with its zone`,
        'e.g. --cutover 2026-12-05T18:00:00+01:00 (a time without a zone would depend on the machine)',
      );
    cutoverAt = at.getTime();
  }
  return {
    config: {
      everyMs,
      ...(cutoverAt === undefined ? {} : { cutoverAt }),
      minGapMs: parseSpan(s.minGap) ?? 60_000,
      maxBackoffMs: parseSpan(s.maxBackoff) ?? 6 * 3_600_000,
    },
    idle: (flags.idle ?? true) && s.idle,
  };
}
