/**
 * The `verify` command's one core call: read the options, verify every account read-only,
 * write the reports, print the tables (or the JSON) and return the verdict as the exit code.
 */
import { openLogins } from '../auth/logins.js';
import { formatVerifyConsole } from '../report/verify-console.js';
import { verifyReportJson } from '../report/verify-json.js';
import { verifyTexts } from '../report/verify-texts.js';
import { VERIFY_FORMATS, writeVerifyReports, type VerifyFormat } from '../report/verify-write.js';
import { ExitCode, MailshiftError } from '../core/errors.js';
import type { VerifyMode, VerifyReport } from '../verify/types.js';
import { verifyPlan } from '../verify/verify-plan.js';
import { mapperFor, openCommand, verboseLog, type CommandContext, type PlanArgs } from './context.js';
import type { CliSession } from './wiring.js';
import { terminalText } from '../shared/terminal-text.js';
import type { Lang } from '../core/units.js';

/** Options of `verify`, as yargs parses them. */
export interface VerifyArgs extends PlanArgs {
  deep: boolean;
  deepSample?: string;
  format: string;
  lang?: Lang;
}

function usage(message: string, hint: string): MailshiftError {
  return new MailshiftError(message, { code: 'USAGE_ARGS', scope: 'run', hint });
}

/**
 * The comparison mode from `--deep` / `--deep-sample N`.
 * @param seed what makes the sample repeatable (the plan name)
 * @throws MailshiftError USAGE_ARGS for both options at once or a percentage outside (0, 100]
 */
export function verifyMode(args: Pick<VerifyArgs, 'deep' | 'deepSample'>, seed: string): VerifyMode {
  if (args.deepSample === undefined) return args.deep ? { kind: 'deep' } : { kind: 'headers' };
  if (args.deep)
    throw usage('--deep and --deep-sample exclude each other', 'give --deep for all, or --deep-sample N');
  const percent = Number(String(args.deepSample).replace(/%$/, ''));
  if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
    throw usage(
      `--deep-sample ${args.deepSample}: expected a percentage above 0 and at most 100`,
      'e.g. --deep-sample 10',
    );
  }
  return percent === 100 ? { kind: 'deep' } : { kind: 'sample', percent, seed };
}

/**
 * The report formats from `--format html,md,json`.
 * @throws MailshiftError USAGE_ARGS naming an unknown format
 */
export function verifyFormats(list: string): VerifyFormat[] {
  const asked = list
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  for (const f of asked) {
    if (!VERIFY_FORMATS.includes(f as VerifyFormat)) {
      throw usage(`--format ${f}: unknown report format`, `choose among ${VERIFY_FORMATS.join(', ')}`);
    }
  }
  return VERIFY_FORMATS.filter((f) => asked.includes(f));
}

/**
 * Verifies the plan's migration.
 * @returns 0 when nothing is missing, 1 otherwise (missing, altered, not yet copied, unchecked)
 */
export async function runVerify(args: VerifyArgs, session: CliSession): Promise<number> {
  const formats = verifyFormats(args.format);
  const ctx = openCommand(args, session, { lock: true, command: 'verify' });
  const { stdout, stderr } = session.io;
  try {
    const { plan, logger } = ctx;
    const mode = verifyMode(args, plan.name);
    const lang = args.lang ?? plan.report?.lang ?? 'en';
    const t = verifyTexts(lang);
    const report = await verifyWithProgress(ctx, session, mode, lang);
    logger.info({ verdict: report.verdict, totals: report.totals, seconds: report.seconds }, 'verify done');
    const paths = writeVerifyReports(report, ctx.state.reports, formats);
    if (args.json) {
      stdout.write(verifyReportJson(report));
      if (paths.length > 0) stderr.write(`${t.reportsWritten}: ${paths.join(', ')}\n`);
    } else {
      const written =
        paths.length > 0 ? `\n${t.reportsWritten}:\n${paths.map((p) => `  ${p}`).join('\n')}` : '';
      stdout.write(`${formatVerifyConsole(report)}${written}\n`);
    }
    return report.verdict === 'passed' ? ExitCode.ok : ExitCode.incomplete;
  } finally {
    ctx.close();
  }
}

/**
 * Verifies every account of the command's plan read-only, one line per account on stderr as each
 * ends (for `verify` and `report --final`).
 */
export async function verifyWithProgress(
  ctx: CommandContext,
  session: CliSession,
  mode: VerifyMode,
  lang: Lang,
): Promise<VerifyReport> {
  const { plan, logger } = ctx;
  const t = verifyTexts(lang);
  return verifyPlan(plan, {
    store: ctx.store,
    mapper: mapperFor(plan),
    readers: await session.wiring.readers(
      plan,
      verboseLog(logger),
      openLogins(plan.logins, ctx.state.dir, logger),
    ),
    mode,
    lang,
    signal: ctx.signal,
    logger,
    ...(session.wiring.verifySliceMessages ? { sliceMessages: session.wiring.verifySliceMessages } : {}),
    onAccount: (a) => {
      const messages = a.folders.reduce((s, f) => s + f.counts.source, 0);
      const ok = !a.error && a.folders.every((f) => f.counts.missing === 0 && f.status !== 'error');
      session.io.stderr.write(
        terminalText(`${a.account}: ${t.accountLine(a.folders.length, messages, ok)}\n`),
      );
    },
  });
}
