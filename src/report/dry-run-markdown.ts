/**
 * The dry-run report as Markdown (GitHub-flavoured tables): for a ticket, a wiki or an e-mail.
 * Same sections and words as the HTML.
 */
import type { AccountReport, DryRunReport } from './dry-run-model.js';
import { problemCount } from './dry-run-html.js';
import { escapeMarkdown, markdownCode, markdownTable } from './markdown.js';
import { countOf, formatDay, formatDurationIn, formatSeconds, stringsFor, type Strings } from './i18n.js';
import { formatNumber, formatSize, type Lang } from '../core/units.js';

const m = escapeMarkdown;

function period(oldest?: string, newest?: string): string {
  if (!oldest && !newest) return '';
  const a = formatDay(oldest);
  const b = formatDay(newest);
  return a === b ? a : `${a} \u2013 ${b}`;
}

function account(a: AccountReport, t: Strings, L: Lang): string {
  const login = (side: 'source' | 'destination', user: string) => {
    const l = a.login[side];
    return `- ${m(t.loginHeader)}: ${m(t.side[side])}: ${m(user)} @ ${m(l.server)}: **${m(l.ok ? t.loginOk : t.loginFailed)}**${
      l.ok ? '' : ` (${m(l.message)})`
    }`;
  };
  const lines = [
    `### ${m(a.sourceUser)}${a.destinationUser !== a.sourceUser ? ` \u2192 ${m(a.destinationUser)}` : ''}`,
    '',
    login('source', a.sourceUser),
    login('destination', a.destinationUser),
  ];
  if (a.login.destination.ok) {
    lines.push(
      `- ${m(
        a.quota
          ? t.quotaLine({
              usage: formatSize(L, a.quota.usage),
              limit: formatSize(L, a.quota.limit),
              incoming: formatSize(L, a.quota.incoming),
            })
          : t.noQuota,
      )}`,
      `- ${m(
        a.appendLimit === undefined
          ? t.noAppendLimit
          : a.appendLimit === 'per-folder'
            ? t.perFolderLimit
            : t.appendLimitLine(formatSize(L, a.appendLimit)),
      )}`,
    );
  }
  if (a.alreadyCopied.messages > 0) {
    lines.push(
      `- ${m(t.alreadyCopiedLine({ messages: countOf(L, a.alreadyCopied.messages, 'messages'), size: formatSize(L, a.alreadyCopied.bytes) }))}`,
    );
  }
  lines.push(
    `- ${m(a.mapping === 'resolved' ? t.mappingFromResolved : a.mapping === 'proposed' ? t.mappingProposed : t.mappingNone)}`,
  );
  if (a.folders.length > 0) {
    const h = t.mappingHeaders;
    const rows = a.folders.map((r) => {
      const where =
        r.action === 'copy'
          ? r.existing
            ? t.existingFolder(countOf(L, r.destinationMessages ?? 0, 'messages'))
            : t.newFolder
          : r.action === 'skip'
            ? t.notCopied
            : '';
      const why = [
        t.reason[r.reason ?? ''] ?? r.reason ?? '',
        ...r.warnings,
        ...(r.error ? [r.error] : []),
      ].join('; ');
      return [
        m(r.source),
        m(
          r.action === 'copy'
            ? (r.destination ?? '')
            : r.action === 'unknown'
              ? t.unknownDestination
              : '\u2014',
        ),
        m(why),
        m(where),
        formatNumber(L, r.messages),
        m(formatSize(L, r.bytes)),
        period(r.oldest, r.newest),
      ];
    });
    rows.push([
      `**${m(t.totalRow)}**`,
      '',
      '',
      '',
      `**${formatNumber(L, a.totals.messages)}**`,
      `**${m(formatSize(L, a.totals.bytes))}**`,
      period(a.oldest, a.newest),
    ]);
    lines.push(
      '',
      markdownTable(
        [h.source, h.destination, h.why, h.onDestination, h.messages, h.size, h.period],
        rows,
        [4, 5],
      ),
    );
  }
  if (a.largest.length > 0) {
    const h = t.largestHeaders;
    lines.push(
      '',
      `**${m(t.largestTitle)}**`,
      '',
      markdownTable(
        [h.folder, h.date, h.size, h.messageId],
        a.largest.map((x) => [
          m(x.folder),
          formatDay(x.date),
          m(formatSize(L, x.size)),
          m(x.messageId ?? ''),
        ]),
        [2],
      ),
    );
  }
  return lines.join('\n');
}

/**
 * Renders the report as Markdown in the report's language.
 * @returns the file content
 */
export function renderDryRunMarkdown(r: DryRunReport): string {
  const t = stringsFor(r.lang);
  const L = r.lang;
  const s = r.summary;
  const est = s.estimate;
  const out: string[] = [`# ${m(t.docTitle)}`, ''];
  if (r.plan.client) out.push(`- ${m(t.preparedFor)}: **${m(r.plan.client)}**`);
  out.push(
    `- ${m(t.sourceServer)}: ${m(r.plan.source)}`,
    `- ${m(t.destinationServer)}: ${m(r.plan.destination)}`,
    `- ${m(t.plan)}: ${m(r.plan.name)}`,
    `- ${m(t.generated)}: ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `## ${m(t.sections.summary)}`,
    '',
    r.verdict === 'ready'
      ? `> **${m(t.verdictReady)}.** ${m(t.verdictReadyText)}`
      : `> **${m(t.verdictBlocked(s.blockers))}.** ${m(t.verdictBlockedText)}`,
    '',
    markdownTable(
      [
        m(t.figures.mailboxes),
        m(t.figures.folders),
        m(t.figures.messages),
        m(t.figures.size),
        m(t.figures.period),
        m(t.figures.duration),
      ],
      [
        [
          formatNumber(L, s.accounts),
          formatNumber(L, s.folders),
          formatNumber(L, s.messages),
          m(formatSize(L, s.bytes)),
          period(s.oldest, s.newest),
          m(formatDurationIn(L, est.seconds)),
        ],
      ],
    ),
    '',
    m(
      t.estimateBasis({
        throughput: formatNumber(L, Math.round(est.throughput * 10) / 10),
        basis: est.basis,
        messages: countOf(L, est.messages, 'messages'),
      }),
    ),
    '',
    `## ${m(t.sections.problems)}`,
    '',
  );
  if (r.problems.length === 0) out.push(m(t.noProblems));
  for (const p of r.problems) {
    const text = t.problem[p.kind];
    out.push(
      `- **${m(t.severity[p.severity])}** \u2013 ${m(text.title(p.params))} \u2013 ${m(p.account ?? t.allAccounts)} \u2013 ${m(problemCount(p, L))}`,
      `  - ${m(t.problemHeaders.action)}: ${m(text.action(p.params))}`,
      ...p.items.map((i) => `  - ${markdownCode(i)}`),
      ...(p.more > 0 ? [`  - ${m(t.andMore(p.more))}`] : []),
    );
  }
  out.push('', `## ${m(t.sections.accounts)}`, '');
  for (const a of r.accounts) out.push(account(a, t, L), '');
  out.push(`## ${m(t.sections.addresses)}`, '');
  if (r.addresses.length === 0) out.push(m(t.noAddresses));
  else {
    const h = t.addressHeaders;
    out.push(
      markdownTable(
        [h.address, h.kind, h.target, h.delivers, h.status].map(m),
        r.addresses.map((a) => [
          m(a.address),
          m(t.addressKind[a.kind]),
          m(a.listed ? (a.target ?? '') : t.addressFromAccounts),
          m(a.delivers ?? '\u2014'),
          a.status === 'unmapped' || a.status === 'loop'
            ? `**${m(t.addressStatus[a.status])}**`
            : m(t.addressStatus[a.status]),
        ]),
      ),
    );
  }
  out.push('', `## ${m(t.sections.about)}`, '');
  for (const p of t.about({ version: r.version, seconds: formatSeconds(L, s.discoverySeconds) }))
    out.push(m(p), '');
  return `${out.join('\n').trimEnd()}\n`;
}
