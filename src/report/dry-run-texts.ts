/**
 * The words of the dry-run report, in Polish and English (the figures in them are formatted by
 * core/units.ts, the one place for number, size, duration and date forms). Non-ASCII letters are
 * written as \u escapes: text in code is ASCII.
 */
import { formatNumber, type Lang } from '../core/units.js';
import type { ProblemKind, Severity } from './dry-run-model.js';

type Params = Record<string, string | number>;
type Text = (p: Params) => string;

/** Polish plural forms: 1 plik, 2-4 pliki, 5+ plikow (and 12-14 take the third form). */
function plural(
  lang: Lang,
  n: number,
  forms: { one: string; few: string; many: string; en: [string, string] },
): string {
  if (lang === 'en') return n === 1 ? forms.en[0] : forms.en[1];
  if (n === 1) return forms.one;
  const tens = n % 100;
  return n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14) ? forms.few : forms.many;
}

const UNITS = {
  messages: {
    one: 'wiadomo\u015b\u0107',
    few: 'wiadomo\u015bci',
    many: 'wiadomo\u015bci',
    en: ['message', 'messages'],
  },
  folders: { one: 'folder', few: 'foldery', many: 'folder\u00f3w', en: ['folder', 'folders'] },
  flags: { one: 'oznaczenie', few: 'oznaczenia', many: 'oznacze\u0144', en: ['flag', 'flags'] },
  addresses: { one: 'adres', few: 'adresy', many: 'adres\u00f3w', en: ['address', 'addresses'] },
  logins: { one: 'logowanie', few: 'logowania', many: 'logowa\u0144', en: ['login', 'logins'] },
  problems: { one: 'problem', few: 'problemy', many: 'problem\u00f3w', en: ['problem', 'problems'] },
  mailboxes: { one: 'skrzynka', few: 'skrzynki', many: 'skrzynek', en: ['mailbox', 'mailboxes'] },
} satisfies Record<string, Parameters<typeof plural>[2]>;

export type CountUnit = keyof typeof UNITS;

/** "3 messages" / "3 wiadomo\u015bci", with the number formatted for the language. */
export function countOf(lang: Lang, n: number, unit: CountUnit): string {
  return `${formatNumber(lang, n)} ${plural(lang, n, UNITS[unit])}`;
}

/** Title and action of each problem kind. */
interface ProblemText {
  title: Text;
  action: Text;
}

/** Every word of the report in one language. */
export interface Strings {
  docTitle: string;
  preparedFor: string;
  plan: string;
  generated: string;
  sourceServer: string;
  destinationServer: string;
  sections: { summary: string; problems: string; accounts: string; addresses: string; about: string };
  verdictReady: string;
  verdictReadyText: string;
  verdictBlocked: (blockers: number) => string;
  verdictBlockedText: string;
  figures: {
    mailboxes: string;
    folders: string;
    messages: string;
    size: string;
    period: string;
    duration: string;
    blockers: string;
    warnings: string;
  };
  estimateBasis: (p: {
    throughput: string;
    basis: 'learned' | 'plan' | 'default';
    messages: string;
  }) => string;
  severity: Record<Severity, string>;
  problemHeaders: { severity: string; problem: string; account: string; count: string; action: string };
  noProblems: string;
  overviewProblems: string;
  allAccounts: string;
  andMore: (n: number) => string;
  problem: Record<ProblemKind, ProblemText>;
  side: { source: string; destination: string };
  loginHeader: string;
  loginOk: string;
  loginFailed: string;
  quotaLine: (p: { usage: string; limit: string; incoming: string }) => string;
  noQuota: string;
  appendLimitLine: (limit: string) => string;
  perFolderLimit: string;
  noAppendLimit: string;
  alreadyCopiedLine: (p: { messages: string; size: string }) => string;
  mappingFromResolved: string;
  mappingProposed: string;
  mappingNone: string;
  /** Which provider a side has and what its preset set. */
  providerLine: (p: {
    side: string;
    provider: string;
    by: 'plan' | 'capability' | 'none';
    settings: string;
  }) => string;
  providerNames: Record<'google' | 'microsoft365' | 'generic', string>;
  /** A repair the provider's refusals call for that this version does not make. */
  pendingRepairLine: (what: string) => string;
  labelMode: Record<'folders' | 'one-copy', string>;
  gmailLabelsLine: (p: {
    labels: string;
    multi: string;
    matchedBy: string;
    mode: string;
    folders: string;
    oneCopy: string;
  }) => string;
  gmailArchivedLine: (p: { messages: string; size: string; destination: string }) => string;
  gmailImportantLine: (messages: string) => string;
  gmailSpamTrashLine: (p: { spam: string; trash: string }) => string;
  mappingHeaders: {
    source: string;
    destination: string;
    why: string;
    onDestination: string;
    messages: string;
    size: string;
    period: string;
  };
  newFolder: string;
  existingFolder: (messages: string) => string;
  notCopied: string;
  unknownDestination: string;
  totalRow: string;
  largestTitle: string;
  largestHeaders: { folder: string; date: string; size: string; messageId: string };
  noMessages: string;
  reason: Record<string, string>;
  addressHeaders: { address: string; kind: string; target: string; delivers: string; status: string };
  addressKind: Record<'mailbox' | 'alias' | 'forward', string>;
  addressStatus: Record<'account' | 'external' | 'unmapped' | 'unknown-target' | 'loop', string>;
  addressFromAccounts: string;
  noAddresses: string;
  about: (p: { version: number; seconds: string }) => string[];
}

const side = {
  pl: (s: string | number) => (s === 'source' ? 'stary' : 'nowy'),
  en: (s: string | number) => (s === 'source' ? 'old' : 'new'),
};

const EN: Strings = {
  docTitle: 'Mail migration: report before the move',
  preparedFor: 'Prepared for',
  plan: 'Plan',
  generated: 'Generated',
  sourceServer: 'Old server',
  destinationServer: 'New server',
  sections: {
    summary: 'Summary',
    problems: 'Problems found ahead of time',
    accounts: 'Mailboxes',
    addresses: 'Addresses',
    about: 'About this report',
  },
  verdictReady: 'Ready to migrate',
  verdictReadyText: 'Nothing blocks the migration. The warnings below, if any, are worth a look.',
  verdictBlocked: (n) => `Not ready: ${countOf('en', n, 'problems')} to solve first`,
  verdictBlockedText:
    'Each problem marked "Blocker" below says what to do. Make the report again once they are solved.',
  figures: {
    mailboxes: 'Mailboxes',
    folders: 'Folders to copy',
    messages: 'Messages',
    size: 'Total size',
    period: 'Mail from',
    duration: 'Estimated copy time',
    blockers: 'Blockers',
    warnings: 'Warnings',
  },
  estimateBasis: ({ throughput, basis, messages }) =>
    `${messages} at ${throughput} messages per second, ` +
    (basis === 'learned'
      ? 'the speed measured during earlier runs of this migration.'
      : basis === 'plan'
        ? 'the speed set in the plan (report.throughput).'
        : 'a cautious default; set report.throughput in the plan, or run once and the measured speed is used.'),
  severity: { blocker: 'Blocker', warning: 'Warning', info: 'Note' },
  problemHeaders: {
    severity: 'Severity',
    problem: 'Problem',
    account: 'Mailbox',
    count: 'How many',
    action: 'What to do',
  },
  noProblems: 'No problems found.',
  overviewProblems: 'Problems',
  allAccounts: 'all',
  andMore: (n) => `... and ${formatNumber('en', n)} more`,
  problem: {
    'login-failed': {
      title: (p) =>
        String(p.code).startsWith('AUTH_')
          ? `Cannot log in to the ${side.en(p.side ?? '')} server as ${p.user}`
          : `Cannot connect to the ${side.en(p.side ?? '')} server for ${p.user}`,
      action: () =>
        'Check the user name and password (or token) of this mailbox in the plan. Until it can log in, this mailbox is not moved.',
    },
    'folder-unreadable': {
      title: () => 'Folders that cannot be read on the old server',
      action: () => 'Open them in a mail program or ask the old host; the migration would stop on them.',
    },
    'over-append-limit': {
      title: (p) => `Messages larger than the new server accepts (${p.limit})`,
      action: () =>
        "Ask the new host to raise the limit, or save these messages' attachments and remove them from the old mailbox before the move. Otherwise they are left out and listed after the migration.",
    },
    'over-plan-limit': {
      title: (p) => `Messages over the plan's size limit (${p.limit}): they will be left out`,
      action: () =>
        'If they must move, raise limits.maxMessageSize in the plan; otherwise keep a copy of them somewhere else.',
    },
    'append-limit-per-folder': {
      title: () => 'The new server limits message size folder by folder',
      action: () =>
        'Those limits cannot be read from here; a message the new server refuses is named after the migration.',
    },
    'quota-too-small': {
      title: (p) => `Not enough space on the new server: ${p.missing} missing`,
      action: (p) =>
        `Ask the new host to raise the quota of ${p.user} to at least ${p.needed}, or clean up the old mailbox first (Trash, Spam, large attachments).`,
    },
    'flags-not-kept': {
      title: () => 'Flags and tags the new server will not keep',
      action: () =>
        'The messages are copied without these marks. If the tags matter, ask the new host to allow custom keywords.',
    },
    'flags-unverified': {
      title: () => 'Tags (keywords) in use that the new server did not confirm',
      action: () =>
        'A server tells which flags it keeps only to a program that may write, and this check only reads. Read, answered, flagged and draft marks are kept by every server; if a tag is dropped, the migration names every message concerned.',
    },
    'folders-skipped': {
      title: () => 'Folders that will not be copied',
      action: () =>
        'Check the list. To copy one of them anyway, add it to folders.include (or folders.map) in the plan.',
    },
    'outside-window': {
      title: (p) => `Messages outside the plan's date window (${p.window}): left out on purpose`,
      action: () =>
        "They stay on the old server and are not counted in the figures above. To move them too, widen or remove the plan's window (window.since / window.before).",
    },
    'mapping-warnings': {
      title: () => 'Folder names that needed a decision',
      action: () => 'Review each line; to choose another place for a folder, use folders.map in the plan.',
    },
    'merge-into-existing': {
      title: () => 'Folders that already hold mail on the new server (merge)',
      action: () =>
        'The mail is added to what is there; messages already present are recognised and not copied twice. To keep them apart, map the folder elsewhere with folders.map.',
    },
    'address-unmapped': {
      title: () => 'Addresses with no destination: mail sent to them would be lost',
      action: () =>
        "Give each one a target in the plan's addresses (a mailbox of the new server or an outside address), or create it on the new server.",
    },
    'address-target-unknown': {
      title: () => 'Addresses pointing to an unknown address of the domain',
      action: () =>
        'The target is neither a mailbox of this plan nor a listed address: check it exists on the new server.',
    },
  },
  side: { source: 'Old server', destination: 'New server' },
  loginHeader: 'Login',
  loginOk: 'OK',
  loginFailed: 'refused',
  quotaLine: ({ usage, limit, incoming }) =>
    `Space on the new server: ${usage} used of ${limit}; ${incoming} will arrive.`,
  noQuota: 'Space on the new server: no limit announced.',
  appendLimitLine: (limit) => `Largest message the new server accepts: ${limit}.`,
  perFolderLimit: 'Largest message the new server accepts: set folder by folder.',
  noAppendLimit: 'Largest message the new server accepts: no limit announced.',
  alreadyCopiedLine: ({ messages, size }) => `Already copied by earlier runs: ${messages} (${size}).`,
  mappingFromResolved: 'Folder mapping: as reviewed in the resolved plan.',
  mappingProposed:
    'Folder mapping: proposed now from both servers (run "mailshift plan" to review and fix it).',
  mappingNone: 'Folder mapping: unknown until both servers can be read.',
  providerLine: ({ side, provider, by, settings }) =>
    `${side}: ${provider} ${by === 'plan' ? '(preset named in the plan)' : '(recognised by its capabilities; name it in the plan to apply its limits)'}${settings ? `: ${settings}` : ''}.`,
  providerNames: {
    google: 'Gmail / Google Workspace',
    microsoft365: 'Microsoft 365 / Exchange Online',
    generic: 'generic IMAP server',
  },
  pendingRepairLine: (what) => `Not repaired by this version: ${what}.`,
  labelMode: {
    folders: 'folders (one copy per label folder, as Gmail shows them over IMAP)',
    'one-copy': 'one-copy (one copy per message, its other labels as keywords)',
  },
  gmailLabelsLine: ({ labels, multi, matchedBy, mode, folders, oneCopy }) =>
    `Gmail labels: ${labels}, ${multi} with more than one label (matched by ${matchedBy}). Label mode: ${mode}. Folders mode copies ${folders}; one-copy mode ${oneCopy}.`,
  gmailArchivedLine: ({ messages, size, destination }) =>
    `Archived without a label (only in All Mail): ${messages} (${size}), copied to ${destination} after the label folders.`,
  gmailImportantLine: (messages) =>
    `Important: the $Important keyword on ${messages}; starred mail keeps its \\Flagged flag (neither view is copied as a folder).`,
  gmailSpamTrashLine: ({ spam, trash }) =>
    `Spam: ${spam}; Trash: ${trash}. Both are copied unless folders.exclude leaves them out.`,
  mappingHeaders: {
    source: 'Folder on the old server',
    destination: 'Folder on the new server',
    why: 'Why',
    onDestination: 'On the new server',
    messages: 'Messages',
    size: 'Size',
    period: 'Mail from',
  },
  newFolder: 'new',
  existingFolder: (m) => `exists (${m})`,
  notCopied: 'not copied',
  unknownDestination: '?',
  totalRow: 'Total to copy',
  largestTitle: 'Largest messages',
  largestHeaders: { folder: 'Folder', date: 'Date', size: 'Size', messageId: 'Message-ID' },
  noMessages: 'No messages.',
  reason: {
    inbox: 'inbox',
    'special-use': 'special folder (marked by the server)',
    'localized-name': 'special folder (known by its name)',
    'override-map': 'plan: folders.map',
    'override-rename': 'plan: folders.rename',
    'same-name': 'same name',
    'follows-parent': 'moves with its parent folder',
    excluded: 'excluded by the plan',
    'not-selectable': 'a container without messages',
    virtual: 'virtual folder (a view of other folders)',
    'provider-duplicate': "duplicate view of the provider's folders",
    'not-mail': 'not mail (calendar, contacts, tasks...)',
    'archived-only': 'Gmail All Mail: only mail archived without a label',
    'not-in-plan': 'missing from the reviewed mapping (new folder?)',
    unknown: 'unknown: the new server could not be read',
  },
  addressHeaders: {
    address: 'Address',
    kind: 'Kind',
    target: 'Target in the plan',
    delivers: 'Mail goes to',
    status: 'Status',
  },
  addressKind: { mailbox: 'mailbox', alias: 'alias', forward: 'forward' },
  addressStatus: {
    account: 'migrated mailbox',
    external: 'outside address',
    unmapped: 'NO DESTINATION',
    'unknown-target': 'unknown target',
    loop: 'LOOP',
  },
  addressFromAccounts: '(mailbox of the plan)',
  noAddresses: 'The plan lists no addresses.',
  about: ({ version, seconds }) => [
    `Made by reading both servers only: folder lists, folder status, message sizes, dates and flags. Nothing was written, moved or marked as read on either server (took ${seconds}).`,
    'Sizes are as the servers count them (1 KB = 1024 bytes). Dates are the dates the old server received the messages.',
    `Machine-readable twin: the JSON file of this report (format version ${version}).`,
  ],
};

const PL: Strings = {
  docTitle: 'Migracja poczty: raport przed przeniesieniem',
  preparedFor: 'Przygotowano dla',
  plan: 'Plan',
  generated: 'Wygenerowano',
  sourceServer: 'Stary serwer',
  destinationServer: 'Nowy serwer',
  sections: {
    summary: 'Podsumowanie',
    problems: 'Problemy wykryte przed migracj\u0105',
    accounts: 'Skrzynki',
    addresses: 'Adresy',
    about: 'O raporcie',
  },
  verdictReady: 'Gotowe do migracji',
  verdictReadyText: 'Nic nie blokuje migracji. Ewentualne uwagi poni\u017cej warto przejrze\u0107.',
  verdictBlocked: (n) => `Jeszcze nie gotowe: ${countOf('pl', n, 'problems')} do rozwi\u0105zania`,
  verdictBlockedText:
    'Przy ka\u017cdym problemie oznaczonym \u201eBlokuje\u201d jest opis, co zrobi\u0107. Po ich rozwi\u0105zaniu warto wygenerowa\u0107 raport ponownie.',
  figures: {
    mailboxes: 'Skrzynki',
    folders: 'Foldery do skopiowania',
    messages: 'Wiadomo\u015bci',
    size: '\u0141\u0105czny rozmiar',
    period: 'Poczta z okresu',
    duration: 'Szacowany czas kopiowania',
    blockers: 'Blokuj\u0105ce',
    warnings: 'Uwagi',
  },
  estimateBasis: ({ throughput, basis, messages }) =>
    `${messages} przy ${throughput} wiadomo\u015bciach na sekund\u0119 \u2013 ` +
    (basis === 'learned'
      ? 'pr\u0119dko\u015b\u0107 zmierzona podczas wcze\u015bniejszych przebieg\u00f3w tej migracji.'
      : basis === 'plan'
        ? 'pr\u0119dko\u015b\u0107 podana w planie (report.throughput).'
        : 'ostro\u017cne za\u0142o\u017cenie; podaj report.throughput w planie albo wykonaj jeden przebieg, a raport u\u017cyje zmierzonej pr\u0119dko\u015bci.'),
  severity: { blocker: 'Blokuje', warning: 'Uwaga', info: 'Informacja' },
  problemHeaders: {
    severity: 'Waga',
    problem: 'Problem',
    account: 'Skrzynka',
    count: 'Ile',
    action: 'Co zrobi\u0107',
  },
  noProblems: 'Nie wykryto problem\u00f3w.',
  overviewProblems: 'Problemy',
  allAccounts: 'wszystkie',
  andMore: (n) => `... i jeszcze ${formatNumber('pl', n)}`,
  problem: {
    'login-failed': {
      title: (p) =>
        String(p.code).startsWith('AUTH_')
          ? `Nie mo\u017cna zalogowa\u0107 si\u0119 na ${side.pl(p.side ?? '')} serwer jako ${p.user}`
          : `Brak po\u0142\u0105czenia z ${p.side === 'source' ? 'starym' : 'nowym'} serwerem dla ${p.user}`,
      action: () =>
        'Sprawd\u017a nazw\u0119 u\u017cytkownika i has\u0142o (lub token) tej skrzynki w planie. Dop\u00f3ki logowanie si\u0119 nie uda, ta skrzynka nie zostanie przeniesiona.',
    },
    'folder-unreadable': {
      title: () => 'Foldery, kt\u00f3rych nie da si\u0119 odczyta\u0107 na starym serwerze',
      action: () =>
        'Otw\u00f3rz je w programie pocztowym lub zapytaj obecnego dostawc\u0119; migracja zatrzyma\u0142aby si\u0119 na nich.',
    },
    'over-append-limit': {
      title: (p) => `Wiadomo\u015bci wi\u0119ksze, ni\u017c przyjmuje nowy serwer (${p.limit})`,
      action: () =>
        'Popro\u015b nowego dostawc\u0119 o podniesienie limitu albo zapisz za\u0142\u0105czniki tych wiadomo\u015bci i usu\u0144 je ze starej skrzynki przed przeniesieniem. W przeciwnym razie zostan\u0105 pomini\u0119te i wypisane po migracji.',
    },
    'over-plan-limit': {
      title: (p) =>
        `Wiadomo\u015bci powy\u017cej limitu rozmiaru z planu (${p.limit}) \u2013 zostan\u0105 pomini\u0119te`,
      action: () =>
        'Je\u015bli musz\u0105 zosta\u0107 przeniesione, podnie\u015b limits.maxMessageSize w planie; w przeciwnym razie zachowaj ich kopi\u0119 w innym miejscu.',
    },
    'append-limit-per-folder': {
      title: () => 'Nowy serwer ogranicza rozmiar wiadomo\u015bci osobno dla ka\u017cdego folderu',
      action: () =>
        'Tych limit\u00f3w nie da si\u0119 tu odczyta\u0107; ka\u017cda wiadomo\u015b\u0107 odrzucona przez nowy serwer zostanie wymieniona po migracji.',
    },
    'quota-too-small': {
      title: (p) => `Za ma\u0142o miejsca na nowym serwerze: brakuje ${p.missing}`,
      action: (p) =>
        `Popro\u015b nowego dostawc\u0119 o zwi\u0119kszenie limitu skrzynki ${p.user} do co najmniej ${p.needed} albo najpierw uporz\u0105dkuj star\u0105 skrzynk\u0119 (Kosz, Spam, du\u017ce za\u0142\u0105czniki).`,
    },
    'flags-not-kept': {
      title: () => 'Flagi i etykiety, kt\u00f3rych nowy serwer nie zachowa',
      action: () =>
        'Wiadomo\u015bci zostan\u0105 skopiowane bez tych oznacze\u0144. Je\u015bli etykiety s\u0105 wa\u017cne, popro\u015b nowego dostawc\u0119 o zezwolenie na w\u0142asne s\u0142owa kluczowe.',
    },
    'flags-unverified': {
      title: () =>
        'U\u017cywane etykiety (s\u0142owa kluczowe), kt\u00f3rych zachowania nowy serwer nie potwierdzi\u0142',
      action: () =>
        'Serwer m\u00f3wi, kt\u00f3re oznaczenia zachowuje, tylko programowi z prawem zapisu, a ten raport jedynie czyta. Oznaczenia przeczytane, z odpowiedzi\u0105, oflagowane i robocze zachowuje ka\u017cdy serwer; je\u015bli kt\u00f3ra\u015b etykieta przepadnie, migracja wymieni ka\u017cd\u0105 wiadomo\u015b\u0107, kt\u00f3rej to dotyczy.',
    },
    'folders-skipped': {
      title: () => 'Foldery, kt\u00f3re nie zostan\u0105 skopiowane',
      action: () =>
        'Sprawd\u017a list\u0119. Aby mimo to skopiowa\u0107 kt\u00f3ry\u015b z nich, dodaj go do folders.include (lub folders.map) w planie.',
    },
    'outside-window': {
      title: (p) => `Wiadomo\u015bci spoza zakresu dat z planu (${p.window}) \u2013 celowo pomini\u0119te`,
      action: () =>
        'Zostaj\u0105 na starym serwerze i nie s\u0105 liczone w powy\u017cszych liczbach. Aby je r\u00f3wnie\u017c przenie\u015b\u0107, poszerz lub usu\u0144 zakres dat w planie (window.since / window.before).',
    },
    'mapping-warnings': {
      title: () => 'Nazwy folder\u00f3w, kt\u00f3re wymaga\u0142y decyzji',
      action: () =>
        'Przejrzyj ka\u017cd\u0105 pozycj\u0119; aby wybra\u0107 inne miejsce dla folderu, u\u017cyj folders.map w planie.',
    },
    'merge-into-existing': {
      title: () => 'Foldery, kt\u00f3re na nowym serwerze ju\u017c zawieraj\u0105 poczt\u0119 (scalenie)',
      action: () =>
        'Poczta zostanie do\u0142o\u017cona do istniej\u0105cej; wiadomo\u015bci, kt\u00f3re ju\u017c tam s\u0105, zostan\u0105 rozpoznane i nie b\u0119d\u0105 kopiowane drugi raz. Aby foldery pozosta\u0142y osobno, wska\u017c inne miejsce w folders.map.',
    },
    'address-unmapped': {
      title: () => 'Adresy bez miejsca docelowego \u2013 poczta do nich przepad\u0142aby',
      action: () =>
        'Podaj dla ka\u017cdego cel w sekcji addresses planu (skrzynk\u0119 na nowym serwerze lub adres zewn\u0119trzny) albo utw\u00f3rz go na nowym serwerze.',
    },
    'address-target-unknown': {
      title: () => 'Adresy wskazuj\u0105ce nieznany adres w domenie',
      action: () =>
        'Cel nie jest ani skrzynk\u0105 z tego planu, ani adresem z listy: sprawd\u017a, czy istnieje na nowym serwerze.',
    },
  },
  side: { source: 'Stary serwer', destination: 'Nowy serwer' },
  loginHeader: 'Logowanie',
  loginOk: 'OK',
  loginFailed: 'odrzucone',
  quotaLine: ({ usage, limit, incoming }) =>
    `Miejsce na nowym serwerze: zaj\u0119te ${usage} z ${limit}; przyb\u0119dzie ${incoming}.`,
  noQuota: 'Miejsce na nowym serwerze: serwer nie podaje limitu.',
  appendLimitLine: (limit) =>
    `Najwi\u0119ksza wiadomo\u015b\u0107, jak\u0105 przyjmie nowy serwer: ${limit}.`,
  perFolderLimit:
    'Najwi\u0119ksza wiadomo\u015b\u0107, jak\u0105 przyjmie nowy serwer: limit ustalany osobno dla folder\u00f3w.',
  noAppendLimit:
    'Najwi\u0119ksza wiadomo\u015b\u0107, jak\u0105 przyjmie nowy serwer: serwer nie podaje limitu.',
  alreadyCopiedLine: ({ messages, size }) =>
    `Skopiowane we wcze\u015bniejszych przebiegach: ${messages} (${size}).`,
  mappingFromResolved: 'Mapowanie folder\u00f3w: zatwierdzone w planie (plik .resolved.yaml).',
  mappingProposed:
    'Mapowanie folder\u00f3w: zaproponowane teraz na podstawie obu serwer\u00f3w (aby je przejrze\u0107 i poprawi\u0107, uruchom \u201emailshift plan\u201d).',
  mappingNone:
    'Mapowanie folder\u00f3w: nieznane, dop\u00f3ki nie da si\u0119 odczyta\u0107 obu serwer\u00f3w.',
  providerLine: ({ side, provider, by, settings }) =>
    `${side}: ${provider} ${by === 'plan' ? '(ustawienia dostawcy wskazane w planie)' : '(rozpoznany po mo\u017cliwo\u015bciach serwera; wska\u017c go w planie, by zastosowa\u0107 jego limity)'}${settings ? `: ${settings}` : ''}.`,
  providerNames: {
    google: 'Gmail / Google Workspace',
    microsoft365: 'Microsoft 365 / Exchange Online',
    generic: 'zwyk\u0142y serwer IMAP',
  },
  pendingRepairLine: (what) => `Ta wersja tego nie naprawia: ${what}.`,
  labelMode: {
    folders: 'foldery (jedna kopia w ka\u017cdym folderze etykiety, jak Gmail pokazuje je przez IMAP)',
    'one-copy': 'jedna kopia (jedna kopia wiadomo\u015bci, pozosta\u0142e etykiety jako s\u0142owa kluczowe)',
  },
  gmailLabelsLine: ({ labels, multi, matchedBy, mode, folders, oneCopy }) =>
    `Etykiety Gmaila: ${labels}, z czego ${multi} z wi\u0119cej ni\u017c jedn\u0105 etykiet\u0105 (dopasowanie: ${matchedBy}). Tryb etykiet: ${mode}. Tryb folder\u00f3w kopiuje ${folders}; tryb jednej kopii ${oneCopy}.`,
  gmailArchivedLine: ({ messages, size, destination }) =>
    `Zarchiwizowane bez etykiety (tylko w \u201eWszystkie\u201d): ${messages} (${size}), kopiowane do ${destination} po folderach etykiet.`,
  gmailImportantLine: (messages) =>
    `Wa\u017cne: s\u0142owo kluczowe $Important na: ${messages}; oznaczone gwiazdk\u0105 zachowaj\u0105 flag\u0119 \\Flagged (\u017caden z tych widok\u00f3w nie jest kopiowany jako folder).`,
  gmailSpamTrashLine: ({ spam, trash }) =>
    `Spam: ${spam}; Kosz: ${trash}. Oba s\u0105 kopiowane, chyba \u017ce folders.exclude je pomija.`,
  mappingHeaders: {
    source: 'Folder na starym serwerze',
    destination: 'Folder na nowym serwerze',
    why: 'Dlaczego',
    onDestination: 'Na nowym serwerze',
    messages: 'Wiadomo\u015bci',
    size: 'Rozmiar',
    period: 'Poczta z okresu',
  },
  newFolder: 'nowy',
  existingFolder: (m) => `istnieje (${m})`,
  notCopied: 'nie kopiujemy',
  unknownDestination: '?',
  totalRow: 'Razem do skopiowania',
  largestTitle: 'Najwi\u0119ksze wiadomo\u015bci',
  largestHeaders: { folder: 'Folder', date: 'Data', size: 'Rozmiar', messageId: 'Message-ID' },
  noMessages: 'Brak wiadomo\u015bci.',
  reason: {
    inbox: 'skrzynka odbiorcza',
    'special-use': 'folder specjalny (oznaczony przez serwer)',
    'localized-name': 'folder specjalny (rozpoznany po nazwie)',
    'override-map': 'plan: folders.map',
    'override-rename': 'plan: folders.rename',
    'same-name': 'ta sama nazwa',
    'follows-parent': 'przenosi si\u0119 razem z folderem nadrz\u0119dnym',
    excluded: 'wykluczony w planie',
    'not-selectable': 'kontener bez wiadomo\u015bci',
    virtual: 'folder wirtualny (widok innych folder\u00f3w)',
    'provider-duplicate': 'powielony widok folder\u00f3w dostawcy',
    'not-mail': 'to nie poczta (kalendarz, kontakty, zadania...)',
    'archived-only': 'Gmail \u201eWszystkie\u201d: tylko poczta zarchiwizowana bez etykiety',
    'not-in-plan': 'brak w zatwierdzonym mapowaniu (nowy folder?)',
    unknown: 'nieznane: nie uda\u0142o si\u0119 odczyta\u0107 nowego serwera',
  },
  addressHeaders: {
    address: 'Adres',
    kind: 'Rodzaj',
    target: 'Cel w planie',
    delivers: 'Poczta trafi do',
    status: 'Stan',
  },
  addressKind: { mailbox: 'skrzynka', alias: 'alias', forward: 'przekierowanie' },
  addressStatus: {
    account: 'przenoszona skrzynka',
    external: 'adres zewn\u0119trzny',
    unmapped: 'BRAK CELU',
    'unknown-target': 'nieznany cel',
    loop: 'P\u0118TLA',
  },
  addressFromAccounts: '(skrzynka z planu)',
  noAddresses: 'Plan nie wymienia adres\u00f3w.',
  about: ({ version, seconds }) => [
    `Raport powsta\u0142 wy\u0142\u0105cznie przez odczyt obu serwer\u00f3w: listy folder\u00f3w, ich stanu, rozmiar\u00f3w, dat i oznacze\u0144 wiadomo\u015bci. Na \u017cadnym serwerze nic nie zosta\u0142o zapisane, przeniesione ani oznaczone jako przeczytane (czas: ${seconds}).`,
    'Rozmiary podano tak, jak licz\u0105 je serwery (1 KB = 1024 bajty). Daty to daty otrzymania wiadomo\u015bci przez stary serwer.',
    `Wersja do odczytu maszynowego: plik JSON tego raportu (format w wersji ${version}).`,
  ],
};

const ALL: Record<Lang, Strings> = { pl: PL, en: EN };

/** The words of a language. */
export function stringsFor(lang: Lang): Strings {
  return ALL[lang];
}
