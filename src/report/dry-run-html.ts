/**
 * The dry-run report as one self-contained HTML file for the client: no script, no external
 * resource, readable on screen and printable to PDF. Sections (ids are stable, tests look for
 * them): summary, problems, accounts, addresses, about. What it says comes from the view
 * (dry-run-view.ts); this file escapes it and gives it badges, tiles and tables.
 */
import type { DryRunReport } from './dry-run-model.js';
import {
  dryRunView,
  type AccountView,
  type DryRunView,
  type FigureKey,
  type FolderRowView,
  type LoginView,
  type Tone,
} from './dry-run-view.js';
import { escapeHtml, htmlPage, htmlTable, type HtmlCell } from './html.js';

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

/** Summary tiles, in order; the period is long, so its tile gets a smaller font. */
const TILES: readonly FigureKey[] = [
  'mailboxes',
  'folders',
  'messages',
  'size',
  'period',
  'duration',
  'blockers',
  'warnings',
];

/** The class of a summary tile's figure by its tone (the badges use the tone itself). */
const TILE_CLASS: Partial<Record<Tone, string>> = { blocker: 'bad', warning: 'warn' };

function badge(cls: string, text: string): string {
  return `<span class="badge ${e(cls)}">${e(text)}</span>`;
}

function itemsList(items: string[], more?: string): string {
  if (items.length === 0) return '';
  const lines = items.map((i) => `<li>${e(i)}</li>`);
  if (more) lines.push(`<li>${e(more)}</li>`);
  return `<ul class="items">${lines.join('')}</ul>`;
}

/** A top-level section: its id (HTML_SECTIONS), its heading and its content. */
function section(id: (typeof HTML_SECTIONS)[number], title: string, ...content: string[]): string {
  return [`<section id="${id}">`, `<h2>${e(title)}</h2>`, ...content, '</section>'].join('\n');
}

function header(v: DryRunView): string {
  return [
    '<header class="doc">',
    `<h1>${e(v.t.docTitle)}</h1>`,
    `<dl class="meta">${v.meta.map((x) => `<dt>${e(x.label)}</dt><dd>${e(x.value)}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

function loginBadge(l: LoginView): string {
  return badge(l.ok ? 'ok' : 'bad', l.text);
}

function tile(key: FigureKey, v: DryRunView): string {
  const f = v.figures[key];
  const cls = key === 'period' ? 'long' : f.tone ? (TILE_CLASS[f.tone] ?? '') : '';
  // An empty figure keeps its tile's height with a dash.
  const value = f.value || '\u2014';
  return `<div class="tile ${cls}"><span class="label">${e(f.label)}</span><span class="value">${e(value)}</span></div>`;
}

function summary(v: DryRunView): string {
  const t = v.t;
  const overview: HtmlCell[][] = v.overview.map((a) => [
    a.account,
    { html: loginBadge(a.login.source) },
    { html: loginBadge(a.login.destination) },
    a.folders,
    a.messages,
    a.size,
    { html: a.problems.map((p) => badge(p.tone, p.text)).join(' ') },
  ]);
  return section(
    'summary',
    t.sections.summary,
    `<div class="banner ${v.verdict.ready ? 'ok' : 'bad'}"><strong>${e(v.verdict.headline)}</strong>` +
      `${e(v.verdict.text)}</div>`,
    '<div class="tiles">',
    ...TILES.map((k) => tile(k, v)),
    '</div>',
    `<p class="muted">${e(v.estimateBasis)}</p>`,
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
  );
}

function problems(v: DryRunView): string {
  const t = v.t;
  const h = t.problemHeaders;
  const body =
    v.problems.length === 0
      ? `<p>${badge('ok', t.loginOk)} ${e(t.noProblems)}</p>`
      : htmlTable(
          [h.severity, h.problem, h.account, h.count, h.action],
          v.problems.map((p) => [
            { html: badge(p.severity, p.severityText) },
            { html: `<strong>${e(p.title)}</strong>${itemsList(p.items, p.more)}` },
            p.accountText,
            { html: e(p.count), className: 'nowrap' },
            p.action,
          ]),
          { className: 'problems' },
        );
  return section('problems', t.sections.problems, body);
}

function folderRow(row: FolderRowView): string {
  const cells = [
    `<td>${e(row.source)}</td>`,
    `<td>${e(row.destination)}</td>`,
    `<td>${e(row.reason)}${row.detail ? ` <span class="muted">(${e(row.detail)})</span>` : ''}${itemsList(row.warnings)}</td>`,
    `<td>${row.where ? badge(row.where.tone, row.where.text) : ''}</td>`,
    `<td class="num">${e(row.messages)}</td>`,
    `<td class="num">${e(row.size)}</td>`,
    `<td class="nowrap">${e(row.period)}</td>`,
  ];
  return `<tr${row.skipped ? ' class="skip"' : ''}>${cells.join('')}</tr>`;
}

function mappingTable(a: AccountView, v: DryRunView): string {
  if (a.folders.length === 0) return '';
  const h = v.t.mappingHeaders;
  const head = [h.source, h.destination, h.why, h.onDestination, h.messages, h.size, h.period];
  const numeric = new Set([4, 5]);
  const total = [
    `<td colspan="4">${e(a.total.label)}: ${e(a.total.folders)}</td>`,
    `<td class="num">${e(a.total.messages)}</td>`,
    `<td class="num">${e(a.total.size)}</td>`,
    `<td class="nowrap">${e(a.total.period)}</td>`,
  ].join('');
  return [
    '<table class="mapping">',
    `<thead><tr>${head.map((x, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${e(x)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...a.folders.map(folderRow),
    `<tr class="total">${total}</tr>`,
    '</tbody></table>',
  ].join('\n');
}

function largestTable(a: AccountView, v: DryRunView): string {
  if (a.largest.length === 0) return '';
  const h = v.t.largestHeaders;
  return [
    `<h3>${e(v.t.largestTitle)}</h3>`,
    htmlTable(
      [h.folder, h.date, h.size, h.messageId],
      a.largest.map((m) => [m.folder, m.date, m.size, { html: `<code>${e(m.messageId)}</code>` }]),
      { numeric: [2] },
    ),
  ].join('\n');
}

function loginLine(l: LoginView): string {
  const status = l.ok ? loginBadge(l) : `${loginBadge(l)} <span class="muted">${e(l.message ?? '')}</span>`;
  return `<dt>${e(l.label)}</dt><dd>${e(l.user)} @ ${e(l.server)} ${status}</dd>`;
}

function account(a: AccountView, i: number, v: DryRunView): string {
  const lines = [...a.logins.map(loginLine), ...a.notes.map((text) => `<dt>&nbsp;</dt><dd>${e(text)}</dd>`)];
  return [
    `<section class="card" id="account-${i + 1}">`,
    `<h3>${e(a.heading)}</h3>`,
    `<dl class="meta">${lines.join('')}</dl>`,
    mappingTable(a, v),
    largestTable(a, v),
    '</section>',
  ].join('\n');
}

function addresses(v: DryRunView): string {
  const t = v.t;
  const h = t.addressHeaders;
  const body =
    v.addresses.length === 0
      ? `<p class="muted">${e(t.noAddresses)}</p>`
      : htmlTable(
          [h.address, h.kind, h.target, h.delivers, h.status],
          v.addresses.map((r) => [
            r.address,
            r.kind,
            r.target,
            r.delivers,
            { html: badge(r.status.tone, r.status.text) },
          ]),
        );
  return section('addresses', t.sections.addresses, body);
}

function about(v: DryRunView): string {
  return [
    `<footer id="about">`,
    `<h2>${e(v.t.sections.about)}</h2>`,
    ...v.about.map((p) => `<p>${e(p)}</p>`),
    '</footer>',
  ].join('\n');
}

/**
 * Renders the report as a complete HTML document in the report's language.
 * @returns the file content (UTF-8)
 */
export function renderDryRunHtml(r: DryRunReport): string {
  const v = dryRunView(r);
  const body = [
    header(v),
    summary(v),
    problems(v),
    section('accounts', v.t.sections.accounts, ...v.accounts.map((a, i) => account(a, i, v))),
    addresses(v),
    about(v),
  ].join('\n');
  return htmlPage({ lang: v.lang, title: v.title, body, css: CSS });
}
