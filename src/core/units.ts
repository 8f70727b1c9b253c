/**
 * Numbers, sizes, durations and dates for people, in the two languages mailshift speaks: the one
 * set of formatters every stage uses, so a figure reads the same in an error, the console and a
 * report of one language. The words of each report live with the report (src/report); the forms
 * of its figures live here.
 */

/** The languages of the reports (the console is always English). */
export type Lang = 'pl' | 'en';

export const LANGS: readonly Lang[] = ['pl', 'en'];

/** One formatter per language, made when first used: making one costs ICU work each time. */
const numberFormats = new Map<Lang, Intl.NumberFormat>();

/** A figure JavaScript writes with no exponent, no sign and at most one decimal, below 1,000. */
const SHORT_FIGURE = /^\d{1,3}(\.\d)?$/;

/** 12345 -> "12,345" (en) or "12 345" (pl). */
export function formatNumber(lang: Lang, n: number): string {
  // Below 1,000 neither language groups digits, and a figure of one decimal at most needs no
  // rounding: such a figure reads as JavaScript writes it, with the language's decimal sign. Most
  // figures a command prints are such, and the first Intl.NumberFormat costs ~25 ms of ICU start.
  // (Intl writes negative zero "-0", which String() does not: it goes to Intl.)
  const plain = Object.is(n, -0) ? '' : String(n);
  if (SHORT_FIGURE.test(plain)) return lang === 'pl' ? plain.replace('.', ',') : plain;
  let f = numberFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'pl' ? 'pl-PL' : 'en-GB', { maximumFractionDigits: 1 });
    numberFormats.set(lang, f);
  }
  return f.format(n).replace(/\u00a0/g, ' ');
}

/** 1536 -> "1.5 KB" (en) or "1,5 KB" (pl); binary units, as mail programs show sizes. */
export function formatSize(lang: Lang, bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const rounded = v >= 10 || i === 0 ? Math.round(v) : Math.round(v * 10) / 10;
  return `${formatNumber(lang, rounded)} ${units[i]}`;
}

/**
 * A span of time as a person says it, to the minute: "2 h 5 min" (en) or "2 godz. 5 min" (pl);
 * under a minute says so. For estimates and time left, where seconds would be false precision.
 * @returns "?" for a span that is not a finite number
 */
export function formatDuration(lang: Lang, seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return lang === 'pl' ? 'poni\u017cej minuty' : 'under a minute';
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hour = lang === 'pl' ? 'godz.' : 'h';
  const h = formatNumber(lang, Math.floor(minutes / 60));
  const m = minutes % 60;
  return m === 0 ? `${h} ${hour}` : `${h} ${hour} ${m} min`;
}

/** A measured time: "1.4 s" (en) or "1,4 s" (pl) under a minute, else as `formatDuration`. */
export function formatSeconds(lang: Lang, seconds: number): string {
  return seconds < 60
    ? `${formatNumber(lang, Math.round(seconds * 10) / 10)} s`
    : formatDuration(lang, seconds);
}

/** How much of a date-time `formatDate` shows. */
export type DatePrecision = 'day' | 'minute' | 'second';

const DATE_LENGTH: Record<DatePrecision, number> = { day: 10, minute: 16, second: 19 };

/**
 * An ISO 8601 date-time as "2024-03-05", "2024-03-05 10:07" or "2024-03-05 10:07:09": the same in
 * both languages and never ambiguous (day and month are not swapped between them). The time is
 * the one written in the string, UTC for every date mailshift records.
 * @returns '' for no date
 */
export function formatDate(iso: string | undefined, precision: DatePrecision = 'day'): string {
  return iso ? iso.slice(0, DATE_LENGTH[precision]).replace('T', ' ') : '';
}
