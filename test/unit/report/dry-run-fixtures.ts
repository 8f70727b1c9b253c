/**
 * Builders of discovery results for the dry-run report's unit tests: a source and a destination
 * described in a few lines, without servers.
 */
import type {
  AccountDiscovery,
  DestinationFolderFacts,
  SideDiscovery,
  SourceFolderFacts,
} from '../../../src/plan/discovery.js';
import { summariseMessages } from '../../../src/plan/discovery.js';
import type { FolderDecision } from '../../../src/core/folders.js';
import type { DryRunAccountInput, DryRunInput } from '../../../src/report/dry-run-build.js';

/** A source message: size, date (YYYY-MM-DD) and flags. */
export interface Msg {
  size: number;
  date?: string;
  flags?: string[];
}

/** Facts of a source folder holding these messages (UIDs 1..n). */
export function sourceFolder(path: string, messages: Msg[] = []): SourceFolderFacts {
  const metas = messages.map((m, i) => ({
    uid: i + 1,
    size: m.size,
    internalDate: Date.parse(`${m.date ?? '2024-01-01'}T10:00:00Z`),
    flags: m.flags ?? [],
    messageId: `<m${i + 1}@${path.toLowerCase().replace(/[^a-z]/g, '')}.example>`,
    identity: `id${i}`,
  }));
  return {
    selectable: true,
    status: { messages: metas.length, uidNext: metas.length + 1, uidValidity: 1 },
    ...summariseMessages(path, metas),
  };
}

/** A source side made of folders. */
export function sourceSide(user: string, folders: SourceFolderFacts[]): SideDiscovery<SourceFolderFacts> {
  return {
    ok: true,
    user,
    listing: {
      namespace: { prefix: 'INBOX.', delimiter: '.' },
      folders: folders.map((f) => ({
        path: f.path,
        delimiter: '.',
        flags: [],
        subscribed: true,
        messages: f.messages,
        status: f.status,
      })),
    },
    capabilities: ['IMAP4rev1'],
    folders,
  };
}

/** An existing destination folder with a message count and, if the server said, PERMANENTFLAGS. */
export function destinationFolder(
  path: string,
  messages = 0,
  permanentFlags?: string[],
): DestinationFolderFacts {
  return {
    path,
    selectable: true,
    status: { messages, uidNext: messages + 1, uidValidity: 7 },
    ...(permanentFlags ? { permanentFlags } : {}),
  };
}

/** A destination side. */
export function destinationSide(
  user: string,
  folders: DestinationFolderFacts[],
  extra: { appendLimit?: number | 'per-folder'; quota?: { usage: number; limit: number } } = {},
): SideDiscovery<DestinationFolderFacts> {
  return {
    ok: true,
    user,
    listing: {
      namespace: { prefix: '', delimiter: '/' },
      folders: folders.map((f) => ({
        path: f.path,
        delimiter: '/',
        flags: [],
        subscribed: true,
        messages: f.status?.messages,
        status: f.status,
      })),
    },
    capabilities: [
      'IMAP4rev1',
      ...(extra.appendLimit === undefined
        ? []
        : [extra.appendLimit === 'per-folder' ? 'APPENDLIMIT' : `APPENDLIMIT=${extra.appendLimit}`]),
    ],
    ...extra,
    folders,
  };
}

/** A side that could not log in. */
export function failedSide<F>(user: string, code = 'AUTH_FAILED'): SideDiscovery<F> {
  return {
    ok: false,
    user,
    error: { code, message: `login refused for ${user}`, hint: 'check the password' },
  };
}

/** A copy decision. */
export function copy(
  source: string,
  destination: string,
  exists = false,
  warnings: string[] = [],
): FolderDecision {
  return { action: 'copy', source, destination, reason: 'same-name', exists, warnings };
}

/** One account's input with both sides and its decisions. */
export function accountInput(
  id: string,
  source: SideDiscovery<SourceFolderFacts>,
  destination: SideDiscovery<DestinationFolderFacts>,
  decisions: FolderDecision[] | undefined,
  extra: Partial<DryRunAccountInput> = {},
): DryRunAccountInput {
  const discovery: AccountDiscovery = { account: id, source, destination, seconds: 0.5 };
  return {
    id,
    discovery,
    decisions,
    mapping: decisions ? 'proposed' : 'none',
    syncedFolders: [],
    alreadyCopied: { messages: 0, bytes: 0 },
    ...extra,
  };
}

/** A whole report input around some accounts. */
export function input(
  accounts: DryRunAccountInput[],
  extra: Partial<DryRunInput['plan']> = {},
  lang: 'pl' | 'en' = 'en',
): DryRunInput {
  return {
    generatedAt: new Date('2026-11-25T10:00:00Z'),
    lang,
    plan: {
      name: 'acme',
      path: '/plans/acme.yaml',
      client: 'ACME Sp. z o.o.',
      source: 'old.example:993 (tls)',
      destination: 'new.example:143 (starttls)',
      addresses: [],
      ...extra,
    },
    accounts,
    discoverySeconds: 1.5,
  };
}
