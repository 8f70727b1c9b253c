/**
 * Layout helpers of the plain-text outputs and the report files: aligned columns for the console,
 * time-ordered file names. Figures are formatted by core/units.ts.
 */
import { terminalField } from '../shared/terminal-text.js';

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
