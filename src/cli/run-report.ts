/**
 * The `report` command's one core call: read both sides of every account read-only, decide the
 * folder mapping as `run` would, build the dry-run report, write its files and print the verdict.
 * Only `FolderReader`s are built here: nothing in this path can append, create, store or delete.
 */
import { openLogins } from '../auth/logins.js';
import { discoverAccounts, type AccountDiscovery } from '../plan/discovery.js';
import type { Plan } from '../plan/load-plan.js';
import { buildDryRunReport, type DryRunAccountInput } from '../report/dry-run-build.js';
import { formatDryRunConsole } from '../report/dry-run-console.js';
import { renderDryRunJson } from '../report/dry-run-json.js';
import { parseFormats, writeDryRunReports } from '../report/dry-run-write.js';
import type { Lang } from '../core/units.js';
import { isOpenWindow, resolveWindow, windowOf } from '../plan/window.js';
import { ExitCode } from '../core/errors.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { mapperFor, openCommand, verboseLog, type PlanArgs } from './context.js';
import type { CliSession } from './wiring.js';
import { terminalText } from '../shared/terminal-text.js';
import { gmailSettingsOf, gmailView } from '../plan/gmail-labels.js';

/** Options of `report`, as yargs parses them. */
export interface ReportArgs extends PlanArgs {
  format: string;
  lang?: Lang;
  out?: string;
  /** The handover report after the cutover instead of the dry run (run-handover.ts). */
  final?: boolean;
}

function server(s: Plan['source']): string {
  return `${s.host}:${s.port} (${s.security})`;
}

function stateFigures(
  store: CheckpointStore,
  id: string,
): Pick<DryRunAccountInput, 'syncedFolders' | 'alreadyCopied'> {
  const c = store.counts().find((x) => x.account === id);
  return {
    syncedFolders: store.folders(id).map((f) => f.source_path),
    // Bytes of "present" rows are not summed by the store: the quota check stays on the safe side.
    alreadyCopied: { messages: (c?.copied ?? 0) + (c?.present ?? 0), bytes: c?.bytes ?? 0 },
  };
}

/**
 * Makes the dry-run report of a plan.
 * @returns 0 when nothing blocks the migration, 1 when something does (named in the report)
 * @throws MailshiftError USAGE_* (bad --format), PLAN_* (invalid or stale plan), STATE_* (unwritable)
 */
export async function runReport(args: ReportArgs, session: CliSession): Promise<number> {
  const formats = parseFormats(args.format);
  const ctx = openCommand(args, session, { lock: false, command: 'report' });
  const { stdout, stderr } = session.io;
  try {
    const { plan, logger, store } = ctx;
    const lang: Lang = args.lang ?? plan.report?.lang ?? 'en';
    const mapper = mapperFor(plan);
    const logins = openLogins(plan.logins, ctx.state.dir, logger);
    const readers = await session.wiring.readers(plan, verboseLog(logger), logins);
    const byId = new Map(plan.accounts.map((a) => [a.id, a]));
    const started = Date.now();
    const discovered = await discoverAccounts(plan.accounts, (id) => readers(byId.get(id)!), {
      caps: plan,
      keepKeys: plan.source.provider === 'google',
      retry: plan.limits.retry,
      signal: ctx.signal,
      onAccount: (d) => stderr.write(terminalText(`${d.account}: ${progressLine(d)}\n`)),
    });
    const discoverySeconds = (Date.now() - started) / 1000;
    const accounts = discovered.map((d): DryRunAccountInput => {
      const window = resolveWindow(windowOf(plan, byId.get(d.account)!), new Date(started));
      const resolved = mapper.resolved(d.account);
      const both = d.source.ok && d.destination.ok;
      const decisions =
        resolved ??
        (d.source.ok && d.destination.ok
          ? mapper.propose(d.account, d.source.listing, d.destination.listing)
          : undefined);
      const gmail =
        decisions && d.source.ok ? gmailView(gmailSettingsOf(plan), decisions, d.source.listing) : undefined;
      return {
        id: d.account,
        discovery: d,
        decisions,
        mapping: resolved ? 'resolved' : both ? 'proposed' : 'none',
        ...stateFigures(store, d.account),
        ...(gmail ? { gmail } : {}),
        ...(isOpenWindow(window) ? {} : { window }),
      };
    });
    const report = buildDryRunReport({
      generatedAt: new Date(),
      lang,
      plan: {
        name: plan.name,
        path: plan.path,
        client: plan.report?.client,
        source: server(plan.source),
        destination: server(plan.destination),
        maxMessageSize: plan.limits.maxMessageSize,
        throughput: plan.report?.throughput,
        addresses: plan.addresses ?? [],
        ...(plan.presets ? { presets: plan.presets } : {}),
      },
      accounts,
      learnedThroughput: store.learnedThroughput(),
      discoverySeconds,
    });
    const paths = writeDryRunReports(report, args.out ?? ctx.state.reports, formats);
    logger.info({ verdict: report.verdict, summary: report.summary, files: paths }, 'dry-run report written');
    const text = formatDryRunConsole(report, paths);
    if (args.json) {
      stdout.write(renderDryRunJson(report));
      stderr.write(`${text}\n`);
    } else stdout.write(`${text}\n`);
    return report.verdict === 'ready' ? ExitCode.ok : ExitCode.incomplete;
  } finally {
    ctx.close();
  }
}

function progressLine(d: AccountDiscovery): string {
  const side = (s: { ok: true } | { ok: false; error: { message: string } }, name: string) =>
    s.ok ? '' : `; ${name}: ${s.error.message}`;
  const messages = d.source.ok ? d.source.folders.reduce((s, f) => s + f.messages, 0) : 0;
  const folders = d.source.ok ? d.source.folders.length : 0;
  return `read ${folders} folders, ${messages} messages in ${d.seconds.toFixed(1)}s${side(d.source, 'source')}${side(d.destination, 'destination')}`;
}
