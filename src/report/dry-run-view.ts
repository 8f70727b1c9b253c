/**
 * The dry-run report laid out as text, in one language: every figure, sentence and table row the
 * HTML, Markdown and console renderers show, computed once here from the report object. The
 * renderers only escape and arrange these for their medium, so the three say the same thing.
 */
import {
  formatDate,
  formatDuration,
  formatNumber,
  formatSeconds,
  formatSize,
  type Lang,
} from '../core/units.js';
import type {
  AccountReport,
  AddressRow,
  DryRunReport,
  FolderRow,
  LoginCheck,
  Problem,
} from './dry-run-model.js';
import { countOf, stringsFor, type Strings } from './dry-run-texts.js';

/** How a cell or badge reads at a glance; each medium shows it its own way (colour, bold, nothing). */
export type Tone = 'ok' | 'info' | 'neutral' | 'warning' | 'blocker';

/** A figure of the summary with its label. */
export interface Figure {
  label: string;
  value: string;
  tone?: Tone;
}

/** The figures of the summary, by name. */
export type FigureKey =
  'mailboxes' | 'folders' | 'messages' | 'size' | 'period' | 'duration' | 'blockers' | 'warnings';

/** One row of the per-account overview. */
export interface OverviewRow {
  account: string;
  login: { source: LoginView; destination: LoginView };
  folders: string;
  messages: string;
  size: string;
  /** "Blocker: 2", "Warning: 1", or "OK" when the account is clean. */
  problems: { text: string; tone: Tone }[];
}

/** One problem, in words. */
export interface ProblemView {
  kind: Problem['kind'];
  severity: Problem['severity'];
  severityText: string;
  title: string;
  /** The account concerned, or undefined for plan-wide problems. */
  account?: string;
  /** The account, or the word for "all". */
  accountText: string;
  /** "3 messages (1.5 MB)", "2 MB", or a dash. */
  count: string;
  action: string;
  items: string[];
  /** "... and 4 more" when items were left out. */
  more?: string;
}

/** One side's login check of an account. */
export interface LoginView {
  /** "Login: Old server". */
  label: string;
  user: string;
  server: string;
  ok: boolean;
  /** "OK" or "refused". */
  text: string;
  /** The server's or mailshift's words when it failed. */
  message?: string;
}

/** One source folder's row of the mapping table. */
export interface FolderRowView {
  source: string;
  destination: string;
  /** Why it goes there, or why not. */
  reason: string;
  detail?: string;
  /** Mapping warnings and the folder's read error. */
  warnings: string[];
  /** New, existing (with its messages) or not copied; undefined while the destination is unknown. */
  where?: { text: string; tone: Tone };
  skipped: boolean;
  messages: string;
  size: string;
  period: string;
}

/** One mailbox of the plan, laid out. */
export interface AccountView {
  /** "old@x -> new@y", or the one user when both are the same. */
  heading: string;
  logins: LoginView[];
  /** Quota, size limit, earlier runs, where the mapping came from. */
  notes: string[];
  folders: FolderRowView[];
  total: { label: string; folders: string; messages: string; size: string; period: string };
  largest: { folder: string; date: string; size: string; messageId: string }[];
}

/** One address of the plan, laid out. */
export interface AddressView {
  address: string;
  kind: string;
  target: string;
  delivers: string;
  status: { text: string; tone: Tone };
}

/** The whole dry-run report, laid out in one language. */
export interface DryRunView {
  /** The language of every word and figure below. */
  lang: Lang;
  /** The words of the language, for headings and fixed phrases. */
  t: Strings;
  /** Document title: the report's title and the client. */
  title: string;
  /** Client (when the plan names one), servers, plan and time. */
  meta: { key: 'client' | 'source' | 'destination' | 'plan' | 'generated'; label: string; value: string }[];
  verdict: { ready: boolean; headline: string; text: string };
  figures: Record<FigureKey, Figure>;
  /** Folders the plan leaves out, over all accounts. */
  foldersSkipped: string;
  /** First and last day of the mail to copy ('' when there is none). */
  span: { from: string; to: string };
  estimate: { messages: string; throughput: string; basis: DryRunReport['summary']['estimate']['basis'] };
  /** How the estimate was made, as a sentence. */
  estimateBasis: string;
  overview: OverviewRow[];
  problems: ProblemView[];
  accounts: AccountView[];
  addresses: AddressView[];
  /** How long reading both servers took. */
  discovery: string;
  about: string[];
}

/** "2024-01-05 \u2013 2024-03-02", one day when both ends are the same, '' when unknown. */
export function period(oldest?: string, newest?: string): string {
  if (!oldest && !newest) return '';
  const a = formatDate(oldest);
  const b = formatDate(newest);
  return a === b ? a : `${a} \u2013 ${b}`;
}

/** The "how many" of a problem in words. */
export function problemCount(p: Problem, lang: Lang): string {
  if (p.unit === 'bytes') return formatSize(lang, p.count);
  if (p.count === 0) return '\u2014';
  const text = countOf(lang, p.count, p.unit);
  return p.bytes !== undefined && p.unit === 'messages' ? `${text} (${formatSize(lang, p.bytes)})` : text;
}

function problemView(p: Problem, t: Strings, lang: Lang): ProblemView {
  const text = t.problem[p.kind];
  return {
    kind: p.kind,
    severity: p.severity,
    severityText: t.severity[p.severity],
    title: text.title(p.params),
    ...(p.account !== undefined ? { account: p.account } : {}),
    accountText: p.account ?? t.allAccounts,
    count: problemCount(p, lang),
    action: text.action(p.params),
    items: p.items,
    ...(p.more > 0 ? { more: t.andMore(p.more) } : {}),
  };
}

function loginView(side: 'source' | 'destination', l: LoginCheck, user: string, t: Strings): LoginView {
  return {
    label: `${t.loginHeader}: ${t.side[side]}`,
    user,
    server: l.server,
    ok: l.ok,
    text: l.ok ? t.loginOk : t.loginFailed,
    ...(l.ok ? {} : { message: l.message }),
  };
}

function logins(a: AccountReport, t: Strings): { source: LoginView; destination: LoginView } {
  return {
    source: loginView('source', a.login.source, a.sourceUser, t),
    destination: loginView('destination', a.login.destination, a.destinationUser, t),
  };
}

function where(row: FolderRow, t: Strings, lang: Lang): FolderRowView['where'] {
  if (row.action === 'skip') return { text: t.notCopied, tone: 'neutral' };
  if (row.action !== 'copy') return undefined;
  if (!row.existing) return { text: t.newFolder, tone: 'info' };
  const messages = row.destinationMessages ?? 0;
  return {
    text: t.existingFolder(countOf(lang, messages, 'messages')),
    tone: messages > 0 ? 'warning' : 'neutral',
  };
}

function folderRowView(row: FolderRow, t: Strings, lang: Lang): FolderRowView {
  const w = where(row, t, lang);
  return {
    source: row.source,
    destination:
      row.action === 'copy'
        ? (row.destination ?? '')
        : row.action === 'unknown'
          ? t.unknownDestination
          : '\u2014',
    reason: t.reason[row.reason ?? ''] ?? row.reason ?? '',
    ...(row.detail ? { detail: row.detail } : {}),
    warnings: [...row.warnings, ...(row.error ? [row.error] : [])],
    ...(w ? { where: w } : {}),
    skipped: row.action === 'skip',
    messages: formatNumber(lang, row.messages),
    size: formatSize(lang, row.bytes),
    period: period(row.oldest, row.newest),
  };
}

/** The lines under an account's logins: space, size limit, earlier runs, mapping source. */
function accountNotes(a: AccountReport, t: Strings, lang: Lang): string[] {
  const notes: string[] = [];
  if (a.login.destination.ok) {
    notes.push(
      a.quota
        ? t.quotaLine({
            usage: formatSize(lang, a.quota.usage),
            limit: formatSize(lang, a.quota.limit),
            incoming: formatSize(lang, a.quota.incoming),
          })
        : t.noQuota,
      a.appendLimit === undefined
        ? t.noAppendLimit
        : a.appendLimit === 'per-folder'
          ? t.perFolderLimit
          : t.appendLimitLine(formatSize(lang, a.appendLimit)),
    );
  }
  if (a.alreadyCopied.messages > 0) {
    notes.push(
      t.alreadyCopiedLine({
        messages: countOf(lang, a.alreadyCopied.messages, 'messages'),
        size: formatSize(lang, a.alreadyCopied.bytes),
      }),
    );
  }
  notes.push(
    a.mapping === 'resolved'
      ? t.mappingFromResolved
      : a.mapping === 'proposed'
        ? t.mappingProposed
        : t.mappingNone,
  );
  notes.push(...providerNotes(a, t, lang), ...gmailNotes(a, t, lang));
  return notes;
}

/** Which provider preset applies to each side, and what it set (or left to the plan). */
function providerNotes(a: AccountReport, t: Strings, lang: Lang): string[] {
  return (a.providers ?? []).flatMap((p) => {
    const settings = p.settings
      .map((x) => {
        const value = /Size|PerDay/.test(x.field) ? formatSize(lang, x.value) : formatNumber(lang, x.value);
        return `${x.field} ${value} (${x.from === 'plan' ? 'plan' : 'preset'})`;
      })
      .join(', ');
    return [
      t.providerLine({ side: t.side[p.side], provider: t.providerNames[p.provider], by: p.by, settings }),
      ...p.pendingRepairs.map(t.pendingRepairLine),
    ];
  });
}

/** A Gmail source: its labels, the archived-only mail, the label mode and its cost. */
function gmailNotes(a: AccountReport, t: Strings, lang: Lang): string[] {
  const g = a.gmail;
  if (!g) return [];
  const volume = (v: { messages: number; bytes: number }) =>
    `${countOf(lang, v.messages, 'messages')} (${formatSize(lang, v.bytes)})`;
  const notes = [
    t.gmailLabelsLine({
      labels: countOf(lang, g.labels.length, 'folders'),
      multi: countOf(lang, g.multiLabelled, 'messages'),
      matchedBy: g.matchedBy,
      mode: t.labelMode[g.labelMode],
      folders: volume(g.modes.folders),
      oneCopy: volume(g.modes.oneCopy),
    }),
    t.gmailArchivedLine({
      messages: countOf(lang, g.archivedOnly.messages, 'messages'),
      size: formatSize(lang, g.archivedOnly.bytes),
      destination: g.archivedOnly.destination ?? '\u2014',
    }),
  ];
  if (g.important > 0) notes.push(t.gmailImportantLine(countOf(lang, g.important, 'messages')));
  if (g.spam || g.trash) {
    notes.push(
      t.gmailSpamTrashLine({
        spam: g.spam ? volume(g.spam) : '\u2014',
        trash: g.trash ? volume(g.trash) : '\u2014',
      }),
    );
  }
  return notes;
}

function accountView(a: AccountReport, t: Strings, lang: Lang): AccountView {
  const l = logins(a, t);
  return {
    heading:
      a.destinationUser !== a.sourceUser ? `${a.sourceUser} \u2192 ${a.destinationUser}` : a.sourceUser,
    logins: [l.source, l.destination],
    notes: accountNotes(a, t, lang),
    folders: a.folders.map((row) => folderRowView(row, t, lang)),
    total: {
      label: t.totalRow,
      folders: countOf(lang, a.totals.folders, 'folders'),
      messages: formatNumber(lang, a.totals.messages),
      size: formatSize(lang, a.totals.bytes),
      period: period(a.oldest, a.newest),
    },
    largest: a.largest.map((m) => ({
      folder: m.folder,
      date: formatDate(m.date),
      size: formatSize(lang, m.size),
      messageId: m.messageId ?? '',
    })),
  };
}

function overviewRow(a: AccountReport, t: Strings, lang: Lang): OverviewRow {
  const problems: OverviewRow['problems'] = [];
  if (a.blockers) problems.push({ text: `${t.severity.blocker}: ${a.blockers}`, tone: 'blocker' });
  if (a.warnings) problems.push({ text: `${t.severity.warning}: ${a.warnings}`, tone: 'warning' });
  if (problems.length === 0) problems.push({ text: t.loginOk, tone: 'ok' });
  return {
    account: a.id,
    login: logins(a, t),
    folders: formatNumber(lang, a.totals.folders),
    messages: formatNumber(lang, a.totals.messages),
    size: formatSize(lang, a.totals.bytes),
    problems,
  };
}

const ADDRESS_TONE: Record<AddressRow['status'], Tone> = {
  account: 'ok',
  external: 'info',
  unmapped: 'blocker',
  loop: 'blocker',
  'unknown-target': 'warning',
};

function addressView(r: AddressRow, t: Strings): AddressView {
  return {
    address: r.address,
    kind: t.addressKind[r.kind],
    target: r.listed ? (r.target ?? '') : t.addressFromAccounts,
    delivers: r.delivers ?? '\u2014',
    status: { text: t.addressStatus[r.status], tone: ADDRESS_TONE[r.status] },
  };
}

function figures(r: DryRunReport, t: Strings, lang: Lang): Record<FigureKey, Figure> {
  const s = r.summary;
  const f = t.figures;
  const n = (v: number) => formatNumber(lang, v);
  return {
    mailboxes: { label: f.mailboxes, value: n(s.accounts) },
    folders: { label: f.folders, value: n(s.folders) },
    messages: { label: f.messages, value: n(s.messages) },
    size: { label: f.size, value: formatSize(lang, s.bytes) },
    period: { label: f.period, value: period(s.oldest, s.newest) },
    duration: { label: f.duration, value: formatDuration(lang, s.estimate.seconds) },
    blockers: { label: f.blockers, value: n(s.blockers), ...(s.blockers ? { tone: 'blocker' } : {}) },
    warnings: { label: f.warnings, value: n(s.warnings), ...(s.warnings ? { tone: 'warning' } : {}) },
  };
}

/**
 * Lays out the report.
 * @param lang the language of the words and figures: the report's own by default (the console
 *   passes English, as the whole CLI speaks it)
 */
export function dryRunView(r: DryRunReport, lang: Lang = r.lang): DryRunView {
  const t = stringsFor(lang);
  const s = r.summary;
  const est = s.estimate;
  const ready = r.verdict === 'ready';
  const estimate = {
    messages: countOf(lang, est.messages, 'messages'),
    throughput: formatNumber(lang, Math.round(est.throughput * 10) / 10),
    basis: est.basis,
  };
  return {
    lang,
    t,
    title: `${t.docTitle}${r.plan.client ? ` \u2013 ${r.plan.client}` : ''}`,
    meta: [
      ...(r.plan.client ? [{ key: 'client' as const, label: t.preparedFor, value: r.plan.client }] : []),
      { key: 'source', label: t.sourceServer, value: r.plan.source },
      { key: 'destination', label: t.destinationServer, value: r.plan.destination },
      { key: 'plan', label: t.plan, value: r.plan.name },
      { key: 'generated', label: t.generated, value: `${formatDate(r.generatedAt, 'minute')} UTC` },
    ],
    verdict: {
      ready,
      headline: ready ? t.verdictReady : t.verdictBlocked(s.blockers),
      text: ready ? t.verdictReadyText : t.verdictBlockedText,
    },
    figures: figures(r, t, lang),
    foldersSkipped: formatNumber(lang, s.foldersSkipped),
    span: { from: formatDate(s.oldest), to: formatDate(s.newest) },
    estimate,
    estimateBasis: t.estimateBasis(estimate),
    overview: r.accounts.map((a) => overviewRow(a, t, lang)),
    problems: r.problems.map((p) => problemView(p, t, lang)),
    accounts: r.accounts.map((a) => accountView(a, t, lang)),
    addresses: r.addresses.map((a) => addressView(a, t)),
    discovery: formatSeconds(lang, s.discoverySeconds),
    about: t.about({ version: r.version, seconds: formatSeconds(lang, s.discoverySeconds) }),
  };
}
