/**
 * Assembles the dry-run report from discovery, the folder decisions and the state's figures.
 * Pure: every input is data, so the whole report is tested without servers.
 */
import type { AccountDiscovery, MessageRef, SourceFolderFacts } from '../plan/discovery.js';
import type { FolderDecision } from '../core/folders.js';
import { resolveAddresses, type PlanAddress } from '../plan/addresses.js';
import { estimateDuration } from './dry-run-estimate.js';
import {
  DRY_RUN_REPORT_VERSION,
  type AccountReport,
  type DryRunReport,
  type FolderRow,
  type LoginCheck,
  type Problem,
} from './dry-run-model.js';
import {
  copiedRows,
  detectAccountProblems,
  detectAddressProblems,
  detectPlanProblems,
  incomingBytes,
  oversizeMessages,
  sortProblems,
  windowedOut,
  windowWords,
  type AccountFacts,
} from './dry-run-problems.js';
import type { Lang } from '../core/units.js';
import type { GmailView } from '../plan/gmail-labels.js';
import {
  pendingRepairs,
  providerOf,
  rulesOf,
  type AppliedPreset,
  type ProviderName,
  type Side,
} from '../plan/provider-presets.js';
import type { ProviderReport } from './dry-run-model.js';
import { gmailSummary } from './dry-run-gmail.js';
import type { ResolvedWindow } from '../plan/window.js';

/** Largest messages listed per account. */
export const LARGEST_LISTED = 5;

/** One account's inputs. */
export interface DryRunAccountInput {
  id: string;
  discovery: AccountDiscovery;
  /** The folder decisions, or undefined when there is no resolved plan and a side could not be read. */
  decisions?: FolderDecision[];
  mapping: AccountReport['mapping'];
  /** Source folders an earlier run synced (from the state). */
  syncedFolders: string[];
  /** Messages (copied or found present) and bytes an earlier run put on the destination. */
  alreadyCopied: { messages: number; bytes: number };
  /** A Gmail source's folder roles and label mode (plan/gmail-labels.ts), when the source is Gmail. */
  gmail?: GmailView;
  /** The account's date window, when the plan has one: what it leaves out is not counted as to copy. */
  window?: ResolvedWindow;
}

/** Everything the report is made of. */
export interface DryRunInput {
  generatedAt: Date;
  lang: Lang;
  /** The report's plan facts, plus what only building the report needs. */
  plan: DryRunReport['plan'] & {
    throughput?: number;
    addresses: PlanAddress[];
    /** The presets the plan names (plan/provider-presets.ts). */
    presets?: AppliedPreset[];
  };
  accounts: DryRunAccountInput[];
  /** Messages per second measured by earlier runs (the state), if any. */
  learnedThroughput?: number;
  /** Wall-clock seconds discovery took. */
  discoverySeconds: number;
}

function login(d: AccountDiscovery['source'] | AccountDiscovery['destination'], server: string): LoginCheck {
  return d.ok ? { ok: true, server } : { ok: false, server, ...d.error };
}

function range(items: { oldest?: string; newest?: string }[]): { oldest?: string; newest?: string } {
  const olds = items.map((i) => i.oldest).filter((x): x is string => !!x);
  const news = items.map((i) => i.newest).filter((x): x is string => !!x);
  return {
    ...(olds.length ? { oldest: olds.reduce((a, b) => (a < b ? a : b)) } : {}),
    ...(news.length ? { newest: news.reduce((a, b) => (a > b ? a : b)) } : {}),
  };
}

/** One row per source folder, in the source's LIST order, with what happens to it. */
export function folderRows(a: DryRunAccountInput): FolderRow[] {
  const src = a.discovery.source;
  if (!src.ok) return [];
  const dst = a.discovery.destination;
  const existing = new Map(dst.ok ? dst.listing.folders.map((f) => [f.path.normalize('NFC'), f]) : []);
  const decided = new Map((a.decisions ?? []).map((d) => [d.source, d]));
  return src.folders.map((facts: SourceFolderFacts): FolderRow => {
    const base = {
      source: facts.path,
      messages: facts.messages,
      bytes: facts.bytes,
      ...(facts.oldest ? { oldest: facts.oldest } : {}),
      ...(facts.newest ? { newest: facts.newest } : {}),
      ...(facts.error ? { error: facts.error } : {}),
    };
    if (!a.decisions) return { ...base, action: 'unknown', reason: 'unknown', existing: false, warnings: [] };
    const d = decided.get(facts.path);
    if (!d) {
      // A resolved plan made before this folder appeared: the run copies only what it lists.
      return { ...base, action: 'skip', reason: 'not-in-plan', existing: false, warnings: [] };
    }
    if (d.action === 'skip') {
      return { ...base, action: 'skip', reason: d.reason, detail: d.detail, existing: false, warnings: [] };
    }
    const there = existing.get(d.destination.normalize('NFC'));
    return {
      ...base,
      action: 'copy',
      destination: d.destination,
      reason: d.reason,
      // A live listing beats what the resolved plan remembered.
      existing: dst.ok ? there !== undefined : d.exists,
      ...(there ? { destinationMessages: there.status?.messages ?? there.messages ?? 0 } : {}),
      warnings: d.warnings,
    };
  });
}

/**
 * The providers of both sides of an account: named in the plan (with what their preset set), or
 * shown by the server's capabilities (their folder rules apply, their limits only when named).
 */
function providersOf(a: DryRunAccountInput, presets: readonly AppliedPreset[]): ProviderReport[] {
  const sides: Side[] = ['source', 'destination'];
  return sides.flatMap((side): ProviderReport[] => {
    const d = a.discovery[side];
    const named = presets.find((p) => p.side === side);
    const found = providerOf(named?.provider, d.ok ? d.capabilities : undefined);
    if (found.provider === 'generic' && !named) return [];
    const provider: ProviderName = found.provider;
    return [
      {
        side,
        provider,
        by: found.by,
        settings: named?.settings ?? [],
        rules: named?.rules ?? rulesOf(provider, side),
        pendingRepairs: pendingRepairs(provider, side),
      },
    ];
  });
}

function accountReport(a: DryRunAccountInput, input: DryRunInput, problems: Problem[]): AccountReport {
  const facts = toFacts(a, input);
  const rows = facts.rows;
  const copy = copiedRows(rows);
  const src = a.discovery.source;
  const dst = a.discovery.destination;
  const copySet = new Set(copy.map((r) => r.source));
  const largest: MessageRef[] = src.ok
    ? src.folders
        .filter((f) => copySet.has(f.path))
        .flatMap((f) => f.bySize.refs(LARGEST_LISTED))
        .sort((x, y) => y.size - x.size)
        .slice(0, LARGEST_LISTED)
    : [];
  const mine = problems.filter((p) => p.account === a.id);
  const out = windowedOut(facts);
  const outBytes = out.reduce((s, m) => s + m.size, 0);
  return {
    id: a.id,
    sourceUser: src.user,
    destinationUser: dst.user,
    login: { source: login(src, input.plan.source), destination: login(dst, input.plan.destination) },
    mapping: a.mapping,
    folders: rows,
    totals: {
      folders: copy.length,
      ...gmailTotals(a, {
        messages: copy.reduce((s, r) => s + r.messages, 0) - out.length,
        bytes: copy.reduce((s, r) => s + r.bytes, 0) - outBytes,
      }),
    },
    ...range(copy),
    largest,
    ...(dst.ok && dst.quota ? { quota: { ...dst.quota, incoming: incomingBytes(facts) } } : {}),
    ...(dst.ok && dst.appendLimit !== undefined ? { appendLimit: dst.appendLimit } : {}),
    alreadyCopied: a.alreadyCopied,
    ...(a.window && out.length > 0
      ? { outsideWindow: { messages: out.length, bytes: outBytes, window: windowWords(a.window) } }
      : {}),
    blockers: mine.filter((p) => p.severity === 'blocker').length,
    warnings: mine.filter((p) => p.severity === 'warning').length,
    discoverySeconds: a.discovery.seconds,
    ...providersAndGmail(a, input),
  };
}

/** In one-copy mode a Gmail source sends each message once, whatever the folders list. */
function gmailTotals(a: DryRunAccountInput, listed: { messages: number; bytes: number }) {
  const g = gmailOf(a);
  return g?.labelMode === 'one-copy' ? g.modes.oneCopy : listed;
}

function providersAndGmail(
  a: DryRunAccountInput,
  input: DryRunInput,
): Pick<AccountReport, 'providers' | 'gmail'> {
  const providers = providersOf(a, input.plan.presets ?? []);
  const gmail = gmailOf(a);
  return { ...(providers.length > 0 ? { providers } : {}), ...(gmail ? { gmail } : {}) };
}

/**
 * A Gmail source's All Mail gives only its archived-only mail, and in one-copy mode the label
 * folders give each message once: the rows and totals say what arrives, not what Gmail lists.
 */
function gmailRows(a: DryRunAccountInput, rows: FolderRow[]): FolderRow[] {
  const g = gmailOf(a);
  if (!g || !a.gmail) return rows;
  const allMail = new Set(a.gmail.folders.allMail);
  return rows.map((r) =>
    allMail.has(r.source) && r.action === 'copy'
      ? { ...r, messages: g.archivedOnly.messages, bytes: g.archivedOnly.bytes }
      : r,
  );
}

function gmailOf(a: DryRunAccountInput) {
  const src = a.discovery.source;
  return a.gmail && src.ok ? gmailSummary(a.gmail, src.folders, a.decisions ?? []) : undefined;
}

function toFacts(a: DryRunAccountInput, input: DryRunInput): AccountFacts {
  return {
    id: a.id,
    discovery: a.discovery,
    rows: gmailRows(a, folderRows(a)),
    syncedFolders: new Set(a.syncedFolders),
    alreadyCopied: a.alreadyCopied,
    maxMessageSize: input.plan.maxMessageSize,
    ...(a.window ? { window: a.window } : {}),
    lang: input.lang,
  };
}

/**
 * Builds the report: rows, problems, verdict, estimate and addresses.
 * @returns the report object (the JSON file's content)
 */
export function buildDryRunReport(input: DryRunInput): DryRunReport {
  const addresses = resolveAddresses(
    input.plan.addresses,
    input.accounts.map((a) => ({
      source: a.discovery.source.user,
      destination: a.discovery.destination.user,
    })),
  );
  const facts = input.accounts.map((a) => toFacts(a, input));
  const problems = sortProblems([
    ...facts.flatMap(detectAccountProblems),
    ...detectPlanProblems(facts),
    ...detectAddressProblems(addresses),
  ]);
  const accounts = input.accounts.map((a) => accountReport(a, input, problems));
  const remaining = input.accounts.reduce(
    (sum, a) => {
      const facts = toFacts(a, input);
      const copy = copiedRows(facts.rows);
      const over = oversizeMessages(facts);
      const listed = gmailTotals(a, { messages: copy.reduce((s, r) => s + r.messages, 0), bytes: 0 });
      const messages = listed.messages - over.length - windowedOut(facts).length - a.alreadyCopied.messages;
      return { messages: sum.messages + Math.max(0, messages), bytes: sum.bytes + incomingBytes(facts) };
    },
    { messages: 0, bytes: 0 },
  );
  const blockers = problems.filter((p) => p.severity === 'blocker').length;
  return {
    version: DRY_RUN_REPORT_VERSION,
    generatedAt: input.generatedAt.toISOString(),
    lang: input.lang,
    plan: {
      name: input.plan.name,
      path: input.plan.path,
      ...(input.plan.client ? { client: input.plan.client } : {}),
      source: input.plan.source,
      destination: input.plan.destination,
      ...(input.plan.maxMessageSize !== undefined ? { maxMessageSize: input.plan.maxMessageSize } : {}),
    },
    verdict: blockers > 0 ? 'blocked' : 'ready',
    summary: {
      accounts: accounts.length,
      accountsBlocked: accounts.filter((a) => a.blockers > 0).length,
      folders: accounts.reduce((s, a) => s + a.totals.folders, 0),
      foldersSkipped: accounts.reduce((s, a) => s + a.folders.filter((r) => r.action === 'skip').length, 0),
      messages: accounts.reduce((s, a) => s + a.totals.messages, 0),
      bytes: accounts.reduce((s, a) => s + a.totals.bytes, 0),
      ...range(accounts),
      blockers,
      warnings: problems.filter((p) => p.severity === 'warning').length,
      estimate: estimateDuration(remaining, {
        learned: input.learnedThroughput,
        configured: input.plan.throughput,
      }),
      discoverySeconds: input.discoverySeconds,
    },
    problems,
    accounts,
    addresses,
    ...(input.plan.presets && input.plan.presets.length > 0 ? { presets: input.plan.presets } : {}),
  };
}
