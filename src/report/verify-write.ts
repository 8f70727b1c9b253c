/**
 * Writes the verification report into the state directory's `reports/` folder in the formats
 * asked for, named by the time of the verification so earlier reports are kept for comparison.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { join } from 'node:path';
import type { VerifyReport } from '../verify/types.js';
import { verifyHtml } from './verify-html.js';
import { verifyReportJson } from './verify-json.js';
import { verifyMarkdown } from './verify-markdown.js';
import { reportStamp } from './format.js';

/** Formats a verification report can be written in. */
export type VerifyFormat = 'html' | 'md' | 'json';

/** Every format, in the order they are written. */
export const VERIFY_FORMATS: readonly VerifyFormat[] = ['html', 'md', 'json'];

const RENDER: Record<VerifyFormat, (r: VerifyReport) => string> = {
  html: verifyHtml,
  md: verifyMarkdown,
  json: verifyReportJson,
};

/** `2026-11-25T20:01:02.345Z` -> `verify-20261125-200102-345`. */
export function verifyReportName(generatedAt: string): string {
  return `verify-${reportStamp(generatedAt)}`;
}

/**
 * Writes the report files (mode 0600: they name people and subjects).
 * @returns the written paths, in `formats` order
 */
export function writeVerifyReports(
  report: VerifyReport,
  dir: string,
  formats: readonly VerifyFormat[],
): string[] {
  const name = verifyReportName(report.generatedAt);
  let base = join(dir, name);
  // Two verifications within one second keep both reports.
  for (let n = 2; formats.some((f) => existsSync(`${base}.${f}`)); n++) base = join(dir, `${name}-${n}`);
  return formats.map((f) => {
    const path = `${base}.${f}`;
    writeFileAtomic(path, RENDER[f](report));
    return path;
  });
}
