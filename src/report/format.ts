/**
 * Small formatting helpers shared by the console output and the reports.
 */
import { terminalField } from '../shared/terminal-text.js';

/** 1536 -> "1.5 KB", binary units as mail clients show them. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** 3725 -> "1h 2m", 75 -> "1m 15s", 4.2 -> "4s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Pads cells into aligned columns for plain-text tables. */
export function textTable(cells: string[][]): string {
  // A cell is one line: a folder name with a line break or an escape sequence stays in its cell.
  const rows = cells.map((r) => r.map(terminalField));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * "2026-11-25T20:01:28.123Z" -> "20261125-200128-123": report file names that sort in the order
 * the reports were made, milliseconds included, so two reports in one second do not collide.
 */
export function reportStamp(iso: string): string {
  return iso.slice(0, 23).replace(/[-:]/g, '').replace('T', '-').replace('.', '-');
}
