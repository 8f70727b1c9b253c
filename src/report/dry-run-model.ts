/**
 * The dry-run report as data: what `mailshift report` found, before any rendering. The JSON
 * file is this object; HTML and Markdown are views of it. Version 1; `parseDryRunReport` refuses
 * any other.
 */
import type { MessageRef } from '../plan/discovery.js';
import { MailshiftError } from '../core/errors.js';
import type { Lang } from '../core/units.js';
import type { AppendLimit } from '../core/capabilities.js';
import type { AddressRow } from '../plan/addresses.js';
import type {
  AppliedPreset,
  ProviderName,
  ProviderSource,
  PresetSetting,
  Side,
} from '../plan/provider-presets.js';

export type { AddressRow };

export const DRY_RUN_REPORT_VERSION = 1;

/** A blocker stops the verdict "ready"; a warning needs a look; info is for the record. */
export type Severity = 'blocker' | 'warning' | 'info';

/** Every kind of problem the report detects; each has a title and an action in `dry-run-texts.ts`. */
export type ProblemKind =
  | 'login-failed'
  | 'folder-unreadable'
  | 'over-append-limit'
  | 'over-plan-limit'
  | 'append-limit-per-folder'
  | 'quota-too-small'
  | 'flags-not-kept'
  | 'flags-unverified'
  | 'folders-skipped'
  | 'outside-window'
  | 'mapping-warnings'
  | 'merge-into-existing'
  | 'address-unmapped'
  | 'address-target-unknown';

/** One problem: how many things it concerns, what they are, and (in the renderers) what to do. */
export interface Problem {
  kind: ProblemKind;
  severity: Severity;
  /** The account concerned; absent for plan-wide problems (addresses). */
  account?: string;
  /** How many messages, folders, flags or addresses it concerns (see `unit`). */
  count: number;
  unit: 'messages' | 'folders' | 'flags' | 'addresses' | 'bytes' | 'logins';
  /** Bytes concerned, where it matters (oversize messages, quota shortfall). */
  bytes?: number;
  /** Values the title and action are written with (limit, side, server, ...). */
  params: Record<string, string | number>;
  /** The things concerned, one line each, most important first (capped: see `more`). */
  items: string[];
  /** Items left out of `items`. */
  more: number;
}

/** A login check of one side. */
export type LoginCheck =
  { ok: true; server: string } | { ok: false; server: string; code: string; message: string; hint?: string };

/** One source folder and what happens to it. */
export interface FolderRow {
  source: string;
  action: 'copy' | 'skip' | 'unknown';
  destination?: string;
  /** Mapping reason (copy) or skip reason. */
  reason?: string;
  detail?: string;
  /** The destination folder exists already (its messages count is `destinationMessages`). */
  existing: boolean;
  destinationMessages?: number;
  messages: number;
  bytes: number;
  oldest?: string;
  newest?: string;
  warnings: string[];
  error?: string;
}

/** Messages and their bytes. */
export interface Volume {
  messages: number;
  bytes: number;
}

/** What a Gmail source holds, as labels, and what each label mode puts on the destination. */
export interface GmailSummary {
  labelMode: 'folders' | 'one-copy';
  /** How messages are matched across folders: Gmail's X-GM-MSGID, or their identity. */
  matchedBy: 'X-GM-MSGID' | 'identity';
  /** Copied label folders (INBOX, Sent, Drafts and user labels) and what each holds. */
  labels: (Volume & { folder: string })[];
  /** Messages in more than one copied label folder. */
  multiLabelled: number;
  /** Mail only in All Mail (archived without a label), and where it goes. */
  archivedOnly: Volume & { destination?: string };
  /** Messages Gmail marks Important: they get the $Important keyword. */
  important: number;
  /** What arrives on the destination in each mode (the chosen one is `labelMode`). */
  modes: { folders: Volume; oneCopy: Volume };
  spam?: Volume;
  trash?: Volume;
}

/** Which provider a side of an account has, how it was known, and what its preset sets. */
export interface ProviderReport {
  side: Side;
  provider: ProviderName;
  by: ProviderSource;
  settings: PresetSetting[];
  rules: string[];
  /** Repairs the provider's refusals call for that this version does not make (named, not done). */
  pendingRepairs: string[];
}

/** One account of the plan. */
export interface AccountReport {
  id: string;
  sourceUser: string;
  destinationUser: string;
  login: { source: LoginCheck; destination: LoginCheck };
  /** Where the mapping came from: the reviewed resolved plan, proposed now, or none (a side failed). */
  mapping: 'resolved' | 'proposed' | 'none';
  folders: FolderRow[];
  /** Folders, messages and bytes that will be copied. */
  totals: { folders: number; messages: number; bytes: number };
  oldest?: string;
  newest?: string;
  largest: MessageRef[];
  quota?: { usage: number; limit: number; incoming: number };
  appendLimit?: AppendLimit;
  /** Messages and bytes a previous run already put on the destination (from the state). */
  alreadyCopied: { messages: number; bytes: number };
  /** Messages of the copied folders the plan's date window leaves out on purpose (not in `totals`). */
  outsideWindow?: { messages: number; bytes: number; window: string };
  blockers: number;
  warnings: number;
  discoverySeconds: number;
  /** The providers of both sides, when either has a preset (named in the plan or detected). */
  providers?: ProviderReport[];
  /** A Gmail source's labels and archived-only mail. */
  gmail?: GmailSummary;
}

/** How long the copy is expected to take, and from what figure. */
export interface Estimate {
  /** Messages still to copy (already copied ones left out). */
  messages: number;
  bytes: number;
  /** Messages per second used. */
  throughput: number;
  basis: 'learned' | 'plan' | 'default';
  seconds: number;
}

/** The whole report. */
export interface DryRunReport {
  version: typeof DRY_RUN_REPORT_VERSION;
  generatedAt: string;
  lang: Lang;
  plan: {
    name: string;
    path: string;
    client?: string;
    source: string;
    destination: string;
    maxMessageSize?: number;
  };
  verdict: 'ready' | 'blocked';
  summary: {
    accounts: number;
    accountsBlocked: number;
    folders: number;
    foldersSkipped: number;
    messages: number;
    bytes: number;
    oldest?: string;
    newest?: string;
    blockers: number;
    warnings: number;
    estimate: Estimate;
    discoverySeconds: number;
  };
  problems: Problem[];
  accounts: AccountReport[];
  addresses: AddressRow[];
  /** The provider presets the plan names, and what each set or left to the plan. */
  presets?: AppliedPreset[];
}

/**
 * Reads a report JSON back (tests, `verify` comparing with what was promised).
 * @throws MailshiftError REPORT_VERSION when the file is of another version.
 */
export function parseDryRunReport(text: string, source = 'report'): DryRunReport {
  const doc = JSON.parse(text) as { version?: unknown };
  if (doc?.version !== DRY_RUN_REPORT_VERSION) {
    throw new MailshiftError(
      `${source}: unsupported report version: expected ${DRY_RUN_REPORT_VERSION}, got ${String(doc?.version)}`,
      { code: 'REPORT_VERSION', scope: 'run', hint: 'make the report again with this version of mailshift' },
    );
  }
  return doc as DryRunReport;
}
