/**
 * The handover report as JSON (the model itself, `version: 1`), and the writing of its files into
 * the state directory's `reports/` folder, named by the time it was made so earlier ones are kept.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { reportStamp } from './format.js';
import { handoverHtml } from './handover-html.js';
import { handoverMarkdown } from './handover-markdown.js';
import { HANDOVER_VERSION, type HandoverReport } from './handover-model.js';

/** Formats a handover report can be written in. */
export type HandoverFormat = 'html' | 'md' | 'json';

/** The report as JSON. */
export function handoverJson(r: HandoverReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * Reads a handover report back, strictly.
 * @throws Error naming the version found when it is not this one
 */
export function parseHandoverJson(text: string): HandoverReport {
  const r = JSON.parse(text) as Partial<HandoverReport>;
  if (r.kind !== 'handover' || r.version !== HANDOVER_VERSION)
    throw new Error(
      `not a handover report of version ${HANDOVER_VERSION} (kind ${String(r.kind)}, version ${String(r.version)})`,
    );
  return r as HandoverReport;
}

const RENDER: Record<HandoverFormat, (r: HandoverReport) => string> = {
  html: handoverHtml,
  md: handoverMarkdown,
  json: handoverJson,
};

/**
 * Writes the report files (mode 0600: they name people and mailboxes).
 * @returns the written paths, in `formats` order
 */
export function writeHandoverReports(
  report: HandoverReport,
  dir: string,
  formats: readonly HandoverFormat[],
): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `handover-${reportStamp(report.generatedAt)}`;
  let base = join(dir, name);
  for (let n = 2; formats.some((f) => existsSync(`${base}.${f}`)); n++) base = join(dir, `${name}-${n}`);
  return formats.map((f) => {
    const path = `${base}.${f}`;
    // Whole or not at all: a client must never be handed half a report.
    writeFileAtomic(path, RENDER[f](report));
    return path;
  });
}
