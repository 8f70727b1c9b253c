/**
 * The time spans and instants a plan names in words: `15m` between passes, `24h` before a failure
 * is sent again, `2y` of mail to copy, a cutover at `2026-12-05T18:00:00+01:00`. Parsed here once,
 * so the schema, the schedule and the engine read them the same way.
 */

const SPAN_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SPAN = /^(?:\d+(?:ms|s|m|h|d))+$/;
const SPAN_PART = /(\d+)(ms|s|m|h|d)/g;

/**
 * A span such as `90s`, `15m`, `1h30m`, `2d` in milliseconds (`m` is minutes).
 * @returns undefined when the text is not such a span.
 */
export function parseSpan(text: string): number | undefined {
  const t = text.trim();
  if (!SPAN.test(t)) return undefined;
  let ms = 0;
  for (const [, n, unit] of t.matchAll(SPAN_PART)) ms += Number(n) * (SPAN_UNITS[unit ?? ''] ?? 0);
  return ms;
}

/** An age of mail counted back from a pass: `90d`, `12w`, `18mo`, `2y` (calendar months and years). */
export interface Age {
  count: number;
  unit: 'd' | 'w' | 'mo' | 'y';
}

const AGE = /^(\d+)(d|w|mo|y)$/;

/** `2y` -> `{ count: 2, unit: 'y' }`; undefined for anything else. */
export function parseAge(text: string): Age | undefined {
  const m = AGE.exec(text.trim());
  if (!m) return undefined;
  return { count: Number(m[1]), unit: m[2] as Age['unit'] };
}

/** The instant `age` before `now` (UTC calendar arithmetic for months and years). */
export function instantBefore(age: Age, now: Date): Date {
  const d = new Date(now.getTime());
  if (age.unit === 'd') d.setUTCDate(d.getUTCDate() - age.count);
  else if (age.unit === 'w') d.setUTCDate(d.getUTCDate() - 7 * age.count);
  else if (age.unit === 'mo') d.setUTCMonth(d.getUTCMonth() - age.count);
  else d.setUTCFullYear(d.getUTCFullYear() - age.count);
  return d;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// A time of day must say its zone: "18:00" alone would mean the zone of whatever machine runs the
// sync, and a cutover an hour off is the kind of mistake nobody sees until Monday.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * `2024-01-01` (midnight UTC) or an ISO 8601 date-time with its zone (`Z` or `+01:00`).
 * @returns undefined when the text is neither, or names no real day.
 */
export function parseInstant(text: string): Date | undefined {
  const t = text.trim();
  if (!DAY.test(t) && !INSTANT.test(t)) return undefined;
  const d = new Date(DAY.test(t) ? `${t}T00:00:00Z` : t);
  if (Number.isNaN(d.getTime())) return undefined;
  // Date() rolls 2024-02-30 over to March: refuse a day that does not exist.
  if (DAY.test(t) && d.toISOString().slice(0, 10) !== t) return undefined;
  return d;
}
