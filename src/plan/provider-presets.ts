/**
 * Provider presets: what `provider: google | microsoft365 | generic` on a side of the plan sets.
 * A preset fills the limits the provider documents (connections, message size, daily upload) where
 * the plan leaves them out, so every value stays overridable by writing it; it also switches on
 * the provider's folder rules (mapping.ts, provider-folders.ts) and says which repairs its refusals
 * call for. Every figure cites fixtures/providers/gmail-facts.json or microsoft365-facts.json,
 * which give the provider's documentation or the public transcript behind it.
 *
 * The OAuth2 work (core/providers.ts on its branch) reads the same `provider` field for the
 * provider's IMAP host and token endpoints; this module adds limits and rules, never a host.
 */

/** The providers a plan can name. `generic` is any other IMAP server: no preset. */
export type ProviderName = 'google' | 'microsoft365' | 'generic';

/** Which side of the migration a preset applies to. */
export type Side = 'source' | 'destination';

/** How the provider of a side was known. */
export type ProviderSource = 'plan' | 'capability' | 'none';

/** One value a preset sets, or would have set had the plan not given its own. */
export interface PresetSetting {
  /** The plan field, e.g. `destination.maxConnections`, `limits.maxMessageSize`. */
  field: string;
  value: number;
  /** `preset` when the preset's value applies; `plan` when the plan's own value overrides it. */
  from: 'preset' | 'plan';
  /** Where the figure comes from, for the report. */
  why: string;
}

/** What a preset did to one side of a plan, for the report ("which preset applied"). */
export interface AppliedPreset {
  side: Side;
  provider: ProviderName;
  settings: PresetSetting[];
  /** The folder rules and refusal handling the preset switches on, one sentence each. */
  rules: string[];
}

/** A limit a preset sets: the plan field, its value and the documented reason. */
interface PresetLimit {
  /** `server` sets the side's own server field; `limits` sets the plan-wide `limits` field. */
  scope: 'server' | 'limits';
  key: string;
  value: number;
  why: string;
}

interface ProviderPreset {
  /** For either side. */
  both: PresetLimit[];
  source: PresetLimit[];
  destination: PresetLimit[];
  sourceRules: string[];
  destinationRules: string[];
}

/** Gmail's APPENDLIMIT as its CAPABILITY shows it (gmail-facts.json, append-limit). */
export const GMAIL_APPEND_LIMIT = 35_651_584;

/** Google Workspace: "Upload via IMAP 500 MB per day" (https://support.google.com/a/answer/1071518). */
export const GMAIL_UPLOAD_PER_DAY = 500 * 1000 * 1000;

/** Exchange Online's default largest message, 35 MB, raisable by the tenant to 150 MB (microsoft365-facts.json). */
export const EXCHANGE_MAX_MESSAGE = 35 * 1024 * 1024;

const PRESETS: Record<Exclude<ProviderName, 'generic'>, ProviderPreset> = {
  google: {
    both: [
      {
        scope: 'server',
        key: 'maxConnections',
        value: 10,
        why: "Gmail's limit of simultaneous IMAP connections per account (Google once published 10; 15 is reported); the user's own mail clients count too",
      },
    ],
    source: [],
    destination: [
      {
        scope: 'limits',
        key: 'maxMessageSize',
        value: GMAIL_APPEND_LIMIT,
        why: "Gmail's APPENDLIMIT (34 MiB); larger messages are refused with BAD [TOOBIG]",
      },
      {
        scope: 'limits',
        key: 'maxBytesPerDay',
        value: GMAIL_UPLOAD_PER_DAY,
        why: 'Google Workspace: "Upload via IMAP 500 MB per day" per account (support.google.com/a/answer/1071518); past it Gmail stops uploads for the account',
      },
    ],
    sourceRules: [
      '[Gmail]/All Mail is copied after every label folder, and only the mail no label folder holds (archived without a label) goes to the destination archive folder',
      'Starred is not copied as a folder: the \\Flagged flag travels with each message',
      'Important is not copied as a folder: its messages get the $Important keyword (RFC 8457)',
      'labels are told apart from special folders by the attributes Gmail lists, never by name',
      'Spam and Trash are copied like any folder (exclude them in folders.exclude to leave them)',
    ],
    destinationRules: [
      'special folders by their attributes ([Gmail]/Sent Mail, [Gmail]/Drafts, [Gmail]/Spam, [Gmail]/Trash)',
      'label names cleaned of what Gmail refuses (blanks at the ends or repeated, ^)',
      'a message Gmail refuses as too large (BAD [TOOBIG]) is named and the others go on',
      'the daily upload limit stops the account cleanly; run again (or let mailshift sync) once it resets',
    ],
  },
  microsoft365: {
    both: [
      {
        scope: 'server',
        key: 'maxConnections',
        value: 8,
        why: 'well under the IMAP connections Exchange allows per mailbox (16 on Exchange Server, 20 reported for Exchange Online); more only brings throttling',
      },
    ],
    source: [],
    destination: [
      {
        scope: 'limits',
        key: 'maxMessageSize',
        value: EXCHANGE_MAX_MESSAGE,
        why: "Exchange Online's default message size (35 MB; a tenant can raise it to 150 MB: set limits.maxMessageSize to 157286400 then); Exchange announces no APPENDLIMIT",
      },
    ],
    sourceRules: [
      'folders that hold no mail (Calendar, Contacts, Tasks, Notes, Journal, Conversation History, RSS Feeds, Sync Issues, Outbox, in English, Polish and German) are left out with the reason',
      "Exchange's hidden Files folder (attachments without headers) is left out",
      'special folders from the attributes in LIST, although Exchange does not announce SPECIAL-USE',
    ],
    destinationRules: [
      'special folders from the attributes in LIST (Sent Items, Deleted Items, Junk Email, Drafts, Archive)',
      'folder names compared case-insensitively, as Exchange does',
      'a source folder named Files (a name Exchange reserves) is created as "Files (2)"',
      'throttling ("Request is throttled. Suggested Backoff Time") is waited out for the time Exchange names',
      'refusals "Command Argument Error. 11" and "Command Error. 10" are per message: the message is named, the others go on',
    ],
  },
};

/** The provider a plan names for a side, if any (on the raw YAML, before the schema). */
function declaredIn(data: Record<string, unknown>, side: Side): ProviderName | undefined {
  const server = data[side];
  if (typeof server !== 'object' || server === null) return undefined;
  const p = (server as { provider?: unknown }).provider;
  return p === 'google' || p === 'microsoft365' || p === 'generic' ? p : undefined;
}

function objectAt(data: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = data[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/**
 * Applies the presets of the providers a plan names to its raw data (before the schema gives
 * defaults, so that a value the plan writes is told apart from one it leaves out).
 * @param data the plan file as parsed YAML
 * @returns the data with the preset values filled in (a copy), and what each preset did
 */
export function applyProviderPresets(data: unknown): { data: unknown; applied: AppliedPreset[] } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { data, applied: [] };
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  const applied: AppliedPreset[] = [];
  for (const side of ['source', 'destination'] as const) {
    const provider = declaredIn(out, side);
    if (!provider) continue;
    if (provider === 'generic') {
      applied.push({ side, provider, settings: [], rules: [] });
      continue;
    }
    const preset = PRESETS[provider];
    const settings: PresetSetting[] = [];
    for (const limit of [...preset.both, ...preset[side]]) {
      const parentKey = limit.scope === 'server' ? side : 'limits';
      const parent = { ...(objectAt(out, parentKey) ?? {}) };
      const given = parent[limit.key];
      const field = `${parentKey}.${limit.key}`;
      if (given === undefined) {
        parent[limit.key] = limit.value;
        out[parentKey] = parent;
        settings.push({ field, value: limit.value, from: 'preset', why: limit.why });
      } else if (typeof given === 'number') {
        settings.push({ field, value: given, from: 'plan', why: limit.why });
      }
    }
    applied.push({
      side,
      provider,
      settings,
      rules: side === 'source' ? preset.sourceRules : preset.destinationRules,
    });
  }
  return { data: out, applied };
}

/** Whether a server's capabilities show Gmail's IMAP extensions (Google: "indicated by ... X-GM-EXT-1"). */
export function offersGmailExtensions(capabilities: Iterable<string> | undefined): boolean {
  for (const c of capabilities ?? []) if (c.toUpperCase() === 'X-GM-EXT-1') return true;
  return false;
}

/**
 * Exchange announces capabilities no other server has (MailKit issue 849 records Exchange
 * Online's list): CLIENTACCESSRULES and CLIENTNETWORKPRESENCELOCATION.
 */
function looksLikeExchange(capabilities: Iterable<string> | undefined): boolean {
  for (const c of capabilities ?? []) {
    if (['CLIENTACCESSRULES', 'CLIENTNETWORKPRESENCELOCATION'].includes(c.toUpperCase())) return true;
  }
  return false;
}

/** The provider of a side and how it was known. */
export interface SideProvider {
  provider: ProviderName;
  by: ProviderSource;
}

/**
 * The provider of a side: the one the plan names, else the one its capabilities show (X-GM-EXT-1
 * for Gmail, Exchange's own capabilities for Microsoft 365), else generic. A detected provider
 * brings its folder rules; its limits apply only when the plan names it.
 */
export function providerOf(
  declared: ProviderName | undefined,
  capabilities: Iterable<string> | undefined,
): SideProvider {
  if (declared) return { provider: declared, by: 'plan' };
  if (offersGmailExtensions(capabilities)) return { provider: 'google', by: 'capability' };
  if (looksLikeExchange(capabilities)) return { provider: 'microsoft365', by: 'capability' };
  return { provider: 'generic', by: 'none' };
}

/** The folder rules of a provider on a side (for a detected provider's report line). */
export function rulesOf(provider: ProviderName, side: Side): string[] {
  if (provider === 'generic') return [];
  return side === 'source' ? PRESETS[provider].sourceRules : PRESETS[provider].destinationRules;
}

/**
 * The repairs a provider's refusals call for that this version does not make, named for the report:
 * Exchange refuses header lines over its limit (microsoft365-facts.json, long-lines) and Gmail
 * refuses nothing that a repair would fix.
 */
export function pendingRepairs(provider: ProviderName, side: Side): string[] {
  if (provider !== 'microsoft365' || side !== 'destination') return [];
  return [
    'folding header lines longer than 998 characters (RFC 5322 2.1.1), which Exchange refuses with "Command Error. 10" or "Command Argument Error. 11": such messages are named as refused',
  ];
}
