/**
 * The verification report as JSON on disk (`version: 1`), and reading it back with the version
 * checked, so a tool that reads an old or newer report says so instead of misreading it.
 */
import { MailshiftError } from '../core/errors.js';
import { VERIFY_REPORT_VERSION, type VerifyReport } from '../verify/types.js';

/** Serialises a report. */
export function verifyReportJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Parses a verification report.
 * @param source where the text came from, for the error message
 * @throws MailshiftError REPORT_VERSION when it is not a version 1 verification report
 */
export function parseVerifyReport(text: string, source = 'verification report'): VerifyReport {
  const doc = JSON.parse(text) as Partial<VerifyReport> | null;
  if (!doc || doc.version !== VERIFY_REPORT_VERSION) {
    throw new MailshiftError(
      `${source}: unsupported version: expected ${VERIFY_REPORT_VERSION}, got ${String(doc?.version)}`,
      { code: 'REPORT_VERSION', scope: 'run', hint: 'read it with the mailshift version that wrote it' },
    );
  }
  return doc as VerifyReport;
}
