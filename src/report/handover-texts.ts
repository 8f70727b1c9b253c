/**
 * The words of the handover report in Polish and English. Numbers and sizes come from
 * core/units.ts, so they read as in the other reports of the same language. Non-ASCII letters are
 * written as \u escapes.
 */
import { formatNumber, formatSize, type Lang } from '../core/units.js';
import { WINDOW_REASON } from '../plan/window.js';
import type { Verdict } from '../verify/types.js';
import type { FailureAction, HandoverFailure, HandoverVerdict } from './handover-model.js';

/** Every word of the handover report in one language. */
export interface HandoverTexts {
  title: string;
  header: {
    client: string;
    plan: string;
    generated: string;
    cutover: string;
    finalPass: string;
    firstPass: string;
    passes: string;
  };
  verdictWord: Record<HandoverVerdict, string>;
  verdictLine: Record<HandoverVerdict, string>;
  totals: {
    accounts: string;
    copied: string;
    present: string;
    skipped: string;
    failed: string;
    size: string;
  };
  sections: { accounts: string; about: string };
  account: {
    destination: string;
    status: string;
    copied: string;
    present: string;
    skipped: string;
    failed: string;
    lastPass: string;
    check: string;
  };
  status: Record<string, string>;
  check: Record<Verdict, string>;
  checkDetails: (c: {
    missing: number;
    notYetCopied: number;
    flagDifferences: number;
    extra: number;
  }) => string;
  skippedTitle: string;
  failuresTitle: string;
  failureHeaders: { what: string; reason: string; done: string };
  failureWhat: (f: HandoverFailure) => string;
  action: Record<FailureAction, (f: HandoverFailure) => string>;
  noFailures: string;
  passOf: (n: number) => string;
  about: (p: { mode: string; verified: string }) => string[];
  mode: Record<string, string>;
  /** The words for a message left out by the plan's date window. */
  windowReason: string;
}

const n = (lang: Lang, v: number) => formatNumber(lang, v);

const EN: HandoverTexts = {
  title: 'Mail migration: handover report',
  header: {
    client: 'Prepared for',
    plan: 'Plan',
    generated: 'Generated',
    cutover: 'Cutover',
    finalPass: 'Final pass',
    firstPass: 'First copy',
    passes: 'Passes',
  },
  verdictWord: { complete: 'Complete', incomplete: 'Not complete yet', failed: 'Something is missing' },
  verdictLine: {
    complete: 'Every message of every mailbox was found on the new server by the verification.',
    incomplete:
      'Nothing was lost, but some mail has not been copied yet or a mailbox could not be finished: see below.',
    failed: 'The verification found messages that are not on the new server: see the mailboxes below.',
  },
  totals: {
    accounts: 'Mailboxes',
    copied: 'Messages copied',
    present: 'Already on the new server',
    skipped: 'Left out on purpose',
    failed: 'Refused by the new server',
    size: 'Size copied',
  },
  sections: { accounts: 'Mailboxes', about: 'About this report' },
  account: {
    destination: 'New mailbox',
    status: 'State',
    copied: 'Copied',
    present: 'Already there',
    skipped: 'Left out on purpose',
    failed: 'Refused',
    lastPass: 'Last pass',
    check: 'Verification',
  },
  status: {
    done: 'done',
    incomplete: 'incomplete',
    interrupted: 'interrupted',
    'in progress': 'in progress',
    'not started': 'not started',
  },
  check: { passed: 'passed', incomplete: 'incomplete', failed: 'FAILED' },
  checkDetails: (c) =>
    [
      c.missing ? `${n('en', c.missing)} missing` : '',
      c.notYetCopied ? `${n('en', c.notYetCopied)} not yet copied` : '',
      c.flagDifferences ? `${n('en', c.flagDifferences)} with other flags (not a loss)` : '',
      c.extra ? `${n('en', c.extra)} only on the new server (not a loss)` : '',
    ]
      .filter(Boolean)
      .join(', '),
  skippedTitle: 'Left out on purpose',
  failuresTitle: 'Failures and what was done about them',
  failureHeaders: { what: 'What', reason: 'Reason', done: 'What was done' },
  failureWhat: (f) =>
    f.uid !== undefined
      ? `${f.folder ?? ''}, message UID ${f.uid}`
      : `the mailbox, pass${(f.passes?.length ?? 0) > 1 ? 'es' : ''} ${(f.passes ?? []).join(', ')}`,
  action: {
    'left-on-source': () =>
      'Tried on every pass and refused each time; the message is still on the old server only.',
    repaired: (f) => `Repaired (${f.reason}) and copied.`,
    'flags-dropped': () => 'Copied without these flags: the new server does not keep them.',
    recovered: (f) => `Tried again on later passes; went through in pass ${f.resolvedInPass ?? '?'}.`,
    'still-stopped': () => 'Tried again on every pass since; still not through.',
  },
  noFailures: 'No failures.',
  passOf: (p) => `pass ${p}`,
  about: ({ mode, verified }) => [
    `Verification (${mode}) read both servers only, on ${verified} UTC, and paired every message of the old server with its copy on the new one.`,
    'Sizes are as the servers count them (1 KB = 1024 bytes). Times are UTC.',
    `Machine-readable twin: the JSON file of this report (format version 1).`,
  ],
  mode: {
    headers: 'headers of every message',
    deep: 'every message byte by byte',
    sample: 'headers, and a sample byte by byte',
  },
  windowReason: 'outside the date window of the plan',
};

const PL: HandoverTexts = {
  title: 'Migracja poczty: raport przekazania',
  header: {
    client: 'Przygotowano dla',
    plan: 'Plan',
    generated: 'Wygenerowano',
    cutover: 'Prze\u0142\u0105czenie',
    finalPass: 'Przebieg ko\u0144cowy',
    firstPass: 'Pierwsze kopiowanie',
    passes: 'Przebiegi',
  },
  verdictWord: {
    complete: 'Zako\u0144czone',
    incomplete: 'Jeszcze niezako\u0144czone',
    failed: 'Czego\u015b brakuje',
  },
  verdictLine: {
    complete:
      'Weryfikacja odnalaz\u0142a na nowym serwerze ka\u017cd\u0105 wiadomo\u015b\u0107 ka\u017cdej skrzynki.',
    incomplete:
      'Nic nie zgin\u0119\u0142o, ale cz\u0119\u015b\u0107 poczty nie zosta\u0142a jeszcze skopiowana albo kt\u00f3rej\u015b skrzynki nie uda\u0142o si\u0119 doko\u0144czy\u0107: szczeg\u00f3\u0142y poni\u017cej.',
    failed:
      'Weryfikacja wykry\u0142a wiadomo\u015bci, kt\u00f3rych nie ma na nowym serwerze: szczeg\u00f3\u0142y przy skrzynkach poni\u017cej.',
  },
  totals: {
    accounts: 'Skrzynki',
    copied: 'Skopiowane wiadomo\u015bci',
    present: 'Ju\u017c by\u0142y na nowym serwerze',
    skipped: 'Celowo pomini\u0119te',
    failed: 'Odrzucone przez nowy serwer',
    size: 'Rozmiar skopiowanej poczty',
  },
  sections: { accounts: 'Skrzynki', about: 'O raporcie' },
  account: {
    destination: 'Nowa skrzynka',
    status: 'Stan',
    copied: 'Skopiowane',
    present: 'Ju\u017c by\u0142y',
    skipped: 'Celowo pomini\u0119te',
    failed: 'Odrzucone',
    lastPass: 'Ostatni przebieg',
    check: 'Weryfikacja',
  },
  status: {
    done: 'gotowa',
    incomplete: 'niepe\u0142na',
    interrupted: 'przerwana',
    'in progress': 'w toku',
    'not started': 'nierozpocz\u0119ta',
  },
  check: { passed: 'pozytywna', incomplete: 'niepe\u0142na', failed: 'NEGATYWNA' },
  checkDetails: (c) =>
    [
      c.missing ? `brakuje: ${n('pl', c.missing)}` : '',
      c.notYetCopied ? `jeszcze nieskopiowane: ${n('pl', c.notYetCopied)}` : '',
      c.flagDifferences ? `z innymi oznaczeniami (to nie strata): ${n('pl', c.flagDifferences)}` : '',
      c.extra ? `tylko na nowym serwerze (to nie strata): ${n('pl', c.extra)}` : '',
    ]
      .filter(Boolean)
      .join(', '),
  skippedTitle: 'Celowo pomini\u0119te',
  failuresTitle: 'B\u0142\u0119dy i co z nimi zrobiono',
  failureHeaders: { what: 'Czego dotyczy', reason: 'Przyczyna', done: 'Co zrobiono' },
  failureWhat: (f) =>
    f.uid !== undefined
      ? `${f.folder ?? ''}, wiadomo\u015b\u0107 UID ${f.uid}`
      : `ca\u0142a skrzynka, przebieg ${(f.passes ?? []).join(', ')}`,
  action: {
    'left-on-source': () =>
      'Pr\u00f3bowano w ka\u017cdym przebiegu, za ka\u017cdym razem odrzucona; wiadomo\u015b\u0107 jest tylko na starym serwerze.',
    repaired: (f) => `Naprawiona (${f.reason}) i skopiowana.`,
    'flags-dropped': () => 'Skopiowana bez tych oznacze\u0144: nowy serwer ich nie przechowuje.',
    recovered: (f) =>
      `Ponawiano w kolejnych przebiegach; przesz\u0142a w przebiegu ${f.resolvedInPass ?? '?'}.`,
    'still-stopped': () => 'Ponawiana w ka\u017cdym kolejnym przebiegu; wci\u0105\u017c bez powodzenia.',
  },
  noFailures: 'Brak b\u0142\u0119d\u00f3w.',
  passOf: (p) => `przebieg ${p}`,
  about: ({ mode, verified }) => [
    `Weryfikacja (${mode}) jedynie odczyta\u0142a oba serwery (${verified} UTC) i dopasowa\u0142a ka\u017cd\u0105 wiadomo\u015b\u0107 ze starego serwera do jej kopii na nowym.`,
    'Rozmiary podano tak, jak licz\u0105 je serwery (1 KB = 1024 bajty). Czas UTC.',
    'Wersja do odczytu maszynowego: plik JSON tego raportu (format w wersji 1).',
  ],
  mode: {
    headers: 'nag\u0142\u00f3wki ka\u017cdej wiadomo\u015bci',
    deep: 'ka\u017cda wiadomo\u015b\u0107 bajt po bajcie',
    sample: 'nag\u0142\u00f3wki oraz pr\u00f3bka bajt po bajcie',
  },
  windowReason: 'poza zakresem dat z planu',
};

/** The words of a language. */
export function handoverTexts(lang: Lang): HandoverTexts {
  return lang === 'pl' ? PL : EN;
}

/**
 * A skip reason from the state in the report's language: the date window's (plan/window.ts) is
 * known and translated, keeping the plan's own words; any other stays as recorded.
 */
export function skipReason(t: HandoverTexts, reason: string): string {
  return reason.startsWith(WINDOW_REASON) ? `${t.windowReason}${reason.slice(WINDOW_REASON.length)}` : reason;
}

/** "1,234 (5.1 MB)" / "1 234 (5,1 MB)". */
export function countAndSize(lang: Lang, messages: number, bytes: number): string {
  return `${formatNumber(lang, messages)} (${formatSize(lang, bytes)})`;
}
