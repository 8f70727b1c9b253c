/**
 * Folder mapping: where each source folder goes on the destination, and why. Pure: it reads the two
 * folder listings (from discovery or from fixtures) and the user's `folders` rules and returns one
 * decision per source folder. The rules are written up for users in the README, "Folder mapping".
 *
 * Internally a folder name is a list of levels, not a string: a level may contain the other server's
 * delimiter ("a.b" on a `/` server), and joining too early would turn it into two levels.
 */
import { MailshiftError } from '../core/errors.js';
import type {
  FolderDecision,
  FolderListing,
  MappingReason,
  MappingRules,
  NamespaceInfo,
  SideListing,
  SkipReason,
  SpecialUse,
} from '../core/folders.js';
import { isNamedSpecialUse, nameKey, specialUseOfName } from './localized-names.js';
import { isSelectable } from '../core/folders.js';
import { GuardedRegExp } from './guarded-regexp.js';
import {
  exchangeLevels,
  exchangeNonMail,
  gmailLabelLevel,
  gmailViewDetail,
  GENERIC_PROFILE,
  isAllMailFolder,
  type MappingProfile,
} from './provider-folders.js';

const INBOX = 'INBOX';

/** What replaces the destination delimiter inside a level name ("a.b" -> "a_b" on a `.` server). */
export const DELIMITER_REPLACEMENT = '_';

// ---------------------------------------------------------------------------------------------
// Names: server path <-> logical levels
// ---------------------------------------------------------------------------------------------

function isInbox(level: string): boolean {
  // RFC 3501 5.1: "The case-insensitive mailbox name INBOX is a special name".
  return level.toUpperCase() === INBOX;
}

function stripPrefix(path: string, prefix: string): string {
  if (!prefix) return path;
  const head = path.slice(0, prefix.length);
  // An `INBOX.` prefix is as case-insensitive as INBOX itself; other prefixes are taken literally.
  const same = isInbox(prefix.slice(0, INBOX.length))
    ? head.toUpperCase() === prefix.toUpperCase()
    : head === prefix;
  return same ? path.slice(prefix.length) : path;
}

/**
 * Splits a server path into logical levels: namespace prefix stripped, NFC-normalized, INBOX spelled
 * `INBOX`. `INBOX.Faktury.2024` with prefix `INBOX.` gives `['Faktury', '2024']`; `INBOX` gives `['INBOX']`.
 * @param path the full server path as LIST shows it (already decoded from modified UTF-7)
 * @param ns the namespace of the server the path comes from
 * @param delimiter the folder's own delimiter when LIST gave one, else the namespace's
 * @returns the levels; empty for the bare namespace root
 */
export function toLevels(path: string, ns: NamespaceInfo, delimiter = ns.delimiter): string[] {
  const nfc = path.normalize('NFC');
  if (isInbox(nfc)) return [INBOX];
  const rest = stripPrefix(nfc, ns.prefix.normalize('NFC'));
  const levels = (delimiter ? rest.split(delimiter) : [rest]).filter((level) => level.length > 0);
  if (levels[0] !== undefined && isInbox(levels[0])) levels[0] = INBOX;
  return levels;
}

/**
 * The logical name of a server path: prefix stripped, levels joined with `/`.
 * @param path the full server path, e.g. `INBOX.Faktury.2024`
 * @param ns the namespace of that server, e.g. `{ prefix: 'INBOX.', delimiter: '.' }`
 * @returns the logical name, e.g. `Faktury/2024`; `INBOX` stays `INBOX`
 */
export function toLogical(path: string, ns: NamespaceInfo): string {
  return toLevels(path, ns).join('/');
}

/** Joins levels into a server path. INBOX and its subfolders never take the prefix (no `INBOX.INBOX.x`). */
function joinLevels(levels: readonly string[], ns: NamespaceInfo): string {
  // A server without hierarchy (NIL delimiter) cannot nest; the levels are then joined flat.
  const delimiter = ns.delimiter || DELIMITER_REPLACEMENT;
  const joined = levels.join(delimiter);
  return levels[0] === INBOX ? joined : ns.prefix + joined;
}

/** Replaces the destination delimiter inside each level, with one warning per rewritten level. */
function fitLevels(levels: readonly string[], delimiter: string): { levels: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const fitted = levels.map((level) => {
    if (!delimiter || !level.includes(delimiter)) return level;
    const rewritten = level.split(delimiter).join(DELIMITER_REPLACEMENT);
    warnings.push(
      `"${level}" contains "${delimiter}", the destination's hierarchy delimiter; written as "${rewritten}"`,
    );
    return rewritten;
  });
  return { levels: fitted, warnings };
}

function splitLogical(name: string): string[] {
  const levels = name
    .normalize('NFC')
    .split('/')
    .filter((level) => level.length > 0);
  if (levels[0] !== undefined && isInbox(levels[0])) levels[0] = INBOX;
  return levels;
}

/**
 * The server path of a logical name on a given server: the delimiter and prefix applied, a level
 * that contains the delimiter rewritten (see DELIMITER_REPLACEMENT).
 * @param name a logical name with `/` between levels, e.g. `Faktury/2024`
 * @param ns the namespace of the target server
 * @returns e.g. `INBOX.Faktury.2024` for `{ prefix: 'INBOX.', delimiter: '.' }`; `INBOX` stays `INBOX`
 */
export function fromLogical(name: string, ns: NamespaceInfo): string {
  return joinLevels(fitLevels(splitLogical(name), ns.delimiter).levels, ns);
}

// ---------------------------------------------------------------------------------------------
// Rules: globs, regexes, map
// ---------------------------------------------------------------------------------------------

/**
 * Compiles a folder glob: `*` matches within one level, `**` across levels, `**` followed by `/`
 * also matches no level at all (`** /Kosz` matches a top-level `Kosz`, written here with a space).
 * Everything else is literal and case-sensitive; the glob is NFC-normalized like the names.
 * @param glob e.g. `Archiwum/**` or `Klienci/*`
 * @returns an anchored regular expression over logical names
 */
export function globToRegExp(glob: string): RegExp {
  const chars = Array.from(glob.normalize('NFC'));
  let source = '';
  for (let i = 0; i < chars.length;) {
    if (chars[i] === '*' && chars[i + 1] === '*') {
      const slash = chars[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 3 : 2;
    } else if (chars[i] === '*') {
      source += '[^/]*';
      i += 1;
    } else {
      source += (chars[i] ?? '').replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
      i += 1;
    }
  }
  return new RegExp(`^${source}$`);
}

interface Glob {
  text: string;
  re: RegExp;
}

/** A `rename` rule whose pattern runs under a time guard. */
interface CompiledRename {
  from: string;
  re: GuardedRegExp;
  to: string;
}

interface CompiledRules {
  map: Map<string, string[]>;
  rename: CompiledRename[];
  exclude: Glob[];
  include: Glob[];
  under: string[];
}

function compileRename(rule: { from: string; to: string }): CompiledRename {
  return { from: rule.from, re: new GuardedRegExp(rule.from, 'folders.rename'), to: rule.to };
}

function compileMapTarget(source: string, target: string): string[] {
  const levels = splitLogical(target);
  if (levels.length > 0) return levels;
  throw new MailshiftError(`folders.map: "${source}" maps to an empty folder name`, {
    code: 'PLAN_BAD_MAP',
    scope: 'run',
    hint: 'Give a destination folder name, with "/" between levels.',
  });
}

function compileRules(rules: MappingRules): CompiledRules {
  const globs = (list: string[] | undefined): Glob[] =>
    (list ?? []).map((text) => ({ text, re: globToRegExp(text) }));
  return {
    // Keys are compared after NFC too: a plan typed on macOS may hold decomposed letters.
    map: new Map(
      Object.entries(rules.map ?? {}).map(([from, to]) => [
        splitLogical(from).join('/'),
        compileMapTarget(from, to),
      ]),
    ),
    rename: (rules.rename ?? []).map(compileRename),
    exclude: globs(rules.exclude),
    include: globs(rules.include),
    under: rules.under ? splitLogical(rules.under) : [],
  };
}

function firstMatch(globs: Glob[], logical: string): Glob | undefined {
  return globs.find((glob) => glob.re.test(logical));
}

// ---------------------------------------------------------------------------------------------
// The two sides
// ---------------------------------------------------------------------------------------------

/** A source folder as the mapping sees it. */
interface Entry {
  folder: FolderListing;
  index: number;
  levels: string[];
  logical: string;
  /** LIST attributes and the announced special use, lower case. */
  attributes: Set<string>;
}

function toEntry(folder: FolderListing, index: number, ns: NamespaceInfo): Entry {
  const levels = toLevels(folder.path, ns, folder.delimiter || ns.delimiter);
  const attributes = new Set([...folder.flags, folder.specialUse ?? ''].map((flag) => flag.toLowerCase()));
  attributes.delete('');
  return { folder, index, levels, logical: levels.join('/'), attributes };
}

function lastLevel(levels: readonly string[]): string {
  return levels[levels.length - 1] ?? '';
}

/** `[Gmail]`, `[Google Mail]`: a provider's container of system folders. */
function isProviderContainer(level: string | undefined): boolean {
  return level !== undefined && /^\[.+\]$/.test(level);
}

/**
 * Only top-level folders (or those right inside a provider container) are special by name:
 * "Klienci/Kosz" is a customer's folder called Kosz, not the trash.
 */
function mayBeSpecialByName(levels: readonly string[]): boolean {
  return levels.length === 1 || (levels.length === 2 && isProviderContainer(levels[0]));
}

/** What the mapping needs to know about the destination. */
interface Destination {
  ns: NamespaceInfo;
  caseInsensitive: boolean;
  byKey: Map<string, FolderListing>;
  bySpecialUse: Map<SpecialUse, FolderListing>;
  levelsOf: Map<FolderListing, string[]>;
}

function keyOf(path: string, caseInsensitive: boolean): string {
  const nfc = path.normalize('NFC');
  return caseInsensitive ? nfc.toLowerCase() : nfc;
}

function describeDestination(side: SideListing, profile: MappingProfile): Destination {
  // Exchange compares folder names case-insensitively ("Mailbox already exists" for [trash]).
  const caseInsensitive = side.caseInsensitive ?? profile.destination === 'microsoft365';
  const dest: Destination = {
    ns: side.namespace,
    caseInsensitive,
    byKey: new Map(),
    bySpecialUse: new Map(),
    levelsOf: new Map(),
  };
  for (const folder of side.folders) {
    const levels = toLevels(folder.path, side.namespace, folder.delimiter || side.namespace.delimiter);
    dest.levelsOf.set(folder, levels);
    dest.byKey.set(keyOf(joinLevels(levels, side.namespace), caseInsensitive), folder);
    if (folder.specialUse && isSelectable(folder) && !dest.bySpecialUse.has(folder.specialUse)) {
      dest.bySpecialUse.set(folder.specialUse, folder);
    }
  }
  return dest;
}

/**
 * The destination folder for a special use: the one the server announces, else one whose name means
 * that use (preferring the source's own name), else none (the source folder then keeps its name).
 */
function destinationFor(use: SpecialUse, sourceName: string, dest: Destination): FolderListing | undefined {
  const announced = dest.bySpecialUse.get(use);
  if (announced || !isNamedSpecialUse(use)) return announced;
  const named = [...dest.levelsOf].filter(
    ([folder, levels]) =>
      isSelectable(folder) && mayBeSpecialByName(levels) && specialUseOfName(lastLevel(levels)) === use,
  );
  const sameName = named.find(([, levels]) => nameKey(lastLevel(levels)) === nameKey(sourceName));
  return (sameName ?? named[0])?.[0];
}

// ---------------------------------------------------------------------------------------------
// Skips
// ---------------------------------------------------------------------------------------------

interface Skip {
  reason: SkipReason;
  detail: string;
}

/** Old Gmail accounts list their virtual folders without attributes; known by name inside `[Gmail]`. */
const PROVIDER_VIRTUAL_NAMES = new Set(
  ['All Mail', 'Important', 'Starred', 'Alle Nachrichten', 'Wichtig', 'Markiert', 'Wszystkie', 'Ważne'].map(
    nameKey,
  ),
);

/** Outlook writes its own sync logs and conflicting copies of items here; they are not the user's mail. */
const OUTLOOK_SYNC_ISSUES = nameKey('Sync Issues');

const NOT_SELECTABLE: Skip = {
  reason: 'not-selectable',
  detail:
    'LIST marks it \\Noselect or \\NonExistent: it holds no messages (RFC 3501 7.2.2); its subfolders are still mapped',
};

function defaultSkip(entry: Entry, profile: MappingProfile): Skip | undefined {
  if (entry.levels.length === 0 || !isSelectable(entry.folder)) return NOT_SELECTABLE;
  // A Gmail source's All Mail is copied last, for the mail no label holds (archivedOnlyRoute).
  if (isGmailAllMail(entry, profile)) return undefined;
  const view = ['\\all', '\\flagged', '\\important'].find((attribute) => entry.attributes.has(attribute));
  if (view) {
    const gmail = profile.source === 'google' ? gmailViewDetail(view) : undefined;
    return {
      reason: 'virtual',
      detail:
        gmail ??
        `a ${view} view (RFC 6154/8457): its messages are copied from the folders they really live in`,
    };
  }
  const nonMail = profile.source === 'microsoft365' ? exchangeNonMail(entry.levels) : undefined;
  if (nonMail) return { reason: 'not-mail', detail: nonMail };
  if (isProviderContainer(entry.levels[0]) && PROVIDER_VIRTUAL_NAMES.has(nameKey(lastLevel(entry.levels)))) {
    return { reason: 'virtual', detail: "the provider's view of messages kept in other folders" };
  }
  if (nameKey(entry.levels[0] ?? '') === OUTLOOK_SYNC_ISSUES) {
    return {
      reason: 'provider-duplicate',
      detail: "Outlook's sync logs and conflicting copies of items, not mail of the user",
    };
  }
  return undefined;
}

/** Exclude wins over everything; `include` or an explicit `map` entry brings back a default skip. */
function skipOf(entry: Entry, rules: CompiledRules, profile: MappingProfile): Skip | undefined {
  const excluded = firstMatch(rules.exclude, entry.logical);
  if (excluded) return { reason: 'excluded', detail: `matches exclude pattern "${excluded.text}"` };
  const skip = defaultSkip(entry, profile);
  if (!skip || skip.reason === 'not-selectable') return skip;
  return firstMatch(rules.include, entry.logical) || rules.map.has(entry.logical) ? undefined : skip;
}

// ---------------------------------------------------------------------------------------------
// Special roles: which source folder becomes the destination's Sent, Trash, ...
// ---------------------------------------------------------------------------------------------

interface Role {
  use: SpecialUse;
  /** The destination folder that has that use; undefined when the source folder keeps its name. */
  target: FolderListing | undefined;
}

interface Roles {
  winners: Map<Entry, Role>;
  /** Folders that looked special but lost the role to another one: why, for the report. */
  losers: Map<Entry, string>;
}

/** The special uses a folder takes a role by (RFC 6154), in the order they are looked for. */
const NAMED_USES: SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive'];

function candidateUse(entry: Entry, dest: Destination, profile: MappingProfile): SpecialUse | undefined {
  const announced = entry.folder.specialUse;
  // An included \All or \Flagged view has no role to play unless the destination has one too.
  if (announced)
    return isNamedSpecialUse(announced) || dest.bySpecialUse.has(announced) ? announced : undefined;
  // Gmail lists its own folders with their attributes: a label is never a special folder by name.
  if (profile.source === 'google') return NAMED_USES.find((use) => entry.attributes.has(use.toLowerCase()));
  return mayBeSpecialByName(entry.levels) ? specialUseOfName(lastLevel(entry.levels)) : undefined;
}

/** Sort key of a candidate for a role: lower wins. */
function rankOf(entry: Entry, target: FolderListing | undefined, dest: Destination): number[] {
  const targetName = target ? (dest.levelsOf.get(target) ?? []).join('/') : undefined;
  return [
    entry.folder.specialUse ? 0 : 1,
    // A folder already named like the target would land there anyway and could not keep its name.
    targetName !== undefined && nameKey(targetName) === nameKey(entry.logical) ? 0 : 1,
    -(entry.folder.messages ?? 0),
    entry.index,
  ];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function whyWinner(
  winner: Entry,
  loser: Entry,
  target: FolderListing | undefined,
  dest: Destination,
): string {
  const [w, l] = [rankOf(winner, target, dest), rankOf(loser, target, dest)];
  if (w[0] !== l[0]) return 'the server marks it as such';
  if (w[1] !== l[1]) return 'it already has that name';
  if (w[2] !== l[2]) return 'it holds more messages';
  return 'it is listed first';
}

function assignRoles(candidates: Entry[], dest: Destination, profile: MappingProfile): Roles {
  const byUse = new Map<SpecialUse, Entry[]>();
  for (const entry of candidates) {
    const use = candidateUse(entry, dest, profile);
    if (use) byUse.set(use, [...(byUse.get(use) ?? []), entry]);
  }
  const roles: Roles = { winners: new Map(), losers: new Map() };
  for (const [use, entries] of byUse) {
    const targetOf = (entry: Entry) => destinationFor(use, lastLevel(entry.levels), dest);
    const [winner, ...losers] = [...entries].sort((a, b) =>
      compareRanks(rankOf(a, targetOf(a), dest), rankOf(b, targetOf(b), dest)),
    );
    if (!winner) continue;
    const target = targetOf(winner);
    roles.winners.set(winner, { use, target });
    for (const loser of losers) {
      roles.losers.set(
        loser,
        `"${loser.logical}" also looks like the ${use} folder, but "${winner.logical}" takes that role ` +
          `(${whyWinner(winner, loser, target, dest)}); "${loser.logical}" is copied under its own name. ` +
          'Use folders.map to merge them.',
      );
    }
  }
  return roles;
}

// ---------------------------------------------------------------------------------------------
// Routes and collisions
// ---------------------------------------------------------------------------------------------

/** Where a folder would go before the destination's delimiter and collisions are applied. */
interface Route {
  levels: string[];
  reason: MappingReason;
  specialUse?: SpecialUse;
  /** Set by an explicit `map`: the user asked for this folder, so sharing it is a requested merge. */
  mergeAllowed: boolean;
  warnings: string[];
}

interface Placed {
  levels: string[];
  reason: MappingReason;
}

interface Mapper {
  rules: CompiledRules;
  profile: MappingProfile;
  dest: Destination;
  byLogical: Map<string, Entry>;
  roles: Roles;
  placed: Map<Entry, Placed>;
}

function withUnder(levels: string[], under: string[]): string[] {
  return levels[0] === INBOX ? levels : [...under, ...levels];
}

function sameLevels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((level, i) => level === b[i]);
}

function renameRoute(entry: Entry, rules: CompiledRules): Route | undefined {
  const rule = rules.rename.find((r) => r.re.test(entry.logical));
  if (!rule) return undefined;
  const renamed = splitLogical(rule.re.replace(entry.logical, rule.to));
  if (renamed.length === 0) {
    throw new MailshiftError(`folders.rename: "${rule.from}" turns "${entry.logical}" into an empty name`, {
      code: 'PLAN_BAD_RENAME',
      scope: 'run',
      hint: 'Change the "to" of that rule so that every folder it matches keeps a name.',
    });
  }
  return {
    levels: withUnder(renamed, rules.under),
    reason: 'override-rename',
    mergeAllowed: false,
    warnings: [],
  };
}

function roleRoute(entry: Entry, role: Role, dest: Destination): Route {
  const reason = entry.folder.specialUse ? 'special-use' : 'localized-name';
  if (role.target) {
    return {
      levels: dest.levelsOf.get(role.target) ?? [],
      reason,
      specialUse: role.use,
      mergeAllowed: false,
      warnings: [],
    };
  }
  return {
    levels: entry.levels,
    reason,
    specialUse: role.use,
    mergeAllowed: false,
    warnings: [`the destination has no ${role.use} folder; "${entry.logical}" will be created as one`],
  };
}

/** A subfolder goes where its nearest listed ancestor went (a moved special folder, a renamed one, ...). */
function followRoute(entry: Entry, mapper: Mapper): Route | undefined {
  for (let depth = entry.levels.length - 1; depth >= 1; depth--) {
    const ancestor = mapper.byLogical.get(entry.levels.slice(0, depth).join('/'));
    const placed = ancestor && mapper.placed.get(ancestor);
    if (!placed) continue;
    const levels = [...placed.levels, ...entry.levels.slice(depth)];
    const reason: MappingReason =
      placed.reason === 'override-map'
        ? 'override-map'
        : sameLevels(levels, withUnder(entry.levels, mapper.rules.under))
          ? 'same-name'
          : 'follows-parent';
    return { levels, reason, mergeAllowed: false, warnings: [] };
  }
  return undefined;
}

/** The rules' precedence (README, "Order of the rules"): map > rename > special use > localized name > parent > same name. */
function routeOf(entry: Entry, mapper: Mapper): Route {
  const { rules, roles, dest } = mapper;
  const mapped = rules.map.get(entry.logical);
  if (mapped) return { levels: mapped, reason: 'override-map', mergeAllowed: true, warnings: [] };
  const renamed = renameRoute(entry, rules);
  if (renamed) return renamed;
  if (sameLevels(entry.levels, [INBOX]))
    return { levels: [INBOX], reason: 'inbox', mergeAllowed: false, warnings: [] };
  if (isGmailAllMail(entry, mapper.profile)) return archivedOnlyRoute(mapper);
  const role = roles.winners.get(entry);
  if (role) return roleRoute(entry, role, dest);
  const loser = roles.losers.get(entry);
  const route = followRoute(entry, mapper) ?? {
    levels: withUnder(entry.levels, rules.under),
    reason: 'same-name',
    mergeAllowed: false,
    warnings: [],
  };
  return loser ? { ...route, warnings: [loser, ...route.warnings] } : route;
}

interface Claim {
  entry: Entry;
  mergeAllowed: boolean;
}

/** Destination keys taken by source folders, so that no two of them silently share one folder. */
class Claims {
  private readonly byKey = new Map<string, Claim>();
  /** Warnings owed to a folder whose decision may not be built yet (the first of a merged pair). */
  readonly extraWarnings = new Map<Entry, string[]>();

  constructor(private readonly dest: Destination) {}

  key(levels: readonly string[]): string {
    return keyOf(joinLevels(levels, this.dest.ns), this.dest.caseInsensitive);
  }

  /** Claims the route's folder; a clash not asked for by `map` gets a free name " (2)", " (3)", ... */
  claim(entry: Entry, levels: string[], mergeAllowed: boolean, warnings: string[]): string[] {
    const owner = this.byKey.get(this.key(levels));
    if (!owner || owner.entry === entry) {
      this.byKey.set(this.key(levels), { entry, mergeAllowed });
      return levels;
    }
    const path = joinLevels(levels, this.dest.ns);
    if (mergeAllowed || owner.mergeAllowed) {
      warnings.push(`merged with "${owner.entry.logical}" into "${path}", as folders.map asks`);
      this.owe(owner.entry, `merged with "${entry.logical}" into "${path}", as folders.map asks`);
      return levels;
    }
    const free = this.freeName(levels);
    const freePath = joinLevels(free, this.dest.ns);
    warnings.push(
      `"${path}" is already the destination of "${owner.entry.logical}"; copied to "${freePath}" instead ` +
        'of merging the two. Use folders.map to choose.',
    );
    this.byKey.set(this.key(free), { entry, mergeAllowed });
    return free;
  }

  private freeName(levels: string[]): string[] {
    for (let n = 2; ; n++) {
      const candidate = [...levels.slice(0, -1), `${lastLevel(levels)} (${n})`];
      const key = this.key(candidate);
      if (!this.byKey.has(key) && !this.dest.byKey.has(key)) return candidate;
    }
  }

  private owe(entry: Entry, warning: string): void {
    this.extraWarnings.set(entry, [...(this.extraWarnings.get(entry) ?? []), warning]);
  }
}

function copyDecision(entry: Entry, route: Route, mapper: Mapper, claims: Claims): FolderDecision {
  const fitted = fitLevels(route.levels, mapper.dest.ns.delimiter);
  const warnings = [...route.warnings, ...fitted.warnings];
  const provided = providerLevels(fitted.levels, mapper, warnings);
  const levels = claims.claim(entry, provided, route.mergeAllowed, warnings);
  mapper.placed.set(entry, { levels, reason: route.reason });
  const existing = mapper.dest.byKey.get(claims.key(levels));
  if (existing && !isSelectable(existing)) {
    warnings.push('the destination folder exists but cannot hold messages (\\Noselect); appending will fail');
  }
  const specialUse = route.specialUse ?? existing?.specialUse;
  return {
    action: 'copy',
    source: entry.folder.path,
    destination: joinLevels(levels, mapper.dest.ns),
    reason: route.reason,
    ...(specialUse ? { specialUse } : {}),
    exists: existing !== undefined,
    warnings,
  };
}

/** Parents before children (a child follows its parent's final place), then source order. */
function byDepth(a: Entry, b: Entry): number {
  return a.levels.length - b.levels.length || a.index - b.index;
}

/**
 * Proposes where each source folder goes on the destination.
 *
 * Precedence, strongest first: `exclude` (glob on the logical source name) > explicit `map` >
 * `rename` (first matching regex) > special use announced by the source server > localized name
 * (top-level folders only) > subfolder follows its parent > same name. `under` prefixes every
 * folder except INBOX and its subfolders, folders mapped to a special-use folder and their
 * subfolders, and folders placed by `map`. `include` (or a `map` entry) brings back a folder
 * skipped by default, except `\Noselect` ones. Two source folders never share a destination folder
 * unless `map` asks for it: the stronger one keeps it, the other gets " (2)" and a warning.
 * A level that contains the destination delimiter has it replaced by `_`, with a warning.
 *
 * @param source the source server's namespace and folders, in LIST order
 * @param destination the destination server's namespace and existing folders
 * @param rules the plan's `folders` section
 * @returns one decision per source folder, in source order
 * @throws MailshiftError PLAN_BAD_RENAME for an invalid `rename` regex, PLAN_BAD_MAP for an empty `map` target
 */
export function proposeMapping(
  source: SideListing,
  destination: SideListing,
  rules: MappingRules,
  profile: MappingProfile = GENERIC_PROFILE,
): FolderDecision[] {
  const compiled = compileRules(rules);
  const dest = describeDestination(destination, profile);
  const entries = source.folders.map((folder, i) => toEntry(folder, i, source.namespace));
  const byLogical = new Map<string, Entry>();
  for (const entry of entries) if (!byLogical.has(entry.logical)) byLogical.set(entry.logical, entry);

  const skips = new Map<Entry, Skip>();
  for (const entry of entries) {
    const skip = skipOf(entry, compiled, profile);
    if (skip) skips.set(entry, skip);
  }
  const candidates = entries.filter(
    (e) =>
      !skips.has(e) &&
      !compiled.map.has(e.logical) &&
      !compiled.rename.some((r) => r.re.test(e.logical)) &&
      !sameLevels(e.levels, [INBOX]) &&
      !isGmailAllMail(e, profile),
  );
  const mapper: Mapper = {
    rules: compiled,
    profile,
    dest,
    byLogical,
    roles: assignRoles(candidates, dest, profile),
    placed: new Map(),
  };

  const claims = new Claims(dest);
  // The special folders are claimed first, so that an ordinary folder listed earlier cannot take them.
  for (const [entry, role] of mapper.roles.winners) {
    const levels = fitLevels(roleRoute(entry, role, dest).levels, dest.ns.delimiter).levels;
    claims.claim(entry, levels, false, []);
  }
  // So is the archive that Gmail's archived-only mail goes to.
  for (const entry of candidatesForArchive(entries, skips, compiled, profile)) {
    claims.claim(entry, fitLevels(archivedOnlyRoute(mapper).levels, dest.ns.delimiter).levels, false, []);
  }

  const decisions = new Map<Entry, FolderDecision>();
  for (const entry of [...entries].sort(byDepth)) {
    const skip = skips.get(entry);
    if (skip) {
      // Not copied, but its subfolders still need to know where it would have gone.
      const route = routeOf(entry, mapper);
      mapper.placed.set(entry, {
        levels: fitLevels(route.levels, dest.ns.delimiter).levels,
        reason: route.reason,
      });
      decisions.set(entry, {
        action: 'skip',
        source: entry.folder.path,
        reason: skip.reason,
        detail: skip.detail,
      });
    } else {
      decisions.set(entry, copyDecision(entry, routeOf(entry, mapper), mapper, claims));
    }
  }
  return entries.map((entry) => withOwedWarnings(decisions.get(entry), claims.extraWarnings.get(entry)));
}

function withOwedWarnings(decision: FolderDecision | undefined, owed: string[] | undefined): FolderDecision {
  if (!decision) throw new Error('proposeMapping: a source folder got no decision (a bug)');
  if (decision.action === 'copy' && owed) decision.warnings.push(...owed);
  return decision;
}

// ---------------------------------------------------------------------------------------------
// Provider rules (provider-folders.ts)
// ---------------------------------------------------------------------------------------------

/** A Gmail source's All Mail (by its \All attribute, or its name in `[Gmail]` on old accounts). */
function isGmailAllMail(entry: Entry, profile: MappingProfile): boolean {
  return profile.source === 'google' && isAllMailFolder(entry.folder, entry.levels);
}

/** The All Mail folders copied by the archived-only rule (not excluded, not mapped or renamed). */
function candidatesForArchive(
  entries: Entry[],
  skips: Map<Entry, Skip>,
  rules: CompiledRules,
  profile: MappingProfile,
): Entry[] {
  return entries.filter(
    (e) =>
      isGmailAllMail(e, profile) &&
      !skips.has(e) &&
      !rules.map.has(e.logical) &&
      !rules.rename.some((r) => r.re.test(e.logical)),
  );
}

/**
 * Where a Gmail source's archived-only mail goes: the folder the plan names (`gmail.archiveFolder`),
 * else the destination's \Archive folder, else a Gmail destination's All Mail (appending there
 * archives without a label), else a folder named like an archive, else a new `Archive`.
 */
function archivedOnlyRoute(mapper: Mapper): Route {
  const { dest, profile } = mapper;
  const base = { reason: 'archived-only' as const, mergeAllowed: false, warnings: [] as string[] };
  if (profile.archiveFolder) return { ...base, levels: splitLogical(profile.archiveFolder) };
  const target = destinationFor('\\Archive', 'Archive', dest) ?? dest.bySpecialUse.get('\\All');
  if (target) {
    const use = target.specialUse === '\\All' ? '\\All' : '\\Archive';
    return { ...base, levels: dest.levelsOf.get(target) ?? ['Archive'], specialUse: use };
  }
  return {
    ...base,
    levels: ['Archive'],
    specialUse: '\\Archive',
    warnings: [
      'the destination has no \\Archive folder; "Archive" will be created for the archived-only mail',
    ],
  };
}

/** The destination provider's own naming rules: Gmail's label names, Exchange's reserved names. */
function providerLevels(levels: string[], mapper: Mapper, warnings: string[]): string[] {
  if (mapper.profile.destination === 'google' && levels[0] !== INBOX) {
    const cleaned = levels.map(gmailLabelLevel);
    for (const [i, level] of levels.entries()) {
      if (cleaned[i] !== level)
        warnings.push(`"${level}" is not a label name Gmail accepts (blanks, ^); created as "${cleaned[i]}"`);
    }
    return cleaned;
  }
  if (mapper.profile.destination === 'microsoft365') {
    const fitted = exchangeLevels(levels);
    if (fitted.warning) warnings.push(fitted.warning);
    return fitted.levels;
  }
  return levels;
}
