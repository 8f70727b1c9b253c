/**
 * Numbers and sizes for people, in the two languages mailshift speaks: the one formatter every
 * stage uses, so a size reads the same in an error, the console and a report of one language.
 */

/** The languages of the reports (the console is always English). */
export type Lang = 'pl' | 'en';

export const LANGS: readonly Lang[] = ['pl', 'en'];

/** 12345 -> "12,345" (en) or "12 345" (pl). */
export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(lang === 'pl' ? 'pl-PL' : 'en-GB', { maximumFractionDigits: 1 })
    .format(n)
    .replace(/\u00a0/g, ' ');
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
