/**
 * The folder rules of the providers with presets (plan/provider-presets.ts), used by the mapping
 * (mapping.ts), the engine and verify: which folder is Gmail's All Mail, what Exchange lists that
 * holds no mail, which names Gmail and Exchange refuse to create. Pure.
 */
import type { FolderListing, SideListing } from '../core/folders.js';
import { nameKey, nonMailReason } from './localized-names.js';
import { providerOf, type ProviderName } from './provider-presets.js';

/** What the mapping knows of the providers on both sides. */
export interface MappingProfile {
  source: ProviderName;
  destination: ProviderName;
  /** Gmail source: the destination folder (logical name) for mail archived without a label. */
  archiveFolder?: string;
}

/** No provider on either side: the mapping's generic rules only. */
export const GENERIC_PROFILE: MappingProfile = { source: 'generic', destination: 'generic' };

/**
 * The profile of an account's mapping: the providers the plan names, else those both listings'
 * capabilities show (Gmail's X-GM-EXT-1...).
 */
export function mappingProfile(
  declared: { source?: ProviderName; destination?: ProviderName; archiveFolder?: string },
  source: Pick<SideListing, 'capabilities'>,
  destination: Pick<SideListing, 'capabilities'>,
): MappingProfile {
  return {
    source: providerOf(declared.source, source.capabilities).provider,
    destination: providerOf(declared.destination, destination.capabilities).provider,
    ...(declared.archiveFolder ? { archiveFolder: declared.archiveFolder } : {}),
  };
}

/** Names Gmail gives All Mail inside its container when old accounts list no attributes. */
const ALL_MAIL_NAMES = new Set(['All Mail', 'Alle Nachrichten', 'Wszystkie'].map(nameKey));

/** `[Gmail]`, `[Google Mail]`: Gmail's container of system folders. */
function isGmailContainer(level: string | undefined): boolean {
  return level !== undefined && /^\[.+\]$/.test(level);
}

/**
 * Whether a folder is Gmail's All Mail: the `\All` attribute (RFC 6154), or, for old accounts
 * listed without attributes, its name right inside the `[Gmail]` container.
 * @param folder the folder as listed
 * @param levels its logical levels (mapping.ts `toLevels`)
 */
export function isAllMailFolder(
  folder: Pick<FolderListing, 'flags' | 'specialUse'>,
  levels: string[],
): boolean {
  if (folder.specialUse === '\\All' || folder.flags.some((f) => f.toLowerCase() === '\\all')) return true;
  return levels.length === 2 && isGmailContainer(levels[0]) && ALL_MAIL_NAMES.has(nameKey(levels[1] ?? ''));
}

/** Why a Gmail view is not copied as a folder, by its attribute. */
export function gmailViewDetail(attribute: string): string | undefined {
  if (attribute === '\\flagged')
    return "Gmail's Starred view: the \\Flagged flag travels with each message, so no folder is needed";
  if (attribute === '\\important')
    return "Gmail's Important view: its messages get the $Important keyword (RFC 8457) where they are copied";
  return undefined;
}

/**
 * Why an Exchange folder is not mail (Calendar, Contacts, Sync Issues...), for the folder and its
 * subfolders; only at the top level, where Exchange puts them (a user's "Klienci/Notes" is mail).
 * @param levels the folder's logical levels
 */
export function exchangeNonMail(levels: readonly string[]): string | undefined {
  const top = levels[0];
  return top === undefined ? undefined : nonMailReason(top);
}

/**
 * A folder name level as Gmail will create it: Gmail refuses labels with blanks at either end or
 * repeated ("NO [CANNOT] Folder contains excess whitespace") and the character `^` (imapsync's
 * FAQ.Gmail; gmail-facts.json, folder-names-destination).
 * @returns the cleaned level, the same string when nothing had to change
 */
export function gmailLabelLevel(level: string): string {
  const cleaned = level.replace(/\^/g, '_').replace(/\s+/g, ' ').trim();
  return cleaned === '' ? '_' : cleaned;
}

/** Names Exchange keeps for itself at the top of a mailbox: CREATE answers "Folder name is reserved". */
const EXCHANGE_RESERVED = new Set(['files'].map(nameKey));

/**
 * The levels a folder gets on an Exchange destination: a top-level name Exchange reserves (`Files`)
 * becomes `Files (2)`.
 * @returns the levels and a warning when the name changed
 */
export function exchangeLevels(levels: string[]): { levels: string[]; warning?: string } {
  const top = levels[0];
  if (levels.length === 0 || top === undefined || !EXCHANGE_RESERVED.has(nameKey(top))) return { levels };
  const renamed = `${top} (2)`;
  return {
    levels: [renamed, ...levels.slice(1)],
    warning: `"${top}" is a name Exchange reserves ("Folder name is reserved"); created as "${renamed}"`,
  };
}
