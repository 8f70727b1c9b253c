/**
 * The dashboard as HTML: the page shell (served once) and its live part (sent again on every
 * change over server-sent events). Everything from the state or the servers is escaped; bars are
 * `<progress>` elements and the plot is inline SVG, so the Content-Security-Policy can forbid every
 * inline style and script (server.ts). Numbers carry `data-field` attributes for tests and scripts.
 */
import { formatNumber, formatSize, type Lang } from '../core/units.js';
import { escapeHtml } from '../report/html.js';
import { dashboardTexts, type DashboardTexts } from './dashboard-texts.js';
import type { AccountPanel, Bar, DashboardSnapshot } from './snapshot.js';

const e = escapeHtml;

/** `2026-12-02T17:05:00.000Z` -> `2026-12-02 17:05:00`. */
function when(iso: string | undefined): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : '-';
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function bar(b: Bar, label: string, field: string): string {
  const max = Math.max(1, b.max);
  return `<progress data-field="${field}" value="${Math.min(b.value, max)}" max="${max}"></progress> <span class="muted">${e(label)}</span>`;
}

function card(label: string, value: string, field: string): string {
  return `<div class="card"><div class="label">${e(label)}</div><div class="value" data-total="${field}">${e(value)}</div></div>`;
}

function plot(s: DashboardSnapshot, t: DashboardTexts): string {
  const pts = s.series.points;
  if (pts.every((p) => p.messages === 0)) return `<p class="muted">${e(t.throughputNone)}</p>`;
  const W = 800;
  const H = 160;
  const perSec = pts.map((p) => p.messages / (s.series.bucketMs / 1000));
  const top = Math.max(...perSec, 1);
  const step = pts.length > 1 ? W / (pts.length - 1) : W;
  const xy = perSec.map((v, i) => `${(i * step).toFixed(1)},${(H - (v / top) * (H - 10)).toFixed(1)}`);
  const area = `0,${H} ${xy.join(' ')} ${((pts.length - 1) * step).toFixed(1)},${H}`;
  return [
    `<svg class="plot" viewBox="0 0 ${W} ${H + 20}" role="img" aria-label="${e(t.throughput)}">`,
    `<polygon points="${area}" fill="#dbeafe"/>`,
    `<polyline points="${xy.join(' ')}" fill="none" stroke="#2563eb" stroke-width="2"/>`,
    `<text x="4" y="12" font-size="11" fill="#57606a">${e(formatNumber('en', Math.round(top)))} ${e(t.perSecond)}</text>`,
    `<text x="4" y="${H + 16}" font-size="11" fill="#57606a">${e(when(new Date(pts[0]?.t ?? 0).toISOString()))}</text>`,
    `<text x="${W - 4}" y="${H + 16}" font-size="11" fill="#57606a" text-anchor="end">${e(when(new Date(pts[pts.length - 1]?.t ?? 0).toISOString()))}</text>`,
    '</svg>',
  ].join('');
}

function stateWord(a: AccountPanel, t: DashboardTexts): { word: string; cls: string } {
  const key = a.live === 'running' || a.live === 'stopped' ? a.live : a.status.status;
  const cls =
    key === 'done'
      ? 'ok'
      : key === 'stopped' || key === 'incomplete'
        ? 'bad'
        : key === 'running'
          ? 'run'
          : 'muted';
  return { word: t.state[key] ?? key, cls };
}

function accountRow(a: AccountPanel, t: DashboardTexts, lang: Lang): string {
  const st = stateWord(a, t);
  const n = (v: number) => formatNumber(lang, v);
  const last = a.lastPass
    ? t.pass(a.lastPass.number, t.passStatus[a.lastPass.status] ?? a.lastPass.status)
    : '-';
  const cells = [
    `<td>${e(a.account)}</td>`,
    `<td data-field="state"><span class="badge ${st.cls}">${e(st.word)}</span></td>`,
    `<td class="bar">${bar(a.messages, `${n(a.messages.value)} / ${n(a.messages.max)}`, 'messages')}</td>`,
    `<td class="bar">${bar(a.bytes, `${formatSize(lang, a.bytes.value)} / ${formatSize(lang, a.bytes.max)}`, 'bytes')}</td>`,
    `<td class="num" data-field="copied">${a.status.copied}</td>`,
    `<td class="num" data-field="present">${a.status.present}</td>`,
    `<td class="num" data-field="skipped">${a.status.skipped}</td>`,
    `<td class="num" data-field="failed">${a.status.failed}</td>`,
    `<td>${e(last)}${a.backoff ? `<br><span class="bad">${e(t.retryAt(a.backoff.failures, when(a.backoff.retryAt)))}</span>` : ''}</td>`,
  ];
  return `<tr data-account="${e(a.account)}">${cells.join('')}</tr>`;
}

function details(a: AccountPanel, t: DashboardTexts, lang: Lang): string {
  if (a.failures.length === 0 && a.skipped.length === 0) return '';
  const parts = [`<h3>${e(a.account)}</h3>`];
  if (a.failures.length > 0) {
    parts.push(`<p><strong>${e(t.failures)}</strong></p><ul class="failures">`);
    for (const f of a.failures)
      parts.push(
        `<li>${f.folder ? `<code>${e(f.folder)}</code>${f.uid === undefined ? '' : ` UID ${f.uid}`}: ` : ''}${e(f.reason)}</li>`,
      );
    if (a.moreFailures > 0) parts.push(`<li class="muted">${e(t.more(a.moreFailures))}</li>`);
    parts.push('</ul>');
  }
  if (a.skipped.length > 0) {
    parts.push(`<p><strong>${e(t.skippedOnPurpose)}</strong></p><ul>`);
    for (const s of a.skipped)
      parts.push(
        `<li>${e(s.reason || '-')}: ${formatNumber(lang, s.messages)} (${formatSize(lang, s.bytes)})</li>`,
      );
    parts.push('</ul>');
  }
  return parts.join('');
}

function nextPass(s: DashboardSnapshot, t: DashboardTexts): string {
  if (s.schedule?.finalDoneAt) return t.cutoverDone;
  if (!s.schedule?.nextAt) return t.noPassPlanned;
  // A pass that is due and a run going on: that pass is the one running now.
  if (s.running && Date.parse(s.schedule.nextAt) <= Date.parse(s.generatedAt)) return t.running;
  return `${when(s.schedule.nextAt)}${s.schedule.nextFinal ? ` (${t.finalPass})` : ''}`;
}

/** The live part of the page: everything that changes. */
export function liveHtml(s: DashboardSnapshot, lang: Lang): string {
  const t = dashboardTexts(lang);
  const n = (v: number) => formatNumber(lang, v);
  const status = s.schedule?.finalDoneAt ? t.cutoverDone : s.running ? t.running : t.idle;
  const parts: string[] = [
    `<p class="status"><span class="badge ${s.running ? 'run' : 'muted'}" data-total="status">${e(status)}</span>` +
      (s.schedule?.cutoverAt ? ` &middot; ${e(t.cutoverAt)}: ${e(when(s.schedule.cutoverAt))}` : '') +
      ` &middot; ${e(t.updated)}: <span data-total="generated">${e(when(s.generatedAt))}</span> (${e(t.timesUtc)})</p>`,
  ];
  if (!s.stateExists) parts.push(`<p class="muted">${e(t.noState)}</p>`);
  parts.push(
    '<div class="cards">',
    card(t.cards.messages, `${n(s.totals.messages.value)} / ${n(s.totals.messages.max)}`, 'messages'),
    card(t.cards.size, formatSize(lang, s.totals.bytes.value), 'bytes'),
    card(t.cards.rate, `${n(Math.round(s.rate.messages))} ${t.perSecond}`, 'rate'),
    card(t.cards.eta, s.etaSeconds === undefined ? '-' : duration(s.etaSeconds), 'eta'),
    card(t.cards.connections, s.connections === undefined ? '-' : n(s.connections), 'connections'),
    card(t.cards.nextPass, nextPass(s, t), 'next-pass'),
    '</div>',
    `<h2>${e(t.throughput)}</h2>`,
    plot(s, t),
    `<h2>${e(t.accounts)}</h2>`,
    '<table class="accounts"><thead><tr>',
    ...[t.headers.account, t.headers.state, t.headers.messages, t.headers.size].map(
      (h) => `<th>${e(h)}</th>`,
    ),
    ...[t.headers.copied, t.headers.present, t.headers.skipped, t.headers.failed].map(
      (h) => `<th class="num">${e(h)}</th>`,
    ),
    `<th>${e(t.headers.lastPass)}</th></tr></thead><tbody>`,
    ...s.accounts.map((a) => accountRow(a, t, lang)),
    '</tbody></table>',
    ...s.accounts.map((a) => details(a, t, lang)),
  );
  if (s.passes.length > 0) {
    const h = t.passHeaders;
    parts.push(
      `<h2>${e(t.passes)}</h2><table class="passes"><thead><tr>`,
      `<th>${e(h.number)}</th><th>${e(h.started)}</th><th>${e(h.trigger)}</th><th>${e(h.status)}</th>`,
      `<th class="num">${e(h.copied)}</th><th class="num">${e(h.failed)}</th></tr></thead><tbody>`,
      ...s.passes.map(
        (p) =>
          `<tr><td>${p.number}</td><td>${e(when(p.startedAt))}</td><td>${e(t.trigger[p.trigger] ?? p.trigger)}</td>` +
          `<td>${e(t.passStatus[p.status] ?? p.status)}</td><td class="num">${n(p.copied)}</td><td class="num">${n(p.failed)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  return parts.join('\n');
}

/** The document title for a snapshot. */
export function pageTitle(s: DashboardSnapshot, lang: Lang): string {
  return dashboardTexts(lang).title(s.plan);
}

/** The whole page: the shell around the live part, with the stylesheet and script of the server. */
export function pageHtml(s: DashboardSnapshot, lang: Lang): string {
  const t = dashboardTexts(lang);
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(pageTitle(s, lang))}</title>`,
    '<link rel="stylesheet" href="dashboard.css"><script src="dashboard.js" defer></script></head>',
    '<body>',
    `<header><h1>${e(t.title(s.plan))}</h1>${s.client ? `<p class="muted">${e(t.client)}: ${e(s.client)}</p>` : ''}`,
    '<span id="link" class="link off" title="live"></span></header>',
    `<main id="live">${liveHtml(s, lang)}</main>`,
    '</body></html>',
    '',
  ].join('\n');
}
