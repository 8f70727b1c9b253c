/**
 * The words of the verification report, in Polish and English. Every sentence the client reads
 * lives here, so the two languages stay side by side and complete (the type makes a missing one a
 * compile error). Message details (folder names, subjects, server errors) stay as they are.
 */
import type {
  ExtraCause,
  FlagChangeSide,
  FolderStatusKind,
  MissingCause,
  Verdict,
  VerifyMode,
  VerifyTotals,
} from '../verify/types.js';
import type { Lang } from '../core/units.js';

/** The kinds of finding: each has a column in the folder table and a section of its own. */
type FindingKind = 'missing' | 'notYetCopied' | 'skipped' | 'extra' | 'flags' | 'dates' | 'content';

/** Every text of the verification report in one language. */
export interface VerifyTexts {
  /** The language, for the figures written with these words (core/units.ts). */
  lang: Lang;
  title: string;
  plan: string;
  client: string;
  generated: string;
  duration: string;
  modeLabel: string;
  mode: (m: VerifyMode) => string;
  verdictWord: Record<Verdict, string>;
  verdictLine: (v: Verdict, t: VerifyTotals) => string;
  summary: string;
  totals: {
    accounts: string;
    folders: string;
    source: string;
    destination: string;
    matched: string;
    missing: string;
    notYetCopied: string;
    skipped: string;
    extra: string;
    flagDifferences: string;
    dateDifferences: string;
    contentChecked: string;
    contentDifferences: string;
  };
  timesUtc: string;
  /** The folder table's columns: one per kind of finding, besides names, counts and result. */
  columns: Record<
    FindingKind | 'source' | 'destination' | 'sourceCount' | 'destCount' | 'matched' | 'result',
    string
  >;
  folderResult: Record<FolderStatusKind | 'ok' | 'missing' | 'not-yet-copied' | 'differences', string>;
  /** Section titles: one per kind of finding, besides accounts, folders, addresses and notes. */
  sections: Record<FindingKind | 'accounts' | 'folders' | 'addresses' | 'notes', string>;
  fields: {
    folder: string;
    uid: string;
    destUid: string;
    date: string;
    from: string;
    subject: string;
    size: string;
    why: string;
    onlyOnSource: string;
    onlyOnDestination: string;
    changedOn: string;
    sourceDate: string;
    destDate: string;
    address: string;
    kind: string;
    goesTo: string;
  };
  missingCause: (cause: MissingCause, recordedDestUid?: number, reason?: string) => string;
  extraCause: (cause: ExtraCause, sourceUid?: number) => string;
  changedOn: Record<FlagChangeSide, string>;
  sha: (source: string, dest: string) => string;
  sourceLoginFailed: (error: string) => string;
  destinationLoginFailed: (user: string, error: string) => string;
  accountError: (error: string) => string;
  mergedWith: (folder: string, others: string[], destination: string) => string;
  lastCopiedTo: (folder: string, last: string, now: string) => string;
  noDestination: string;
  addressKind: Record<'mailbox' | 'alias' | 'forward', string>;
  noAddresses: string;
  accountLine: (folders: number, messages: number, ok: boolean) => string;
  more: (n: number) => string;
  reportsWritten: string;
}

const pl: VerifyTexts = {
  lang: 'pl',
  title: 'Raport weryfikacji migracji poczty',
  plan: 'Plan',
  client: 'Klient',
  generated: 'Sporz\u0105dzono',
  duration: 'Czas weryfikacji',
  modeLabel: 'Rodzaj weryfikacji',
  mode: (m) =>
    m.kind === 'headers'
      ? 'zwyk\u0142a (liczby, identyfikatory, flagi i daty wiadomo\u015bci)'
      : m.kind === 'deep'
        ? 'pe\u0142na (dodatkowo por\u00f3wnanie tre\u015bci ka\u017cdej wiadomo\u015bci, SHA-256)'
        : `pr\u00f3bkowa (dodatkowo por\u00f3wnanie tre\u015bci ${m.percent}% wiadomo\u015bci, SHA-256, ziarno \u201e${m.seed}\u201d)`,
  verdictWord: { passed: 'ZALICZONA', incomplete: 'NIEPE\u0141NA', failed: 'NIEZALICZONA' },
  verdictLine: (v, t) =>
    v === 'passed'
      ? `Ka\u017cda wiadomo\u015b\u0107 ze starego serwera jest na nowym serwerze (zgodnych: ${t.matched}).`
      : v === 'incomplete'
        ? `Nic nie zgin\u0119\u0142o, ale cz\u0119\u015b\u0107 poczty przysz\u0142a po ostatnim kopiowaniu (wiadomo\u015bci: ${t.notYetCopied}): uruchom \u201emailshift run\u201d ponownie.`
        : [
            `Brakuj\u0105ce wiadomo\u015bci: ${t.missing}`,
            t.notYetCopied ? `jeszcze nie skopiowane: ${t.notYetCopied}` : '',
            t.contentDifferences ? `ze zmienion\u0105 tre\u015bci\u0105: ${t.contentDifferences}` : '',
            t.accountsFailed ? `niesprawdzone konta: ${t.accountsFailed}` : '',
            t.foldersFailed ? `niesprawdzone foldery: ${t.foldersFailed}` : '',
            t.addressesWithoutDestination ? `adresy bez celu: ${t.addressesWithoutDestination}` : '',
          ]
            .filter(Boolean)
            .join(', ') + '. Ka\u017cdy przypadek wymieniono przy jego koncie.',
  summary: 'Podsumowanie',
  totals: {
    accounts: 'Konta (w tym niesprawdzone)',
    folders: 'Foldery (w tym bez folderu docelowego)',
    source: 'Wiadomo\u015bci na starym serwerze',
    destination: 'Wiadomo\u015bci na nowym serwerze',
    matched: 'Zgodne pary',
    missing: 'Brakuj\u0105ce',
    notYetCopied: 'Jeszcze nie skopiowane',
    skipped: 'Pomini\u0119te celowo',
    extra: 'Dodatkowe na nowym serwerze',
    flagDifferences: 'R\u00f3\u017cnice flag',
    dateDifferences: 'R\u00f3\u017cnice daty otrzymania',
    contentChecked: 'Por\u00f3wnana tre\u015b\u0107',
    contentDifferences: 'R\u00f3\u017cnice tre\u015bci',
  },
  timesUtc: 'Daty i godziny w UTC.',
  columns: {
    source: 'folder \u017ar\u00f3d\u0142owy',
    destination: 'folder docelowy',
    sourceCount: '\u017ar\u00f3d\u0142o',
    destCount: 'cel',
    matched: 'zgodne',
    missing: 'brakuje',
    notYetCopied: 'do skopiowania',
    skipped: 'pomini\u0119te',
    extra: 'dodatkowe',
    flags: 'flagi',
    dates: 'daty',
    content: 'tre\u015b\u0107',
    result: 'wynik',
  },
  folderResult: {
    ok: 'OK',
    missing: 'BRAKI',
    'not-yet-copied': 'NOWA POCZTA',
    differences: 'OK, r\u00f3\u017cnice',
    compared: 'OK',
    'skipped-by-plan': 'pomini\u0119ty w planie',
    'destination-missing': 'BRAK FOLDERU',
    'source-gone': 'usuni\u0119ty ze \u017ar\u00f3d\u0142a',
    'not-in-plan': 'spoza planu',
    error: 'B\u0141\u0104D',
  },
  sections: {
    accounts: 'Konta',
    folders: 'Foldery',
    missing: 'Brakuj\u0105ce wiadomo\u015bci',
    notYetCopied: 'Nowa poczta, jeszcze nie skopiowana',
    skipped: 'Pomini\u0119te celowo',
    extra: 'Dodatkowe wiadomo\u015bci na nowym serwerze',
    flags: 'R\u00f3\u017cnice flag',
    dates: 'R\u00f3\u017cnice daty otrzymania (INTERNALDATE)',
    content: 'R\u00f3\u017cnice tre\u015bci',
    addresses: 'Adresy',
    notes: 'Uwagi',
  },
  fields: {
    folder: 'folder',
    uid: 'UID',
    destUid: 'UID w celu',
    date: 'data',
    from: 'nadawca',
    subject: 'temat',
    size: 'rozmiar',
    why: 'przyczyna',
    onlyOnSource: 'tylko w \u017ar\u00f3dle',
    onlyOnDestination: 'tylko w celu',
    changedOn: 'zmiana',
    sourceDate: 'data w \u017ar\u00f3dle',
    destDate: 'data w celu',
    address: 'adres',
    kind: 'rodzaj',
    goesTo: 'trafia do',
  },
  missingCause: (cause, uid, reason) => {
    switch (cause) {
      case 'deleted-on-destination':
        return `skopiowana${uid !== undefined ? ` (UID ${uid})` : ''}, usuni\u0119ta p\u00f3\u017aniej z nowego serwera`;
      case 'destination-folder-missing':
        return 'folder docelowy nie istnieje';
      case 'copy-failed':
        return `serwer docelowy odrzuci\u0142 wiadomo\u015b\u0107${reason ? `: ${reason}` : ''}`;
      case 'not-recorded':
        return 'starsza ni\u017c ostatnie kopiowanie, a nie ma jej w stanie migracji';
    }
  },
  extraCause: (cause, uid) =>
    cause === 'expunged-on-source'
      ? `skopiowana (UID \u017ar\u00f3d\u0142a ${uid ?? '?'}), potem usuni\u0119ta na starym serwerze`
      : 'nie pochodzi z migracji (by\u0142a wcze\u015bniej lub przysz\u0142a p\u00f3\u017aniej)',
  changedOn: {
    destination: 'na nowym serwerze',
    source: 'na starym serwerze (nast\u0119pne kopiowanie j\u0105 przeniesie)',
    both: 'na obu serwerach',
    unknown: 'nieustalona',
  },
  sha: (s, d) => `SHA-256 \u017ar\u00f3d\u0142a ${s.slice(0, 16)}\u2026, celu ${d.slice(0, 16)}\u2026`,
  sourceLoginFailed: (e) => `Logowanie na starym serwerze nie powiod\u0142o si\u0119: ${e}`,
  destinationLoginFailed: (u, e) => `Logowanie na nowym serwerze jako ${u} nie powiod\u0142o si\u0119: ${e}`,
  accountError: (e) => `Konta nie sprawdzono: ${e}`,
  mergedWith: (f, o, d) =>
    `${f}: po\u0142\u0105czony z ${o.join(', ')} w folderze \u201e${d}\u201d; liczba w celu dotyczy ca\u0142ego folderu.`,
  lastCopiedTo: (f, l, n) =>
    `${f}: ostatnie kopiowanie trafi\u0142o do \u201e${l}\u201d, a plan wskazuje teraz \u201e${n}\u201d.`,
  noDestination: 'BRAK \u2014 poczta na ten adres nie ma dok\u0105d trafi\u0107',
  addressKind: { mailbox: 'skrzynka', alias: 'alias', forward: 'przekierowanie' },
  noAddresses: 'Plan nie wymienia adres\u00f3w.',
  accountLine: (f, m, ok) =>
    `folder\u00f3w: ${f}, wiadomo\u015bci w \u017ar\u00f3dle: ${m}: ${ok ? 'OK' : 's\u0105 ustalenia'}`,
  more: (n) => `\u2026 i dalsze (${n}): pe\u0142na lista w raporcie`,
  reportsWritten: 'Raporty zapisano',
};

const en: VerifyTexts = {
  lang: 'en',
  title: 'Mail migration verification report',
  plan: 'Plan',
  client: 'Client',
  generated: 'Generated',
  duration: 'Verification time',
  modeLabel: 'Mode',
  mode: (m) =>
    m.kind === 'headers'
      ? 'normal (counts, message identities, flags and dates)'
      : m.kind === 'deep'
        ? 'deep (also the content of every message, SHA-256)'
        : `sample (also the content of ${m.percent}% of the messages, SHA-256, seed "${m.seed}")`,
  verdictWord: { passed: 'PASSED', incomplete: 'INCOMPLETE', failed: 'FAILED' },
  verdictLine: (v, t) =>
    v === 'passed'
      ? `Every message of the old server is on the new server (${t.matched} matched).`
      : v === 'incomplete'
        ? `Nothing is lost, but some mail arrived after the last copy (messages: ${t.notYetCopied}): run "mailshift run" again.`
        : [
            `Missing messages: ${t.missing}`,
            t.notYetCopied ? `not yet copied: ${t.notYetCopied}` : '',
            t.contentDifferences ? `with altered content: ${t.contentDifferences}` : '',
            t.accountsFailed ? `accounts not checked: ${t.accountsFailed}` : '',
            t.foldersFailed ? `folders not checked: ${t.foldersFailed}` : '',
            t.addressesWithoutDestination
              ? `addresses without a destination: ${t.addressesWithoutDestination}`
              : '',
          ]
            .filter(Boolean)
            .join(', ') + '. Each is listed under its account.',
  summary: 'Summary',
  totals: {
    accounts: 'Accounts (of which not checked)',
    folders: 'Folders (of which without destination folder)',
    source: 'Messages on the old server',
    destination: 'Messages on the new server',
    matched: 'Matched pairs',
    missing: 'Missing',
    notYetCopied: 'Not yet copied',
    skipped: 'Skipped on purpose',
    extra: 'Extra on the new server',
    flagDifferences: 'Flag differences',
    dateDifferences: 'Received-date differences',
    contentChecked: 'Content compared',
    contentDifferences: 'Content differences',
  },
  timesUtc: 'Dates and times in UTC.',
  columns: {
    source: 'source folder',
    destination: 'destination folder',
    sourceCount: 'source',
    destCount: 'destination',
    matched: 'matched',
    missing: 'missing',
    notYetCopied: 'not yet copied',
    skipped: 'skipped',
    extra: 'extra',
    flags: 'flags',
    dates: 'dates',
    content: 'content',
    result: 'result',
  },
  folderResult: {
    ok: 'OK',
    missing: 'MISSING',
    'not-yet-copied': 'NEW MAIL',
    differences: 'OK, differences',
    compared: 'OK',
    'skipped-by-plan': 'skipped by plan',
    'destination-missing': 'NO FOLDER',
    'source-gone': 'gone from source',
    'not-in-plan': 'not in plan',
    error: 'ERROR',
  },
  sections: {
    accounts: 'Accounts',
    folders: 'Folders',
    missing: 'Missing messages',
    notYetCopied: 'New mail, not yet copied',
    skipped: 'Skipped on purpose',
    extra: 'Extra messages on the new server',
    flags: 'Flag differences',
    dates: 'Received-date (INTERNALDATE) differences',
    content: 'Content differences',
    addresses: 'Addresses',
    notes: 'Notes',
  },
  fields: {
    folder: 'folder',
    uid: 'UID',
    destUid: 'destination UID',
    date: 'date',
    from: 'sender',
    subject: 'subject',
    size: 'size',
    why: 'why',
    onlyOnSource: 'only on source',
    onlyOnDestination: 'only on destination',
    changedOn: 'changed',
    sourceDate: 'source date',
    destDate: 'destination date',
    address: 'address',
    kind: 'kind',
    goesTo: 'goes to',
  },
  missingCause: (cause, uid, reason) => {
    switch (cause) {
      case 'deleted-on-destination':
        return `copied${uid !== undefined ? ` (UID ${uid})` : ''}, later deleted on the new server`;
      case 'destination-folder-missing':
        return 'the destination folder does not exist';
      case 'copy-failed':
        return `the destination refused it${reason ? `: ${reason}` : ''}`;
      case 'not-recorded':
        return 'older than the last copy, yet not in the migration state';
    }
  },
  extraCause: (cause, uid) =>
    cause === 'expunged-on-source'
      ? `copied (source UID ${uid ?? '?'}), then deleted on the old server`
      : 'not from this migration (there before, or delivered since)',
  changedOn: {
    destination: 'on the new server',
    source: 'on the old server (the next run brings it over)',
    both: 'on both servers',
    unknown: 'unknown',
  },
  sha: (s, d) => `SHA-256 source ${s.slice(0, 16)}..., destination ${d.slice(0, 16)}...`,
  sourceLoginFailed: (e) => `Login on the old server failed: ${e}`,
  destinationLoginFailed: (u, e) => `Login on the new server as ${u} failed: ${e}`,
  accountError: (e) => `The account could not be checked: ${e}`,
  mergedWith: (f, o, d) =>
    `${f}: merged with ${o.join(', ')} into "${d}"; the destination count is for the whole folder.`,
  lastCopiedTo: (f, l, n) => `${f}: the last run copied it to "${l}", and the plan now maps it to "${n}".`,
  noDestination: 'NONE: mail to this address has nowhere to go',
  addressKind: { mailbox: 'mailbox', alias: 'alias', forward: 'forward' },
  noAddresses: 'The plan lists no addresses.',
  accountLine: (f, m, ok) => `folders: ${f}, source messages: ${m}: ${ok ? 'OK' : 'findings'}`,
  more: (n) => `... and ${n} more (full list in the report)`,
  reportsWritten: 'Reports written',
};

/** The texts of a language. */
export function verifyTexts(lang: Lang): VerifyTexts {
  return lang === 'pl' ? pl : en;
}
