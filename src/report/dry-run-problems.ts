/**
 * Problem detection for the dry-run report: pure functions from what discovery found and what the
 * mapping decided to the problems a client must know before the move, each with a count and the
 * things concerned. A small registry of detectors, one per kind, run in order.
 */
import type { AccountDiscovery, DestinationFolderFacts, MessageRef } from '../plan/discovery.js';
import type { AddressRow, FolderRow, Problem, ProblemKind, Severity } from './dry-run-model.js';
import { countOf, stringsFor } from './dry-run-texts.js';
import { formatDate, formatNumber, formatSize, type Lang } from '../core/units.js';
import { messageSizeLimit, type MessageSizeLimit } from '../core/capabilities.js';
import { keepable } from '../core/flags.js';
import { outsideWindow, type ResolvedWindow } from '../plan/window.js';

/** Items listed per problem; the rest is counted in `more`. */
export const MAX_ITEMS = 20;

/** What the detectors of one account look at. */
export interface AccountFacts {
  id: string;
  discovery: AccountDiscovery;
  rows: FolderRow[];
  /** Source folders a previous run already synced: their destination content is ours, not a merge. */
  syncedFolders: ReadonlySet<string>;
  alreadyCopied: { messages: number; bytes: number };
  /** The plan's `limits.maxMessageSize`. */
  maxMessageSize?: number;
  /** The account's date window: messages outside it are left out on purpose. */
  window?: ResolvedWindow;
  lang: Lang;
}

/** System flags every server keeps (RFC 3501 2.3.2); anything else is a keyword. */
const SYSTEM_FLAGS = ['\\seen', '\\answered', '\\flagged', '\\deleted', '\\draft'];

/** What a problem says besides its items: the account, and a count, bytes or values for its words. */
interface ProblemFacts {
  account?: string;
  /** How many things it concerns; one per item unless said. */
  count?: number;
  bytes?: number;
  params?: Problem['params'];
}

/**
 * A problem about `items` (one line per thing concerned, the first MAX_ITEMS listed), or none
 * when there is nothing to list: every detector ends here.
 */
function problemAbout(
  kind: ProblemKind,
  severity: Severity,
  unit: Problem['unit'],
  items: string[],
  facts: ProblemFacts = {},
): Problem[] {
  if (items.length === 0) return [];
  return [
    {
      kind,
      severity,
      ...(facts.account !== undefined ? { account: facts.account } : {}),
      count: facts.count ?? items.length,
      unit,
      ...(facts.bytes !== undefined ? { bytes: facts.bytes } : {}),
      params: facts.params ?? {},
      items: items.slice(0, MAX_ITEMS),
      more: Math.max(0, items.length - MAX_ITEMS),
    },
  ];
}

/** Rows the run will copy: decided ones, and those whose destination is unknown until a login works. */
export const copiedRows = (rows: FolderRow[]) => rows.filter((r) => r.action !== 'skip');
const copied = copiedRows;

/** Every message of the folders that will be copied, largest first, the date window aside. */
function messagesOfCopiedFolders(f: AccountFacts): MessageRef[] {
  if (!f.discovery.source.ok) return [];
  const copy = new Set(copied(f.rows).map((r) => r.source));
  return f.discovery.source.folders
    .filter((x) => copy.has(x.path))
    .flatMap((x) => x.bySize.refs())
    .sort((a, b) => b.size - a.size);
}

/** Whether the account's date window leaves a message out (a date that cannot be read stays in). */
function leftOut(f: AccountFacts, m: MessageRef): boolean {
  if (!f.window || m.date === '') return false;
  return outsideWindow(f.window, Date.parse(m.date)) !== undefined;
}

/** The messages the run will consider: those of the copied folders inside the date window. */
function copiedMessages(f: AccountFacts): MessageRef[] {
  return messagesOfCopiedFolders(f).filter((m) => !leftOut(f, m));
}

/** Messages of the copied folders the date window leaves out, largest first. */
export function windowedOut(f: AccountFacts): MessageRef[] {
  return f.window ? messagesOfCopiedFolders(f).filter((m) => leftOut(f, m)) : [];
}

/** The window in the plan's words: `since 2y`, `before 2026-01-01`. */
export function windowWords(w: ResolvedWindow): string {
  return [w.text.since && `since ${w.text.since}`, w.text.before && `before ${w.text.before}`]
    .filter(Boolean)
    .join(', ');
}

/** "INBOX.Oferty, UID 12, 30 KB, 2024-03-02, <id@host>": enough to find the message in a mail program. */
export function describeMessage(m: MessageRef, lang: Lang): string {
  return [m.folder, `UID ${m.uid}`, formatSize(lang, m.size), formatDate(m.date), m.messageId ?? '']
    .filter(Boolean)
    .join(', ');
}

/** The size limit the run applies to this account's messages, and whose it is. */
function sizeLimit(f: AccountFacts): MessageSizeLimit | undefined {
  const dst = f.discovery.destination;
  return messageSizeLimit(dst.ok ? dst.appendLimit : undefined, f.maxMessageSize);
}

/** Messages the run will leave out for their size. */
export function oversizeMessages(f: AccountFacts): MessageRef[] {
  const limit = sizeLimit(f);
  return limit ? copiedMessages(f).filter((m) => m.size > limit.bytes) : [];
}

type Detector = (f: AccountFacts) => Problem[];

const loginFailed: Detector = (f) =>
  (['source', 'destination'] as const).flatMap((side) => {
    const d = f.discovery[side];
    if (d.ok) return [];
    // The action says what to do about a refused password; other failures (an OAuth2 client, a
    // sign-in, a scope, an admin's rights: AUTH_* codes of src/auth) keep their own, specific hint.
    const hint = d.error.hint && d.error.code !== 'AUTH_FAILED' ? [d.error.hint] : [];
    return problemAbout('login-failed', 'blocker', 'logins', [d.error.message, ...hint], {
      account: f.id,
      count: 1,
      params: { side, user: d.user, code: d.error.code },
    });
  });

const folderUnreadable: Detector = (f) =>
  problemAbout(
    'folder-unreadable',
    'blocker',
    'folders',
    copied(f.rows)
      .filter((r) => r.error)
      .map((r) => `${r.source}: ${r.error}`),
    { account: f.id },
  );

const oversize: Detector = (f) => {
  const limit = sizeLimit(f);
  if (!limit) return [];
  const over = oversizeMessages(f);
  // The destination refuses what is over its limit; the plan's limit is a choice to skip.
  const byDestination = limit.by === 'append';
  return problemAbout(
    byDestination ? 'over-append-limit' : 'over-plan-limit',
    byDestination ? 'blocker' : 'warning',
    'messages',
    over.map((m) => describeMessage(m, f.lang)),
    {
      account: f.id,
      bytes: over.reduce((s, m) => s + m.size, 0),
      params: { limit: formatSize(f.lang, limit.bytes), limitBytes: limit.bytes },
    },
  );
};

/** Bytes that will arrive on the destination: what is copied, minus earlier runs and oversize skips. */
export function incomingBytes(f: AccountFacts): number {
  const total = copied(f.rows).reduce((s, r) => s + r.bytes, 0);
  const skipped = [...oversizeMessages(f), ...windowedOut(f)].reduce((s, m) => s + m.size, 0);
  return Math.max(0, total - skipped - f.alreadyCopied.bytes);
}

const quota: Detector = (f) => {
  const dst = f.discovery.destination;
  if (!dst.ok || !dst.quota) return [];
  const incoming = incomingBytes(f);
  const free = Math.max(0, dst.quota.limit - dst.quota.usage);
  if (incoming <= free) return [];
  const missing = incoming - free;
  const L = f.lang;
  const sizes = {
    usage: formatSize(L, dst.quota.usage),
    limit: formatSize(L, dst.quota.limit),
    incoming: formatSize(L, incoming),
  };
  return problemAbout(
    'quota-too-small',
    'blocker',
    'bytes',
    [`${dst.user}: ${stringsFor(L).quotaLine(sizes)}`],
    {
      account: f.id,
      count: missing,
      bytes: missing,
      params: {
        user: dst.user,
        missing: formatSize(L, missing),
        needed: formatSize(L, dst.quota.usage + incoming),
        ...sizes,
      },
    },
  );
};

/**
 * The PERMANENTFLAGS the destination announced for a folder: its own, else (a new folder) those
 * of INBOX; undefined when it announced none. The report keeps "not announced" apart from any
 * list: it then says the flags are unverified, where `keepable` would read an empty list as
 * "keeps everything" (an empty list is never stored: see DestinationFolderFacts.permanentFlags).
 */
function announcedPermanentFlags(
  destination: string | undefined,
  folders: DestinationFolderFacts[],
): string[] | undefined {
  const byPath = new Map(folders.map((x) => [x.path.normalize('NFC'), x]));
  const own = destination ? byPath.get(destination.normalize('NFC')) : undefined;
  // A folder created by the run gets the server's defaults; INBOX shows them.
  const flags = own ? own.permanentFlags : byPath.get('INBOX')?.permanentFlags;
  return flags && flags.length > 0 ? flags : undefined;
}

/** Flags used by the copied folders, with what the destination keeps where it says so. */
function flagUse(f: AccountFacts): { dropped: FlagTally; unverified: FlagTally } {
  const dropped: FlagTally = new Map();
  const unverified: FlagTally = new Map();
  const src = f.discovery.source;
  const dst = f.discovery.destination;
  if (!src.ok || !dst.ok) return { dropped, unverified };
  const facts = new Map(src.folders.map((x) => [x.path, x]));
  for (const row of copied(f.rows)) {
    const counts = facts.get(row.source)?.flagCounts ?? {};
    const permanent = announcedPermanentFlags(row.destination, dst.folders);
    for (const [flag, n] of Object.entries(counts)) {
      if (permanent !== undefined) {
        if (keepable([flag], permanent).dropped.length > 0) tally(dropped, flag, n, row.source);
      } else if (!SYSTEM_FLAGS.includes(flag.toLowerCase())) {
        tally(unverified, flag, n, row.source);
      }
    }
  }
  return { dropped, unverified };
}

type FlagTally = Map<string, { messages: number; folders: string[] }>;

function tally(into: FlagTally, flag: string, n: number, folder: string): void {
  const e = into.get(flag) ?? { messages: 0, folders: [] };
  e.messages += n;
  e.folders.push(folder);
  into.set(flag, e);
}

/** "$label1: 6 (INBOX, INBOX.Klienci)", most used first. */
function flagLines(m: FlagTally, lang: Lang, prefix = ''): string[] {
  return [...m.entries()]
    .sort((a, b) => b[1].messages - a[1].messages || a[0].localeCompare(b[0]))
    .map(([flag, e]) => `${prefix}${flag}: ${formatNumber(lang, e.messages)} (${e.folders.join(', ')})`);
}

const flagsNotKept: Detector = (f) =>
  problemAbout('flags-not-kept', 'warning', 'flags', flagLines(flagUse(f).dropped, f.lang), {
    account: f.id,
  });

const skipped: Detector = (f) => {
  const rows = f.rows.filter((r) => r.action === 'skip');
  const reason = (r: FolderRow) => stringsFor(f.lang).reason[r.reason ?? ''] ?? r.reason ?? '';
  return problemAbout(
    'folders-skipped',
    rows.some((r) => r.messages > 0) ? 'warning' : 'info',
    'folders',
    rows.map(
      (r) =>
        `${r.source}: ${reason(r)}${r.detail ? ` (${r.detail})` : ''}, ${countOf(f.lang, r.messages, 'messages')}`,
    ),
    { account: f.id },
  );
};

/** One line per folder: how many messages the window leaves out there. */
const outsideTheWindow: Detector = (f) => {
  const out = windowedOut(f);
  if (!f.window || out.length === 0) return [];
  const perFolder = new Map<string, { messages: number; bytes: number }>();
  for (const m of out) {
    const c = perFolder.get(m.folder) ?? { messages: 0, bytes: 0 };
    c.messages++;
    c.bytes += m.size;
    perFolder.set(m.folder, c);
  }
  return problemAbout(
    'outside-window',
    'info',
    'messages',
    [...perFolder].map(
      ([folder, c]) =>
        `${folder}: ${countOf(f.lang, c.messages, 'messages')}, ${formatSize(f.lang, c.bytes)}`,
    ),
    {
      account: f.id,
      count: out.length,
      bytes: out.reduce((s, m) => s + m.size, 0),
      params: { window: windowWords(f.window) },
    },
  );
};

const mappingWarnings: Detector = (f) =>
  problemAbout(
    'mapping-warnings',
    'warning',
    'folders',
    copied(f.rows).flatMap((r) => r.warnings.map((w) => `${r.source} -> ${r.destination}: ${w}`)),
    { account: f.id },
  );

const merges: Detector = (f) => {
  const n = (v: number) => formatNumber(f.lang, v);
  return problemAbout(
    'merge-into-existing',
    'warning',
    'folders',
    copied(f.rows)
      .filter((r) => r.existing && (r.destinationMessages ?? 0) > 0 && !f.syncedFolders.has(r.source))
      .map((r) => `${r.source} -> ${r.destination}: ${n(r.destinationMessages ?? 0)} + ${n(r.messages)}`),
    { account: f.id },
  );
};

/** The detectors of one account, in the order their problems are listed. */
export const ACCOUNT_DETECTORS: readonly Detector[] = [
  loginFailed,
  folderUnreadable,
  oversize,
  quota,
  flagsNotKept,
  skipped,
  outsideTheWindow,
  mappingWarnings,
  merges,
];

/** Every problem of one account. */
export function detectAccountProblems(f: AccountFacts): Problem[] {
  return ACCOUNT_DETECTORS.flatMap((d) => d(f));
}

/**
 * One note for the whole plan: keywords in use where the destination did not say what it keeps
 * (it says so only to a read-write SELECT; see DestinationFolderFacts.permanentFlags).
 */
function unverifiedFlags(all: AccountFacts[]): Problem[] {
  const names = new Set<string>();
  const items: string[] = [];
  for (const f of all) {
    const { unverified } = flagUse(f);
    for (const k of unverified.keys()) names.add(k);
    items.push(...flagLines(unverified, f.lang, `${f.id}: `));
  }
  return problemAbout('flags-unverified', 'info', 'flags', items, { count: names.size });
}

/** One note when the destination announces APPENDLIMIT without a value (RFC 7889: set per folder). */
function perFolderLimit(all: AccountFacts[]): Problem[] {
  const concerned = all.filter(
    (f) => f.discovery.destination.ok && f.discovery.destination.appendLimit === 'per-folder',
  );
  // Which messages it concerns cannot be known: the count stays empty.
  return problemAbout(
    'append-limit-per-folder',
    'info',
    'messages',
    concerned.map((f) => f.id),
    { count: 0 },
  );
}

/** Problems that concern the plan as a whole rather than one account. */
export function detectPlanProblems(all: AccountFacts[]): Problem[] {
  return [...perFolderLimit(all), ...unverifiedFlags(all)];
}

/** Problems of the plan's address list: no destination or a loop (blocker), unknown internal target. */
export function detectAddressProblems(rows: AddressRow[]): Problem[] {
  const lost = rows.filter((r) => r.status === 'unmapped' || r.status === 'loop');
  const unknown = rows.filter((r) => r.status === 'unknown-target');
  return [
    ...problemAbout(
      'address-unmapped',
      'blocker',
      'addresses',
      lost.map(
        (r) =>
          `${r.address} (${r.kind}${r.target ? ` -> ${r.target}` : ''}${r.status === 'loop' ? ', loop' : ''})`,
      ),
    ),
    ...problemAbout(
      'address-target-unknown',
      'warning',
      'addresses',
      unknown.map((r) => `${r.address} -> ${r.delivers ?? r.target ?? ''}`),
    ),
  ];
}

const ORDER: Record<Severity, number> = { blocker: 0, warning: 1, info: 2 };

/** Blockers first, then warnings, then notes; stable within a severity. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => ORDER[a.p.severity] - ORDER[b.p.severity] || a.i - b.i)
    .map((x) => x.p);
}
