/**
 * Writes the dry-run report files: one per format, named after the time the report was made, so
 * earlier reports stay beside it. Readable by the owner only: they hold addresses and Message-IDs.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { join } from 'node:path';
import { MailshiftError } from '../core/errors.js';
import { renderDryRunHtml } from './dry-run-html.js';
import { renderDryRunJson } from './dry-run-json.js';
import { renderDryRunMarkdown } from './dry-run-markdown.js';
import type { DryRunReport } from './dry-run-model.js';
import { reportStamp } from './format.js';

/** Report formats and their renderers (a registry, in the order files are printed). */
export const DRY_RUN_FORMATS = {
  html: { ext: 'html', render: renderDryRunHtml },
  md: { ext: 'md', render: renderDryRunMarkdown },
  json: { ext: 'json', render: renderDryRunJson },
} as const;

export type DryRunFormat = keyof typeof DRY_RUN_FORMATS;

/**
 * Parses `--format html,md,json` (also repeated flags).
 * @throws MailshiftError USAGE_FORMAT naming the unknown format
 */
export function parseFormats(values: string[] | string | undefined): DryRunFormat[] {
  const list = (Array.isArray(values) ? values : [values ?? 'html,md,json'])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  const known = Object.keys(DRY_RUN_FORMATS);
  for (const f of list) {
    if (!known.includes(f)) {
      throw new MailshiftError(`unknown report format "${f}"`, {
        code: 'USAGE_FORMAT',
        scope: 'run',
        hint: `use one or more of ${known.join(', ')}, separated by commas`,
      });
    }
  }
  if (list.length === 0) {
    throw new MailshiftError('no report format given', {
      code: 'USAGE_FORMAT',
      scope: 'run',
      hint: `use one or more of ${known.join(', ')}, separated by commas`,
    });
  }
  return [...new Set(list as DryRunFormat[])];
}

/**
 * Writes the report in each format into `dir` (created, mode 0700).
 * @returns the paths written, in format order
 * @throws MailshiftError STATE_UNWRITABLE when the folder cannot be written
 */
export function writeDryRunReports(r: DryRunReport, dir: string, formats: DryRunFormat[]): string[] {
  const base = `dry-run-${reportStamp(r.generatedAt)}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return formats.map((f) => {
      const path = join(dir, `${base}.${DRY_RUN_FORMATS[f].ext}`);
      writeFileAtomic(path, DRY_RUN_FORMATS[f].render(r));
      return path;
    });
  } catch (err) {
    throw new MailshiftError(`cannot write the report into ${dir}: ${(err as Error).message}`, {
      code: 'STATE_UNWRITABLE',
      scope: 'run',
      hint: 'pass another --out folder, or free space / fix the permissions',
      cause: err,
    });
  }
}
