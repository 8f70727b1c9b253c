/**
 * Gmail's labels as a migration sees them: which folders of a Gmail source are labels, which of
 * them hold each message, where a message keeps its one copy in `labels: one-copy` mode, and the
 * keywords its other labels become. Shared by the copy (engine/gmail-source.ts), verify and the
 * dry-run report.
 *
 * Google: "Gmail treats labels as folders for the purposes of IMAP"; a message has one account-wide
 * id, X-GM-MSGID, "so that a unique message may be identified across multiple folders"
 * (https://developers.google.com/workspace/gmail/imap/imap-extensions). Where the server offers
 * X-GM-EXT-1, one scan of All Mail with X-GM-LABELS gives every message's labels (All Mail is no
 * label, so none is left out; in a label's own folder Gmail omits that label: gmailbuttons issue 10);
 * elsewhere each label folder is scanned and messages are matched by identity (core/identity.ts).
 */
import type { FolderDecision, FolderListing, SideListing } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import type { FolderReader } from '../core/ports.js';
import { encodeModifiedUtf7 } from '../shared/modified-utf7.js';
import { globToRegExp, toLevels } from './mapping.js';
import { isAllMailFolder } from './provider-folders.js';
import { providerOf, type ProviderName } from './provider-presets.js';

/** How a Gmail source's labels arrive: one copy per label folder, or one copy with keywords. */
export type LabelMode = 'folders' | 'one-copy';

/** RFC 8457's keyword for Gmail's Important (its `\Important` folder is not copied). */
export const IMPORTANT_KEYWORD = '$Important';

/** The roles of a Gmail source's folders, from the mapping and the listing. */
export interface GmailFolders {
  /** All Mail folders that are copied (archived-only mail). */
  allMail: string[];
  /** Copied folders a message's membership in is a label: INBOX, user labels, Sent, Drafts, Spam, Trash. */
  labels: string[];
  /** INBOX, Sent and Drafts: labels that keep the copy first and never become keywords. */
  system: string[];
  /** The `\Important` folder, when the listing has one. */
  important?: string;
  /** Folder path -> logical name (keywords and the label order use it). */
  logical: Map<string, string>;
  /** Gmail's system labels (X-GM-LABELS) -> folder path. */
  systemLabels: Map<string, string>;
}

function hasAttribute(f: FolderListing, attribute: string): boolean {
  const a = attribute.toLowerCase();
  return f.specialUse?.toLowerCase() === a || f.flags.some((x) => x.toLowerCase() === a);
}

/**
 * The roles of a Gmail source's folders.
 * @param decisions the account's folder mapping
 * @param source the source listing
 */
export function gmailFolders(decisions: readonly FolderDecision[], source: SideListing): GmailFolders {
  const listed = new Map(source.folders.map((f) => [f.path, f]));
  const logical = new Map(source.folders.map((f) => [f.path, toLevels(f.path, source.namespace).join('/')]));
  const out: GmailFolders = { allMail: [], labels: [], system: [], logical, systemLabels: new Map() };
  for (const f of source.folders) {
    const system = (label: string) => out.systemLabels.set(label, f.path);
    if (f.path.toUpperCase() === 'INBOX') system('\\Inbox');
    if (hasAttribute(f, '\\Sent')) system('\\Sent');
    if (hasAttribute(f, '\\Drafts')) system('\\Drafts');
    if (hasAttribute(f, '\\Junk')) system('\\Spam');
    if (hasAttribute(f, '\\Trash')) system('\\Trash');
    if (hasAttribute(f, '\\Flagged')) system('\\Starred');
    if (hasAttribute(f, '\\Important')) {
      system('\\Important');
      out.important = f.path;
    }
  }
  const systemPaths = new Set(
    ['\\Inbox', '\\Sent', '\\Drafts'].flatMap((l) => out.systemLabels.get(l) ?? []),
  );
  for (const d of decisions) {
    if (d.action !== 'copy') continue;
    const f = listed.get(d.source);
    if (!f) continue;
    if (isAllMailFolder(f, toLevels(f.path, source.namespace))) out.allMail.push(f.path);
    else {
      out.labels.push(f.path);
      if (systemPaths.has(f.path)) out.system.push(f.path);
    }
  }
  return out;
}

/** The key a message is matched by across Gmail's folders: X-GM-MSGID where offered, else identity. */
export function gmailKey(meta: Pick<MessageMeta, 'gmMsgId' | 'identity'>): string {
  return meta.gmMsgId !== undefined ? `gm:${meta.gmMsgId}` : meta.identity;
}

/** Which label folders hold each message of a Gmail account, and which messages are Important. */
export class LabelIndex {
  private readonly holders = new Map<string, Set<string>>();
  private readonly important = new Set<string>();
  /** False when only the Important folder was read (the label folders are not known yet). */
  complete = false;

  /** Records that `folder` holds the message (known by its X-GM-MSGID and its identity). */
  add(meta: Pick<MessageMeta, 'gmMsgId' | 'identity'>, folder: string): void {
    const set = this.holders.get(gmailKey(meta)) ?? this.holders.get(meta.identity) ?? new Set<string>();
    set.add(folder);
    this.holders.set(gmailKey(meta), set);
    this.holders.set(meta.identity, set);
  }

  /** Records that the message is Important (in Gmail's `\Important` folder, or labelled so). */
  markImportant(meta: Pick<MessageMeta, 'gmMsgId' | 'identity'>): void {
    this.important.add(gmailKey(meta));
    this.important.add(meta.identity);
  }

  /** The label folders holding a message (by X-GM-MSGID, else identity); empty when unknown. */
  foldersOf(meta: Pick<MessageMeta, 'gmMsgId' | 'identity'>): string[] {
    const set = this.holders.get(gmailKey(meta)) ?? this.holders.get(meta.identity);
    return set ? [...set] : [];
  }

  /** Whether the message is Important. */
  isImportant(meta: Pick<MessageMeta, 'gmMsgId' | 'identity'>): boolean {
    return this.important.has(gmailKey(meta)) || this.important.has(meta.identity);
  }
}

/**
 * Reads the label index of a Gmail source on one read-only connection (EXAMINE and FETCH only).
 * With X-GM-EXT-1, one scan of All Mail with X-GM-LABELS; otherwise a scan of each label folder
 * (`scope: 'all'`) or of the Important folder alone (`scope: 'important'`, enough for keywords in
 * the default mode before the label folders are copied).
 */
export async function readLabelIndex(
  reader: FolderReader,
  folders: GmailFolders,
  scope: 'important' | 'all',
  allMailPath?: string,
): Promise<LabelIndex> {
  const index = new LabelIndex();
  const labelled = new Set(folders.labels);
  const allMail = allMailPath ?? folders.allMail[0];
  if (reader.capabilities.has('X-GM-EXT-1') && allMail) {
    await reader.examine(allMail);
    for (const meta of await reader.scan(1, { gmailLabels: true })) {
      for (const label of meta.gmLabels ?? []) {
        const path = folders.systemLabels.get(label) ?? label;
        if (path === folders.important) index.markImportant(meta);
        if (labelled.has(path)) index.add(meta, path);
      }
    }
    index.complete = true;
    return index;
  }
  if (folders.important) {
    await reader.examine(folders.important);
    for (const meta of await reader.scan(1)) index.markImportant(meta);
  }
  if (scope === 'important') return index;
  for (const path of folders.labels) {
    await reader.examine(path);
    for (const meta of await reader.scan(1)) index.add(meta, path);
  }
  index.complete = true;
  return index;
}

/**
 * The order in which a message's labels are offered its one copy (`labels: one-copy`): INBOX,
 * Sent, Drafts first (a client shows the message where the user looks for it), then the labels
 * the plan's `gmail.labelOrder` names, glob by glob, then the other labels by name.
 */
export class LabelOrder {
  private readonly globs: RegExp[];

  constructor(
    private readonly folders: GmailFolders,
    labelOrder: readonly string[] = [],
  ) {
    this.globs = labelOrder.map(globToRegExp);
  }

  private rank(path: string): [number, number, string] {
    const system = this.folders.system.indexOf(path);
    if (system !== -1) return [0, system, ''];
    const name = this.folders.logical.get(path) ?? path;
    const glob = this.globs.findIndex((g) => g.test(name));
    return glob !== -1 ? [1, glob, name] : [2, 0, name];
  }

  /** The folder that keeps the copy among those holding a message. */
  home(paths: readonly string[]): string | undefined {
    let best: string | undefined;
    for (const p of paths) if (best === undefined || this.before(p, best)) best = p;
    return best;
  }

  private before(a: string, b: string): boolean {
    const [x, y] = [this.rank(a), this.rank(b)];
    if (x[0] !== y[0]) return x[0] < y[0];
    if (x[1] !== y[1]) return x[1] < y[1];
    return x[2] < y[2];
  }
}

/** RFC 3501 atom-specials that cannot stand in a keyword (modified UTF-7 leaves only printable ASCII). */
const NOT_ATOM = /[ (){%*"\\\]]/g;

/**
 * The keyword a label becomes in `labels: one-copy` mode: its name in modified UTF-7 (RFC 3501
 * 5.1.3, as IMAP writes the folder the label came from; reversible), with what an atom cannot hold
 * (blank, parentheses, brackets, quotes...) written as `_`. `Klienci/\u017babka` -> `Klienci/&AXs-abka`.
 * @param label the label's logical name (`Klienci/ACME`)
 */
export function labelKeyword(label: string): string {
  const encoded = encodeModifiedUtf7(label.normalize('NFC'));
  return encoded.replace(NOT_ATOM, '_') || '_';
}

/** The plan's settings for a Gmail source. */
export interface GmailSettings {
  /** The source's `provider` in the plan, if it names one. */
  provider?: ProviderName;
  labels: LabelMode;
  labelOrder?: string[];
}

/** The Gmail settings of a plan: its `gmail` section and the source's `provider`. */
export function gmailSettingsOf(plan: {
  source: { provider?: ProviderName };
  gmail: { labels: LabelMode; labelOrder?: string[] };
}): GmailSettings {
  return {
    ...(plan.source.provider ? { provider: plan.source.provider } : {}),
    labels: plan.gmail.labels,
    ...(plan.gmail.labelOrder ? { labelOrder: plan.gmail.labelOrder } : {}),
  };
}

/** How a run (or verify) sees a Gmail source: its folders, the label mode and the label order. */
export interface GmailView {
  folders: GmailFolders;
  mode: LabelMode;
  order: LabelOrder;
}

/**
 * The Gmail view of an account, or undefined when its source is not Gmail (neither the plan's
 * `provider: google` nor X-GM-EXT-1 in the listing's capabilities).
 */
export function gmailView(
  settings: GmailSettings,
  decisions: readonly FolderDecision[],
  source: SideListing,
): GmailView | undefined {
  if (providerOf(settings.provider, source.capabilities).provider !== 'google') return undefined;
  const folders = gmailFolders(decisions, source);
  return { folders, mode: settings.labels, order: new LabelOrder(folders, settings.labelOrder) };
}

type Keyed = Pick<MessageMeta, 'gmMsgId' | 'identity'>;

/** The folder that keeps a message's copy: `folder` itself, or in one-copy mode its home label. */
export function homeOf(view: GmailView, index: LabelIndex, meta: Keyed, folder: string): string {
  return view.mode === 'one-copy' ? (view.order.home(index.foldersOf(meta)) ?? folder) : folder;
}

/**
 * The keywords a copy carries: `$Important` for Important mail, and in one-copy mode every user
 * label other than the one holding the copy (`home`).
 */
export function keywordsOf(
  view: GmailView,
  index: LabelIndex,
  meta: Keyed,
  home: string | undefined,
): string[] {
  const out = index.isImportant(meta) ? [IMPORTANT_KEYWORD] : [];
  if (view.mode !== 'one-copy') return out;
  const system = new Set(view.folders.system);
  for (const path of index.foldersOf(meta)) {
    if (path === home || system.has(path)) continue;
    out.push(labelKeyword(view.folders.logical.get(path) ?? path));
  }
  return out;
}

/** Flags with keywords added, each once (flags compare case-insensitively, RFC 3501 2.3.2). */
export function withKeywords(flags: readonly string[], keywords: readonly string[]): string[] {
  const have = new Set(flags.map((f) => f.toLowerCase()));
  const out = [...flags];
  for (const k of keywords) {
    if (have.has(k.toLowerCase())) continue;
    have.add(k.toLowerCase());
    out.push(k);
  }
  return out;
}

/**
 * The flags the copy of a message of `folder` carries: its own, with the keywords of its labels (in
 * one-copy mode every label but the one holding the copy; for All Mail's archived mail none).
 */
export function copyFlags(
  view: GmailView,
  index: LabelIndex,
  meta: Keyed & { flags: readonly string[] },
  folder: string,
): string[] {
  return withKeywords(meta.flags, keywordsOf(view, index, meta, homeOf(view, index, meta, folder)));
}
