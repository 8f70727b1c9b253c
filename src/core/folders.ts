/**
 * Folders as every stage sees them: what a listing shows of one side, a folder's STATUS, and what
 * the mapping decides for each source folder. Pure data: produced by discovery (or loaded from
 * fixtures), consumed by the mapping, the engine, verify and the reports.
 */

/** STATUS of a folder: what a no-op re-run compares against the state. */
export interface FolderStatus {
  messages: number;
  uidNext: number;
  uidValidity: number;
  /** CONDSTORE HIGHESTMODSEQ as a decimal string, when the server has it. */
  highestModseq?: string;
  /** Total bytes (STATUS=SIZE), when the server has it. */
  size?: number;
}

/** What a folder opened as: PERMANENTFLAGS decides which flags the server keeps. */
export interface OpenedFolder {
  status: FolderStatus;
  /** `\*` means new keywords are allowed. */
  permanentFlags: string[];
}

/** The personal namespace of a server (RFC 2342), e.g. `{ prefix: 'INBOX.', delimiter: '.' }`. */
export interface NamespaceInfo {
  prefix: string;
  delimiter: string;
}

/** RFC 6154 special-use attributes we map by. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

/** One folder as the server's LIST shows it (names already decoded from modified UTF-7). */
export interface FolderListing {
  /** Full server path, namespace prefix included, e.g. `INBOX.Faktury.2024`. */
  path: string;
  delimiter: string;
  /** LIST attributes as the server sent them, e.g. `\HasChildren`, `\Noselect`, `\Sent`. */
  flags: string[];
  /** Special use the server itself announced (never guessed from the name). */
  specialUse?: SpecialUse;
  subscribed: boolean;
  messages?: number;
  /** Total size in bytes (STATUS SIZE where offered). */
  size?: number;
  /** STATUS values when the listing was taken with LIST-STATUS (RFC 5819). */
  status?: FolderStatus;
  /**
   * The name exactly as the server sent it, given only when sending `path` back would not name
   * this folder: not valid modified UTF-7 (RFC 3501 section 5.1.3), e.g. a bare 8-bit byte or an
   * `&` run left open. See {@link unsendableName}.
   */
  listedAs?: string;
}

/**
 * Why a folder cannot be named to an IMAP server, or undefined when it can. CR and LF end a command
 * line and NUL is not even allowed in a literal (RFC 3501 section 4.3, CHAR8), so a name holding
 * one cannot be sent at all; a name the server listed in a form that does not decode and encode
 * back to itself would name another folder, or none, when sent back. Checked before anything is
 * sent about the folder, so such a folder fails alone with this reason.
 * @returns the reason, a clause that follows "its" ("name holds ...")
 */
export function unsendableName(folder: Pick<FolderListing, 'path' | 'listedAs'>): string | undefined {
  if (/[\r\n\0]/.test(folder.path)) return 'name holds a character IMAP cannot send (CR, LF or NUL)';
  if (folder.listedAs !== undefined) {
    const decoded = JSON.stringify(folder.path);
    return `name is not valid modified UTF-7 (RFC 3501 section 5.1.3): decoded and sent back (${decoded}), it would name another folder or none`;
  }
  return undefined;
}

/** `\Noselect` and `\NonExistent` folders are names only (RFC 3501, RFC 5258): nothing to copy. */
export function isSelectable(folder: Pick<FolderListing, 'flags'>): boolean {
  return !folder.flags.some((f) => ['\\noselect', '\\nonexistent'].includes(f.toLowerCase()));
}

/** Everything the mapping needs to know about one side. */
export interface SideListing {
  namespace: NamespaceInfo;
  folders: FolderListing[];
  /** True when the server treats folder names case-insensitively (assume false for Dovecot). */
  caseInsensitive?: boolean;
  /**
   * The server's capabilities after login, when the listing was read from a live server: they tell
   * a provider apart (Gmail's X-GM-EXT-1) where the plan does not name it.
   */
  capabilities?: readonly string[];
}

/** The user's overrides from the plan file's `folders` section. */
export interface MappingRules {
  /** Explicit pairs: source folder (logical name with `/`) -> destination folder (logical name with `/`). */
  map?: Record<string, string>;
  /** Regex renames applied to the logical name, in order; `to` may use `$1`. */
  rename?: { from: string; to: string }[];
  /** Glob patterns (`*` within a level, `**` across levels) of logical source names to skip. */
  exclude?: string[];
  /** Glob patterns of logical source names to copy even when skipped by default. */
  include?: string[];
  /** Put every non-INBOX, non-special folder under this destination folder (logical name). */
  under?: string;
}

/** Why a folder goes where it goes. */
export type MappingReason =
  | 'inbox'
  | 'special-use'
  | 'localized-name'
  | 'override-map'
  | 'override-rename'
  | 'same-name'
  /** A subfolder of a folder that moved (a special folder, INBOX, a renamed one): it moves along. */
  | 'follows-parent'
  /** Renamed on the source after it was synced: it stays where its old name went. */
  | 'renamed-on-source'
  /**
   * Gmail's All Mail: copied after every label folder, only what no label folder holds (mail
   * archived without a label), into the destination's archive folder.
   */
  | 'archived-only';

/** Why a folder is not copied. */
export type SkipReason =
  | 'excluded'
  | 'not-selectable'
  | 'virtual'
  | 'provider-duplicate'
  /** A provider's folder of items that are not mail (Exchange's Calendar, Contacts, Tasks...). */
  | 'not-mail'
  /** New on the source since the plan, and the plan says new folders wait for review. */
  | 'needs-review';

/** The decision for one source folder. */
export type FolderDecision =
  | {
      action: 'copy';
      source: string;
      destination: string;
      reason: MappingReason;
      /** Special use the destination folder has or is expected to have. */
      specialUse?: SpecialUse;
      /** True when the destination folder exists already (a merge). */
      exists: boolean;
      warnings: string[];
    }
  | { action: 'skip'; source: string; reason: SkipReason; detail: string };

/**
 * The levels of `path` (itself included) a destination does not have yet, parents first; `known`
 * holds the destination's folders in NFC.
 */
export function missingLevels(
  path: string,
  known: { delimiter: string; existing: ReadonlySet<string> },
): string[] {
  const parts = path.split(known.delimiter);
  return parts
    .map((_, i) => parts.slice(0, i + 1).join(known.delimiter))
    .filter((p) => !known.existing.has(p.normalize('NFC')));
}
