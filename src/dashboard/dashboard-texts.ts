/**
 * The dashboard's words in Polish and English (the page is also what a person shows the client).
 * Non-ASCII letters are written as \u escapes.
 */
import type { Lang } from '../core/units.js';

/** Every word of the dashboard in one language. */
export interface DashboardTexts {
  title: (plan: string) => string;
  client: string;
  running: string;
  idle: string;
  cutoverDone: string;
  noState: string;
  cards: {
    messages: string;
    size: string;
    rate: string;
    eta: string;
    connections: string;
    nextPass: string;
  };
  finalPass: string;
  noPassPlanned: string;
  perSecond: string;
  throughput: string;
  throughputNone: string;
  accounts: string;
  headers: {
    account: string;
    state: string;
    messages: string;
    size: string;
    copied: string;
    present: string;
    skipped: string;
    failed: string;
    lastPass: string;
  };
  state: Record<string, string>;
  pass: (n: number, status: string) => string;
  passStatus: Record<string, string>;
  retryAt: (failures: number, at: string) => string;
  failures: string;
  more: (n: number) => string;
  skippedOnPurpose: string;
  passes: string;
  passHeaders: {
    number: string;
    started: string;
    trigger: string;
    status: string;
    copied: string;
    failed: string;
  };
  trigger: Record<string, string>;
  updated: string;
  cutoverAt: string;
  timesUtc: string;
}

const EN: DashboardTexts = {
  title: (plan) => `Mail migration ${plan}`,
  client: 'Prepared for',
  running: 'Copying now',
  idle: 'Idle',
  cutoverDone: 'Cutover done',
  noState: 'Nothing has run yet for this plan.',
  cards: {
    messages: 'Messages handled',
    size: 'Copied',
    rate: 'Speed',
    eta: 'Time left',
    connections: 'Connections',
    nextPass: 'Next pass',
  },
  finalPass: 'final',
  noPassPlanned: 'none planned',
  perSecond: 'msg/s',
  throughput: 'Throughput (messages per second)',
  throughputNone: 'No copy in progress or recorded yet.',
  accounts: 'Mailboxes',
  headers: {
    account: 'Mailbox',
    state: 'State',
    messages: 'Messages',
    size: 'Size',
    copied: 'Copied',
    present: 'Already there',
    skipped: 'Skipped',
    failed: 'Failed',
    lastPass: 'Last pass',
  },
  state: {
    'not started': 'not started',
    'in progress': 'in progress',
    interrupted: 'interrupted',
    done: 'done',
    incomplete: 'incomplete',
    running: 'copying',
    waiting: 'waiting',
    stopped: 'stopped',
  },
  pass: (n, status) => `#${n} ${status}`,
  passStatus: {
    running: 'running',
    complete: 'complete',
    incomplete: 'incomplete',
    interrupted: 'interrupted',
    failed: 'failed',
    done: 'done',
    stopped: 'stopped',
  },
  retryAt: (failures, at) => `${failures} failed passes; next try ${at}`,
  failures: 'Failures',
  more: (n) => `... and ${n} more (mailshift status)`,
  skippedOnPurpose: 'Skipped on purpose',
  passes: 'Passes',
  passHeaders: {
    number: 'Pass',
    started: 'Started',
    trigger: 'Why',
    status: 'Result',
    copied: 'Copied',
    failed: 'Failed',
  },
  trigger: {
    first: 'first copy',
    schedule: 'scheduled',
    resume: 'resumed after a stop',
    wake: 'new mail',
    cutover: 'final, after the cutover',
  },
  updated: 'Updated',
  cutoverAt: 'Cutover',
  timesUtc: 'Times are UTC.',
};

const PL: DashboardTexts = {
  title: (plan) => `Migracja poczty ${plan}`,
  client: 'Dla',
  running: 'Trwa kopiowanie',
  idle: 'Bez zadania',
  cutoverDone: 'Prze\u0142\u0105czenie zako\u0144czone',
  noState: 'Dla tego planu nic jeszcze nie uruchomiono.',
  cards: {
    messages: 'Wiadomo\u015bci obs\u0142u\u017cone',
    size: 'Skopiowano',
    rate: 'Pr\u0119dko\u015b\u0107',
    eta: 'Pozosta\u0142y czas',
    connections: 'Po\u0142\u0105czenia',
    nextPass: 'Nast\u0119pny przebieg',
  },
  finalPass: 'ko\u0144cowy',
  noPassPlanned: 'brak',
  perSecond: 'wiad./s',
  throughput: 'Przepustowo\u015b\u0107 (wiadomo\u015bci na sekund\u0119)',
  throughputNone: 'Kopiowanie nie trwa i nie zosta\u0142o jeszcze zapisane.',
  accounts: 'Skrzynki',
  headers: {
    account: 'Skrzynka',
    state: 'Stan',
    messages: 'Wiadomo\u015bci',
    size: 'Rozmiar',
    copied: 'Skopiowane',
    present: 'Ju\u017c by\u0142y',
    skipped: 'Pomini\u0119te',
    failed: 'B\u0142\u0119dy',
    lastPass: 'Ostatni przebieg',
  },
  state: {
    'not started': 'nierozpocz\u0119ta',
    'in progress': 'w toku',
    interrupted: 'przerwana',
    done: 'gotowa',
    incomplete: 'niepe\u0142na',
    running: 'kopiowanie',
    waiting: 'czeka',
    stopped: 'zatrzymana',
  },
  pass: (n, status) => `nr ${n}: ${status}`,
  passStatus: {
    running: 'trwa',
    complete: 'pe\u0142ny',
    incomplete: 'niepe\u0142ny',
    interrupted: 'przerwany',
    failed: 'nieudany',
    done: 'gotowa',
    stopped: 'zatrzymana',
  },
  retryAt: (failures, at) => `nieudane przebiegi: ${failures}; kolejna pr\u00f3ba ${at}`,
  failures: 'B\u0142\u0119dy',
  more: (n) => `... i jeszcze ${n} (mailshift status)`,
  skippedOnPurpose: 'Pomini\u0119te celowo',
  passes: 'Przebiegi',
  passHeaders: {
    number: 'Przebieg',
    started: 'Start',
    trigger: 'Pow\u00f3d',
    status: 'Wynik',
    copied: 'Skopiowane',
    failed: 'B\u0142\u0119dy',
  },
  trigger: {
    first: 'pierwsze kopiowanie',
    schedule: 'wed\u0142ug harmonogramu',
    resume: 'wznowienie po przerwie',
    wake: 'nowa poczta',
    cutover: 'ko\u0144cowy, po prze\u0142\u0105czeniu',
  },
  updated: 'Aktualizacja',
  cutoverAt: 'Prze\u0142\u0105czenie',
  timesUtc: 'Czas UTC.',
};

/** The dashboard's words in a language. */
export function dashboardTexts(lang: Lang): DashboardTexts {
  return lang === 'pl' ? PL : EN;
}
