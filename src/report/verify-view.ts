/**
 * The verification report laid out as tables of text, in one language: the per-folder table and
 * one table per kind of finding. The console, Markdown and HTML renderers only decorate these,
 * so the three always say the same thing.
 */
import type { AccountResult, FolderResult, MessageRef, VerifyReport } from '../verify/types.js';
import { formatDate, formatSeconds, formatSize } from '../core/units.js';
import type { VerifyTexts } from './verify-texts.js';

/** A titled table of text cells. */
export interface TextTable {
  title: string;
  headers: string[];
  rows: string[][];
  /** Columns holding numbers (right-aligned where the medium allows). */
  numeric?: number[];
}

/** How a folder row ends up, for the result column and its colour. */
export type FolderOutcome = 'ok' | 'differences' | 'not-yet-copied' | 'missing' | 'neutral' | 'error';

/** One account, laid out. */
export interface AccountView {
  account: string;
  /** Login failures, account errors, folder remarks. */
  notes: string[];
  folders: TextTable & { outcomes: FolderOutcome[] };
  findings: TextTable[];
  ok: boolean;
}

/** The outcome of a folder row and the word for it. */
export function folderOutcome(f: FolderResult, t: VerifyTexts): { outcome: FolderOutcome; word: string } {
  const c = f.counts;
  if (f.status === 'error') return { outcome: 'error', word: t.folderResult.error };
  if (c.missing > 0 || c.contentDifferences > 0) {
    const word =
      f.status === 'destination-missing' ? t.folderResult['destination-missing'] : t.folderResult.missing;
    return { outcome: 'missing', word };
  }
  if (c.notYetCopied > 0) {
    const word =
      f.status === 'not-in-plan' ? t.folderResult['not-in-plan'] : t.folderResult['not-yet-copied'];
    return { outcome: 'not-yet-copied', word };
  }
  if (f.status === 'skipped-by-plan' || f.status === 'source-gone')
    return { outcome: 'neutral', word: t.folderResult[f.status] };
  if (f.status === 'destination-missing')
    return { outcome: 'ok', word: t.folderResult['destination-missing'] };
  if (c.flagDifferences > 0 || c.dateDifferences > 0)
    return { outcome: 'differences', word: t.folderResult.differences };
  return { outcome: 'ok', word: t.folderResult.ok };
}

const n = (v: number) => (v === 0 ? '-' : String(v));

function folderTable(a: AccountResult, t: VerifyTexts): AccountView['folders'] {
  const c = t.columns;
  const outcomes: FolderOutcome[] = [];
  const rows = a.folders.map((f) => {
    const { outcome, word } = folderOutcome(f, t);
    outcomes.push(outcome);
    const k = f.counts;
    const content =
      k.contentChecked > 0 ? `${k.contentChecked - k.contentDifferences}/${k.contentChecked}` : '';
    return [
      f.source,
      f.destination ?? '',
      String(k.source),
      f.status === 'compared' || f.status === 'destination-missing' ? String(k.destination) : '',
      String(k.matched),
      n(k.missing),
      n(k.notYetCopied),
      n(k.skipped),
      n(k.extra),
      n(k.flagDifferences),
      n(k.dateDifferences),
      content,
      f.detail ? `${word}: ${f.detail}` : word,
    ];
  });
  return {
    title: t.sections.folders,
    headers: [
      c.source,
      c.destination,
      c.sourceCount,
      c.destCount,
      c.matched,
      c.missing,
      c.notYetCopied,
      c.skipped,
      c.extra,
      c.flags,
      c.dates,
      c.content,
      c.result,
    ],
    rows,
    numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10],
    outcomes,
  };
}

function refCells(m: MessageRef, t: VerifyTexts): string[] {
  return [
    m.folder,
    String(m.uid),
    // UTC, said once in the report header.
    formatDate(m.date ?? m.internalDate, 'minute'),
    m.from ?? '',
    m.subject ?? '',
    formatSize(t.lang, m.size),
  ];
}

function findingTables(a: AccountResult, t: VerifyTexts): TextTable[] {
  const f = t.fields;
  const refHeaders = [f.folder, f.uid, f.date, f.from, f.subject, f.size];
  const all = <T>(pick: (x: FolderResult) => T[]) => a.folders.flatMap(pick);
  const tables: TextTable[] = [
    {
      title: t.sections.missing,
      headers: [...refHeaders, f.why],
      rows: all((x) => x.missing).map((m) => [
        ...refCells(m, t),
        t.missingCause(m.cause, m.recordedDestUid, m.reason),
      ]),
    },
    {
      title: t.sections.content,
      headers: [...refHeaders, f.destUid, f.why],
      rows: all((x) => x.contentDifferences).map((d) => [
        ...refCells(d.source, t),
        String(d.destUid),
        t.sha(d.sourceSha256, d.destSha256),
      ]),
    },
    {
      title: t.sections.notYetCopied,
      headers: refHeaders,
      rows: all((x) => x.notYetCopied).map((m) => refCells(m, t)),
    },
    {
      title: t.sections.flags,
      headers: [...refHeaders, f.destUid, f.onlyOnSource, f.onlyOnDestination, f.changedOn],
      rows: all((x) => x.flagDifferences).map((d) => [
        ...refCells(d.source, t),
        String(d.destUid),
        d.onlyOnSource.join(' '),
        d.onlyOnDestination.join(' '),
        t.changedOn[d.changedOn],
      ]),
    },
    {
      title: t.sections.dates,
      headers: [...refHeaders, f.destUid, f.sourceDate, f.destDate],
      rows: all((x) => x.dateDifferences).map((d) => [
        ...refCells(d.source, t),
        String(d.destUid),
        formatDate(d.sourceDate, 'second'),
        formatDate(d.destDate, 'second'),
      ]),
    },
    {
      title: t.sections.skipped,
      headers: [...refHeaders, f.why],
      rows: all((x) => x.skipped).map((s) => [...refCells(s, t), s.reason]),
    },
    {
      title: t.sections.extra,
      headers: [...refHeaders, f.why],
      rows: all((x) => x.extra).map((e) => [...refCells(e, t), t.extraCause(e.cause, e.sourceUid)]),
    },
  ];
  return tables.filter((x) => x.rows.length > 0);
}

/** Lays out one account. */
export function accountView(a: AccountResult, t: VerifyTexts): AccountView {
  const notes: string[] = [];
  if (!a.sourceLogin.ok) notes.push(t.sourceLoginFailed(a.sourceLogin.error));
  if (!a.destinationLogin.ok)
    notes.push(t.destinationLoginFailed(a.destinationUser, a.destinationLogin.error));
  if (a.error && a.sourceLogin.ok && a.destinationLogin.ok) notes.push(t.accountError(a.error));
  for (const f of a.folders) {
    if (f.mergedWith) notes.push(t.mergedWith(f.source, f.mergedWith, f.destination ?? ''));
    if (f.lastCopiedTo !== undefined)
      notes.push(t.lastCopiedTo(f.source, f.lastCopiedTo, f.destination ?? ''));
  }
  const folders = folderTable(a, t);
  const ok = !a.error && folders.outcomes.every((o) => o === 'ok' || o === 'neutral' || o === 'differences');
  return { account: a.account, notes, folders, findings: findingTables(a, t), ok };
}

/** The address table, or undefined when the plan lists none. */
export function addressTable(r: VerifyReport, t: VerifyTexts): TextTable | undefined {
  if (r.addresses.length === 0) return undefined;
  return {
    title: t.sections.addresses,
    headers: [t.fields.address, t.fields.kind, t.fields.goesTo],
    rows: r.addresses.map((a) => [a.address, t.addressKind[a.kind], a.destination ?? t.noDestination]),
  };
}

/** The totals of the whole verification as a two-column table. */
export function totalsTable(r: VerifyReport, t: VerifyTexts): TextTable {
  const x = r.totals;
  const l = t.totals;
  const rows: [string, string][] = [
    [l.accounts, `${x.accounts} (${x.accountsFailed})`],
    [l.folders, `${x.folders} (${x.foldersMissing})`],
    [l.source, String(x.source)],
    [l.destination, String(x.destination)],
    [l.matched, String(x.matched)],
    [l.missing, String(x.missing)],
    [l.notYetCopied, String(x.notYetCopied)],
    [l.skipped, String(x.skipped)],
    [l.extra, String(x.extra)],
    [l.flagDifferences, String(x.flagDifferences)],
    [l.dateDifferences, String(x.dateDifferences)],
  ];
  if (r.mode.kind !== 'headers') {
    rows.push(
      [l.contentChecked, String(x.contentChecked)],
      [l.contentDifferences, String(x.contentDifferences)],
    );
  }
  return { title: t.summary, headers: ['', ''], rows, numeric: [1] };
}

/** The report's header lines: plan, client, date, duration, mode. */
export function headerLines(r: VerifyReport, t: VerifyTexts): [string, string][] {
  return [
    [t.plan, r.plan],
    ...(r.client ? ([[t.client, r.client]] as [string, string][]) : []),
    [t.generated, `${formatDate(r.generatedAt, 'minute')} UTC`],
    [t.duration, formatSeconds(t.lang, r.seconds)],
    [t.modeLabel, t.mode(r.mode)],
  ];
}
