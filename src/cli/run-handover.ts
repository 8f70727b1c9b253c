/**
 * `mailshift report <plan> --final`: the handover report after the cutover. Verify runs first (both
 * servers read-only, under the state's lock like `verify`), then the report is built from the
 * state, the schedule of the passes and verify's findings, and written as HTML, Markdown and JSON
 * (with verify's own reports beside it, for the detail of anything missing).
 */
import { ExitCode } from '../core/errors.js';
import type { Lang } from '../core/units.js';
import { formatHandoverConsole } from '../report/handover-console.js';
import { buildHandover } from '../report/handover-model.js';
import { handoverJson, writeHandoverReports } from '../report/handover-write.js';
import { writeVerifyReports } from '../report/verify-write.js';
import { ScheduleStore } from '../state/schedule-store.js';
import { openCommand } from './context.js';
import type { ReportArgs } from './run-report.js';
import { verifyFormats, verifyWithProgress } from './run-verify.js';
import type { CliSession } from './wiring.js';

/**
 * Verifies the migration and writes the handover report.
 * @returns 0 when the verdict is complete, 1 otherwise
 * @throws MailshiftError USAGE_* (bad --format), PLAN_*, STATE_* (locked by a running sync)
 */
export async function runHandover(args: ReportArgs, session: CliSession): Promise<number> {
  const formats = verifyFormats(args.format);
  const ctx = openCommand(args, session, { lock: true, command: 'report --final' });
  const { stdout, stderr } = session.io;
  // The checkpoint store has created or migrated the database: the schedule's tables are there.
  const schedule = ScheduleStore.open(ctx.state.db, { readonly: true });
  try {
    const { plan, logger } = ctx;
    const lang: Lang = args.lang ?? plan.report?.lang ?? 'en';
    const verify = await verifyWithProgress(ctx, session, { kind: 'headers' }, lang);
    const report = buildHandover({
      plan: {
        name: plan.name,
        ...(plan.report?.client ? { client: plan.report.client } : {}),
        accounts: plan.accounts,
      },
      store: ctx.store,
      schedule,
      verify,
      lang,
      now: new Date(),
    });
    const dir = args.out ?? ctx.state.reports;
    const files = [
      ...writeHandoverReports(report, dir, formats),
      ...writeVerifyReports(verify, dir, formats),
    ];
    logger.info({ verdict: report.verdict, totals: report.totals, files }, 'handover report written');
    const text = formatHandoverConsole(report, files);
    if (args.json) {
      stdout.write(handoverJson(report));
      stderr.write(`${text}\n`);
    } else stdout.write(`${text}\n`);
    return report.verdict === 'complete' ? ExitCode.ok : ExitCode.incomplete;
  } finally {
    schedule.close();
    ctx.close();
  }
}
