/**
 * The handover report laid out as text in one language: header lines, the verdict, the totals,
 * and per mailbox its facts, what was left out and its failures. The HTML and Markdown renderers
 * only decorate this, so the two always say the same thing.
 */
import { formatNumber, formatSize } from '../core/units.js';
import type { HandoverReport, HandoverVerdict } from './handover-model.js';
import { countAndSize, handoverTexts, skipReason } from './handover-texts.js';

/** One mailbox, laid out. */
export interface HandoverAccountView {
  account: string;
  ok: boolean;
  facts: [string, string][];
  skipped: string[];
  failures: { headers: [string, string, string]; rows: [string, string, string][] };
}

/** The report, laid out. */
export interface HandoverView {
  title: string;
  header: [string, string][];
  verdict: HandoverVerdict;
  verdictWord: string;
  verdictLine: string;
  totals: [string, string][];
  accountsTitle: string;
  accounts: HandoverAccountView[];
  skippedTitle: string;
  failuresTitle: string;
  noFailures: string;
  aboutTitle: string;
  about: string[];
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

/** Lays out a handover report in its language. */
export function handoverView(r: HandoverReport): HandoverView {
  const t = handoverTexts(r.lang);
  const num = (v: number) => formatNumber(r.lang, v);
  const h = t.header;
  const header: [string, string][] = [
    ...(r.client ? [[h.client, r.client] as [string, string]] : []),
    [h.plan, r.plan],
    [h.generated, day(r.generatedAt)],
    ...(r.cutoverAt ? [[h.cutover, day(r.cutoverAt)] as [string, string]] : []),
    ...(r.firstPassAt ? [[h.firstPass, day(r.firstPassAt)] as [string, string]] : []),
    ...(r.finalPassAt ? [[h.finalPass, day(r.finalPassAt)] as [string, string]] : []),
    ...(r.passes > 0 ? [[h.passes, num(r.passes)] as [string, string]] : []),
  ];
  const tt = t.totals;
  const totals: [string, string][] = [
    [tt.accounts, num(r.totals.accounts)],
    [tt.copied, num(r.totals.copied)],
    [tt.size, formatSize(r.lang, r.totals.bytes)],
    [tt.present, num(r.totals.present)],
    [tt.skipped, num(r.totals.skipped)],
    [tt.failed, num(r.totals.failed)],
  ];
  const accounts = r.accounts.map((a): HandoverAccountView => {
    const details = t.checkDetails(a.check);
    const check = `${t.check[a.check.verdict]}${details ? ` (${details})` : ''}${a.check.error ? `: ${a.check.error}` : ''}`;
    const ta = t.account;
    return {
      account: a.account,
      ok: a.check.verdict === 'passed' && !a.failures.some((f) => f.action === 'still-stopped'),
      facts: [
        [ta.destination, a.destinationUser],
        [ta.status, t.status[a.status] ?? a.status],
        [ta.copied, countAndSize(r.lang, a.copied, a.bytes)],
        [ta.present, num(a.present)],
        [ta.skipped, num(a.skipped)],
        [ta.failed, num(a.failed)],
        [
          ta.lastPass,
          a.lastPass !== undefined ? `${t.passOf(a.lastPass)}, ${day(a.lastPassAt)}` : day(a.lastPassAt),
        ],
        [ta.check, check],
      ],
      skipped: a.skippedByReason.map(
        (s) => `${skipReason(t, s.reason) || '-'}: ${countAndSize(r.lang, s.messages, s.bytes)}`,
      ),
      failures: {
        headers: [t.failureHeaders.what, t.failureHeaders.reason, t.failureHeaders.done],
        rows: a.failures.map((f) => [t.failureWhat(f), f.reason, t.action[f.action](f)]),
      },
    };
  });
  return {
    title: t.title,
    header,
    verdict: r.verdict,
    verdictWord: t.verdictWord[r.verdict],
    verdictLine: t.verdictLine[r.verdict],
    totals,
    accountsTitle: t.sections.accounts,
    accounts,
    skippedTitle: t.skippedTitle,
    failuresTitle: t.failuresTitle,
    noFailures: t.noFailures,
    aboutTitle: t.sections.about,
    about: t.about({ mode: t.mode[r.verify.mode] ?? r.verify.mode, verified: day(r.verify.generatedAt) }),
  };
}
