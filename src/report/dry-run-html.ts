/**
 * The dry-run report as one self-contained HTML file for the client: no script, no external
 * resource, readable on screen and printable to PDF. Sections (ids are stable, tests look for
 * them): summary, problems, accounts, addresses, about.
 */
import type { MessageRef } from '../plan/discovery.js';
import type {
  AccountReport,
  AddressRow,
  DryRunReport,
  FolderRow,
  LoginCheck,
  Problem,
} from './dry-run-model.js';
import { escapeHtml, htmlPage, htmlTable, type HtmlCell } from './html.js';
import { countOf, formatDay, formatDurationIn, formatSeconds, stringsFor, type Strings } from './i18n.js';
import { formatNumber, formatSize, type Lang } from '../core/units.js';

/** Section ids, in document order. */
export const HTML_SECTIONS = ['summary', 'problems', 'accounts', 'addresses', 'about'] as const;

const CSS = `
header.doc { border-bottom: 3px solid #1f5fa8; padding-bottom: .6rem; margin-bottom: 1rem; }
header.doc h1 { margin-top: 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0 0; }
dl.meta dt { color: #57606a; } dl.meta dd { margin: 0; }
.banner { color: #1b1f24; font-size: 14px; font-weight: normal; }
.banner strong { display: block; font-size: 1.3rem; margin-bottom: .2rem; }
.banner.ok { border-left: 6px solid #1a7f37; } .banner.ok strong { color: #1a7f37; }
.banner.bad { border-left: 6px solid #cf222e; } .banner.bad strong { color: #cf222e; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: .5rem; margin: .8rem 0; }
.tile { background: #f3f5f7; border-radius: 6px; padding: .45rem .7rem; }
.tile .label { display: block; font-size: 11.5px; color: #57606a; text-transform: uppercase; letter-spacing: .03em; }
.tile .value { display: block; font-size: 1.2rem; font-weight: 650; }
.tile.bad .value { color: #cf222e; } .tile.warn .value { color: #9a6700; }
.tile.long .value { font-size: 1rem; line-height: 1.9rem; white-space: nowrap; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 9px; font-size: 11.5px; font-weight: 600; white-space: nowrap; }
.badge.blocker, .badge.bad { background: #ffebe9; color: #cf222e; }
.badge.warning { background: #fff8c5; color: #7d4e00; }
.badge.info { background: #ddf4ff; color: #0a3069; }
.badge.ok { background: #dafbe1; color: #1a7f37; }
.badge.neutral { background: #f3f5f7; color: #57606a; }
ul.items { margin: .25rem 0 0; padding-left: 1.1rem; color: #57606a; font-size: 12px; }
ul.items li { word-break: break-word; }
section.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .1rem 1rem .4rem; margin: 1rem 0; }
section.card h3 { margin-top: .8rem; }
td.nowrap, td.num { white-space: nowrap; }
table.problems td:nth-child(2) { width: 40%; }
table.problems td:nth-child(5) { width: 30%; }
tr.skip td { color: #57606a; }
tr.total td { font-weight: 600; background: #f6f8fa; }
footer#about { margin-top: 2.5rem; color: #57606a; font-size: 12.5px; }
footer#about h2 { color: #1b1f24; }
@media print {
  .tiles { grid-template-columns: repeat(4, 1fr); }
  section.card { break-inside: auto; }
  .banner, .tile, .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

const e = escapeHtml;

function badge(cls: string, text: string): string {
  return `<span class="badge ${e(cls)}">${e(text)}</span>`;
}

function itemsList(items: string[], more: number, t: Strings): string {
  if (items.length === 0) return '';
  const lines = items.map((i) => `<li>${e(i)}</li>`);
  if (more > 0) lines.push(`<li>${e(t.andMore(more))}</li>`);
  return `<ul class="items">${lines.join('')}</ul>`;
}

function period(lang: Lang, oldest?: string, newest?: string): string {
  if (!oldest && !newest) return '';
  const a = formatDay(oldest);
  const b = formatDay(newest);
  return a === b ? a : `${a} \u2013 ${b}`;
}

/** The "how many" of a problem in words. */
export function problemCount(p: Problem, lang: Lang): string {
  if (p.unit === 'bytes') return formatSize(lang, p.count);
  if (p.count === 0) return '\u2014';
  const text = countOf(lang, p.count, p.unit);
  return p.bytes !== undefined && p.unit === 'messages' ? `${text} (${formatSize(lang, p.bytes)})` : text;
}

function header(r: DryRunReport, t: Strings): string {
  const meta: [string, string][] = [
    ...(r.plan.client ? ([[t.preparedFor, r.plan.client]] as [string, string][]) : []),
    [t.sourceServer, r.plan.source],
    [t.destinationServer, r.plan.destination],
    [t.plan, r.plan.name],
    [t.generated, `${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC`],
  ];
  return [
    '<header class="doc">',
    `<h1>${e(t.docTitle)}</h1>`,
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

function loginBadge(l: LoginCheck, t: Strings): string {
  return l.ok ? badge('ok', t.loginOk) : badge('bad', t.loginFailed);
}

function summary(r: DryRunReport, t: Strings): string {
  const L = r.lang;
  const s = r.summary;
  const ready = r.verdict === 'ready';
  const tile = (label: string, value: string, cls = '') =>
    `<div class="tile ${cls}"><span class="label">${e(label)}</span><span class="value">${e(value)}</span></div>`;
  const est = s.estimate;
  const overview: HtmlCell[][] = r.accounts.map((a) => [
    a.id,
    { html: loginBadge(a.login.source, t) },
    { html: loginBadge(a.login.destination, t) },
    formatNumber(L, a.totals.folders),
    formatNumber(L, a.totals.messages),
    formatSize(L, a.totals.bytes),
    {
      html: [
        a.blockers ? badge('blocker', `${t.severity.blocker}: ${a.blockers}`) : '',
        a.warnings ? badge('warning', `${t.severity.warning}: ${a.warnings}`) : '',
        !a.blockers && !a.warnings ? badge('ok', t.loginOk) : '',
      ].join(' '),
    },
  ]);
  return [
    `<section id="summary">`,
    `<h2>${e(t.sections.summary)}</h2>`,
    `<div class="banner ${ready ? 'ok' : 'bad'}"><strong>${e(ready ? t.verdictReady : t.verdictBlocked(s.blockers))}</strong>` +
      `${e(ready ? t.verdictReadyText : t.verdictBlockedText)}</div>`,
    '<div class="tiles">',
    tile(t.figures.mailboxes, formatNumber(L, s.accounts)),
    tile(t.figures.folders, formatNumber(L, s.folders)),
    tile(t.figures.messages, formatNumber(L, s.messages)),
    tile(t.figures.size, formatSize(L, s.bytes)),
    tile(t.figures.period, period(L, s.oldest, s.newest) || '\u2014', 'long'),
    tile(t.figures.duration, formatDurationIn(L, est.seconds)),
    tile(t.figures.blockers, formatNumber(L, s.blockers), s.blockers ? 'bad' : ''),
    tile(t.figures.warnings, formatNumber(L, s.warnings), s.warnings ? 'warn' : ''),
    '</div>',
    `<p class="muted">${e(
      t.estimateBasis({
        throughput: formatNumber(L, Math.round(est.throughput * 10) / 10),
        basis: est.basis,
        messages: countOf(L, est.messages, 'messages'),
      }),
    )}</p>`,
    htmlTable(
      [
        t.problemHeaders.account,
        `${t.loginHeader}: ${t.side.source}`,
        `${t.loginHeader}: ${t.side.destination}`,
        t.figures.folders,
        t.figures.messages,
        t.figures.size,
        t.overviewProblems,
      ],
      overview,
      { numeric: [3, 4, 5] },
    ),
    '</section>',
  ].join('\n');
}

function problems(r: DryRunReport, t: Strings): string {
  const L = r.lang;
  const body =
    r.problems.length === 0
      ? `<p>${badge('ok', t.loginOk)} ${e(t.noProblems)}</p>`
      : htmlTable(
          [
            t.problemHeaders.severity,
            t.problemHeaders.problem,
            t.problemHeaders.account,
            t.problemHeaders.count,
            t.problemHeaders.action,
          ],
          r.problems.map((p) => {
            const text = t.problem[p.kind];
            return [
              { html: badge(p.severity, t.severity[p.severity]) },
              { html: `<strong>${e(text.title(p.params))}</strong>${itemsList(p.items, p.more, t)}` },
              p.account ?? t.allAccounts,
              { html: e(problemCount(p, L)), className: 'nowrap' },
              text.action(p.params),
            ];
          }),
          { className: 'problems' },
        );
  return [`<section id="problems">`, `<h2>${e(t.sections.problems)}</h2>`, body, '</section>'].join('\n');
}

function folderRow(row: FolderRow, t: Strings, lang: Lang): string {
  const where =
    row.action === 'copy'
      ? row.existing
        ? badge(
            (row.destinationMessages ?? 0) > 0 ? 'warning' : 'neutral',
            t.existingFolder(countOf(lang, row.destinationMessages ?? 0, 'messages')),
          )
        : badge('info', t.newFolder)
      : row.action === 'skip'
        ? badge('neutral', t.notCopied)
        : '';
  const reason = t.reason[row.reason ?? ''] ?? row.reason ?? '';
  const warn = [...row.warnings, ...(row.error ? [row.error] : [])];
  const cells = [
    `<td>${e(row.source)}</td>`,
    `<td>${e(row.action === 'copy' ? (row.destination ?? '') : row.action === 'unknown' ? t.unknownDestination : '\u2014')}</td>`,
    `<td>${e(reason)}${row.detail ? ` <span class="muted">(${e(row.detail)})</span>` : ''}${itemsList(warn, 0, t)}</td>`,
    `<td>${where}</td>`,
    `<td class="num">${e(formatNumber(lang, row.messages))}</td>`,
    `<td class="num">${e(formatSize(lang, row.bytes))}</td>`,
    `<td class="nowrap">${e(period(lang, row.oldest, row.newest))}</td>`,
  ];
  return `<tr${row.action === 'skip' ? ' class="skip"' : ''}>${cells.join('')}</tr>`;
}

function mappingTable(a: AccountReport, t: Strings, lang: Lang): string {
  if (a.folders.length === 0) return '';
  const h = t.mappingHeaders;
  const head = [h.source, h.destination, h.why, h.onDestination, h.messages, h.size, h.period];
  const numeric = new Set([4, 5]);
  const total = [
    `<td colspan="4">${e(t.totalRow)}: ${e(countOf(lang, a.totals.folders, 'folders'))}</td>`,
    `<td class="num">${e(formatNumber(lang, a.totals.messages))}</td>`,
    `<td class="num">${e(formatSize(lang, a.totals.bytes))}</td>`,
    `<td class="nowrap">${e(period(lang, a.oldest, a.newest))}</td>`,
  ].join('');
  return [
    '<table class="mapping">',
    `<thead><tr>${head.map((x, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${e(x)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...a.folders.map((row) => folderRow(row, t, lang)),
    `<tr class="total">${total}</tr>`,
    '</tbody></table>',
  ].join('\n');
}

function largestTable(list: MessageRef[], t: Strings, lang: Lang): string {
  if (list.length === 0) return '';
  const h = t.largestHeaders;
  return [
    `<h3>${e(t.largestTitle)}</h3>`,
    htmlTable(
      [h.folder, h.date, h.size, h.messageId],
      list.map((m) => [
        m.folder,
        formatDay(m.date),
        formatSize(lang, m.size),
        { html: `<code>${e(m.messageId ?? '')}</code>` },
      ]),
      { numeric: [2] },
    ),
  ].join('\n');
}

function loginLine(side: 'source' | 'destination', l: LoginCheck, user: string, t: Strings): string {
  const status = l.ok
    ? badge('ok', t.loginOk)
    : `${badge('bad', t.loginFailed)} <span class="muted">${e(l.message)}</span>`;
  return `<dt>${e(t.loginHeader)}: ${e(t.side[side])}</dt><dd>${e(user)} @ ${e(l.server)} ${status}</dd>`;
}

function account(a: AccountReport, i: number, t: Strings, lang: Lang): string {
  const lines: string[] = [
    loginLine('source', a.login.source, a.sourceUser, t),
    loginLine('destination', a.login.destination, a.destinationUser, t),
  ];
  const info = (text: string) => `<dt>&nbsp;</dt><dd>${e(text)}</dd>`;
  if (a.login.destination.ok) {
    lines.push(
      info(
        a.quota
          ? t.quotaLine({
              usage: formatSize(lang, a.quota.usage),
              limit: formatSize(lang, a.quota.limit),
              incoming: formatSize(lang, a.quota.incoming),
            })
          : t.noQuota,
      ),
    );
    lines.push(
      info(
        a.appendLimit === undefined
          ? t.noAppendLimit
          : a.appendLimit === 'per-folder'
            ? t.perFolderLimit
            : t.appendLimitLine(formatSize(lang, a.appendLimit)),
      ),
    );
  }
  if (a.alreadyCopied.messages > 0) {
    lines.push(
      info(
        t.alreadyCopiedLine({
          messages: countOf(lang, a.alreadyCopied.messages, 'messages'),
          size: formatSize(lang, a.alreadyCopied.bytes),
        }),
      ),
    );
  }
  lines.push(
    info(
      a.mapping === 'resolved'
        ? t.mappingFromResolved
        : a.mapping === 'proposed'
          ? t.mappingProposed
          : t.mappingNone,
    ),
  );
  return [
    `<section class="card" id="account-${i + 1}">`,
    `<h3>${e(a.sourceUser)}${a.destinationUser !== a.sourceUser ? ` \u2192 ${e(a.destinationUser)}` : ''}</h3>`,
    `<dl class="meta">${lines.join('')}</dl>`,
    mappingTable(a, t, lang),
    largestTable(a.largest, t, lang),
    '</section>',
  ].join('\n');
}

function addresses(rows: AddressRow[], t: Strings): string {
  const h = t.addressHeaders;
  const statusClass: Record<AddressRow['status'], string> = {
    account: 'ok',
    external: 'info',
    unmapped: 'blocker',
    loop: 'blocker',
    'unknown-target': 'warning',
  };
  const body =
    rows.length === 0
      ? `<p class="muted">${e(t.noAddresses)}</p>`
      : htmlTable(
          [h.address, h.kind, h.target, h.delivers, h.status],
          rows.map((r) => [
            r.address,
            t.addressKind[r.kind],
            r.listed ? (r.target ?? '') : t.addressFromAccounts,
            r.delivers ?? '\u2014',
            { html: badge(statusClass[r.status], t.addressStatus[r.status]) },
          ]),
        );
  return [`<section id="addresses">`, `<h2>${e(t.sections.addresses)}</h2>`, body, '</section>'].join('\n');
}

function about(r: DryRunReport, t: Strings): string {
  const paragraphs = t.about({
    version: r.version,
    seconds: formatSeconds(r.lang, r.summary.discoverySeconds),
  });
  return [
    `<footer id="about">`,
    `<h2>${e(t.sections.about)}</h2>`,
    ...paragraphs.map((p) => `<p>${e(p)}</p>`),
    '</footer>',
  ].join('\n');
}

/**
 * Renders the report as a complete HTML document in the report's language.
 * @returns the file content (UTF-8)
 */
export function renderDryRunHtml(r: DryRunReport): string {
  const t = stringsFor(r.lang);
  const body = [
    header(r, t),
    summary(r, t),
    problems(r, t),
    `<section id="accounts">`,
    `<h2>${e(t.sections.accounts)}</h2>`,
    ...r.accounts.map((a, i) => account(a, i, t, r.lang)),
    '</section>',
    addresses(r.addresses, t),
    about(r, t),
  ].join('\n');
  const title = `${t.docTitle}${r.plan.client ? ` \u2013 ${r.plan.client}` : ''}`;
  return htmlPage({ lang: r.lang, title, body, css: CSS });
}
