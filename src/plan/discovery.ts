/**
 * Read-only discovery of one account on both sides: the folder listings with STATUS, what every
 * source folder holds (counts, sizes, dates, flags, largest messages), the destination's
 * PERMANENTFLAGS per folder, APPENDLIMIT and QUOTA. It is given `FolderReader`s only, so it can
 * send LIST, STATUS, EXAMINE, FETCH and GETQUOTAROOT, and nothing that writes. Used by `report`
 * (and by `plan`, which needs only the listings: pass `scanMessages: false`).
 */
import PQueue from 'p-queue';
import type { FolderOpening, FolderReader, FolderScan } from '../core/ports.js';
import type { FolderStatus } from '../core/folders.js';
import type { MessageMeta } from '../core/messages.js';
import { MailshiftError, StoreError } from '../core/errors.js';
import type { FolderListing, SideListing } from '../core/folders.js';
import { appendLimitOf, type AppendLimit } from '../core/capabilities.js';
import { cutBursts } from '../core/batches.js';
import { isSelectable } from '../core/folders.js';
import { isRecent } from '../core/flags.js';
import type { RetryPolicy } from '../core/backoff.js';
import { connectionCaps, DISCOVERY_LANE, type ConnectionLimits } from '../core/connection-caps.js';
import { retrying } from '../core/retry.js';
import { gmailKey } from './gmail-labels.js';
import { SizedMessages } from './sized-messages.js';
import { offersGmailExtensions } from './provider-presets.js';

export type { MessageRef } from './sized-messages.js';

/** What one source folder holds. Empty for a folder that cannot be selected or was not scanned. */
export interface SourceFolderFacts {
  path: string;
  selectable: boolean;
  status?: FolderStatus;
  messages: number;
  bytes: number;
  /** Oldest and newest INTERNALDATE, ISO 8601. */
  oldest?: string;
  newest?: string;
  /** Messages carrying each flag or keyword (`\Recent` left out: no server lets it be set). */
  flagCounts: Record<string, number>;
  /** Every message, largest first (kept so any size limit can be checked after discovery). */
  bySize: SizedMessages;
  /** Set when EXAMINE or FETCH of this folder failed. */
  error?: string;
  /**
   * A Gmail source's messages by the key they are matched by across its folders (X-GM-MSGID, else
   * identity: plan/gmail-labels.ts), with their sizes: labels and archived-only mail are counted
   * from them. Kept only for a server that offers X-GM-EXT-1 or that the plan names Google.
   */
  messageKeys?: { key: string; size: number }[];
}

/** What one existing destination folder is. */
export interface DestinationFolderFacts {
  path: string;
  selectable: boolean;
  status?: FolderStatus;
  /**
   * PERMANENTFLAGS as the server announced them to a read-only EXAMINE, or undefined when it
   * announced none. RFC 3501 7.1 makes PERMANENTFLAGS describe what this session may change, and
   * a read-only session may change nothing, so Dovecot (and others) answer `PERMANENTFLAGS ()`
   * with "Read-only mailbox": that empty list says nothing about what an APPEND will keep.
   */
  permanentFlags?: string[];
  error?: string;
}

/** Why a side could not be read: the classified login or connection error. */
export interface SideFailure {
  code: string;
  message: string;
  hint?: string;
}

/** One side of one account, read or failed. */
export type SideDiscovery<F> =
  | {
      ok: true;
      user: string;
      listing: SideListing;
      capabilities: string[];
      appendLimit?: AppendLimit;
      /** Storage quota in bytes (RFC 2087 STORAGE), when the server has QUOTA and a limit is set. */
      quota?: { usage: number; limit: number };
      folders: F[];
    }
  | { ok: false; user: string; error: SideFailure };

/** Both sides of one account. */
export interface AccountDiscovery {
  account: string;
  source: SideDiscovery<SourceFolderFacts>;
  destination: SideDiscovery<DestinationFolderFacts>;
  seconds: number;
}

/** Opens the readers of an account; each call opens a new connection. */
export interface AccountReaders {
  source(): Promise<FolderReader>;
  destination(): Promise<FolderReader>;
}

export interface DiscoveryOptions {
  /** FETCH metadata of every source message (counts, sizes, dates, flags). Default true. */
  scanMessages?: boolean;
  /** EXAMINE every destination folder for its PERMANENTFLAGS. Default true. */
  examineDestination?: boolean;
  /** Keep each source message's matching key (a Gmail source the plan names); X-GM-EXT-1 implies it. */
  keepKeys?: boolean;
  /**
   * The plan's `limits.retry`: a side whose connection is lost or throttled is read again on a
   * new connection (core/retry.ts). Without it, such a side is reported as it failed.
   */
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

/** Folds scanned message metadata into the facts of a folder. */
export function summariseMessages(
  path: string,
  metas: MessageMeta[],
): Omit<SourceFolderFacts, 'status' | 'selectable'> {
  const flagCounts: Record<string, number> = {};
  let bytes = 0;
  let oldest: number | undefined;
  let newest: number | undefined;
  for (const m of metas) {
    bytes += m.size;
    const t = m.internalDate;
    if (Number.isFinite(t)) {
      oldest = oldest === undefined ? t : Math.min(oldest, t);
      newest = newest === undefined ? t : Math.max(newest, t);
    }
    for (const f of new Set(m.flags)) {
      if (isRecent(f)) continue;
      flagCounts[f] = (flagCounts[f] ?? 0) + 1;
    }
  }
  return {
    path,
    messages: metas.length,
    bytes,
    ...(oldest !== undefined ? { oldest: new Date(oldest).toISOString() } : {}),
    ...(newest !== undefined ? { newest: new Date(newest).toISOString() } : {}),
    flagCounts,
    bySize: SizedMessages.of(path, metas),
  };
}

function failure(err: MailshiftError): SideFailure {
  return { code: err.code, message: err.message, hint: err.hint };
}

/** The server's own words about a folder it refused, for the report. */
function refusal(err: MailshiftError): string {
  return err instanceof StoreError ? (err.serverText ?? err.message) : err.message;
}

/** A refusal about one folder (NO to EXAMINE or FETCH); a lost connection or wider error is not. */
function folderScoped(err: unknown): err is MailshiftError {
  return err instanceof MailshiftError && (err.scope === 'folder' || err.scope === 'message');
}

async function withReader<T>(
  open: () => Promise<FolderReader>,
  use: (r: FolderReader) => Promise<T>,
): Promise<T> {
  const reader = await open();
  try {
    return await use(reader);
  } finally {
    await reader.close().catch(() => undefined);
  }
}

async function readQuota(reader: FolderReader): Promise<{ usage: number; limit: number } | undefined> {
  try {
    return await reader.quota();
  } catch {
    // A server may list QUOTA and still refuse GETQUOTAROOT for this user: no limit known.
    return undefined;
  }
}

/** Cuts folders into bursts, in order (core/batches.ts): each folder counts its listed messages. */
function folderBursts(folders: readonly FolderListing[], messages = true): FolderListing[][] {
  return cutBursts(folders, (f) => ({ folders: 1, messages: messages ? (f.messages ?? 0) : 0 }));
}

/**
 * Every source folder's facts: where the reader can, the selectable folders are examined and
 * scanned a burst at a time (one round trip per burst, on the reader's own connection), else one
 * folder after the other. A burst whose connection a folder's answer ended is read again one
 * folder at a time, so that folder fails alone.
 */
async function scanSources(
  reader: FolderReader,
  folders: FolderListing[],
  scan: boolean,
  keepKeys: boolean,
): Promise<SourceFolderFacts[]> {
  const one = (f: FolderListing) => scanSource(reader, f, scan, keepKeys);
  if (!scan || !reader.scanFolders) return oneByOne(folders, one);
  const facts = new Map<string, SourceFolderFacts>();
  for (const burst of folderBursts(folders.filter(isSelectable))) {
    const scans = await reader.scanFolders(burst.map((f) => f.path)).catch((err: unknown) => {
      if (!folderScoped(err)) throw err;
      return undefined;
    });
    for (const [i, f] of burst.entries()) {
      const read = scans?.[i];
      facts.set(f.path, read ? scannedFacts(reader, f, read, keepKeys) : await one(f));
    }
  }
  return folders.map((f) => facts.get(f.path) ?? emptyFacts(f));
}

/** One folder at a time: EXAMINE changes the connection's selected folder. */
async function oneByOne<F>(folders: FolderListing[], read: (f: FolderListing) => Promise<F>): Promise<F[]> {
  const out: F[] = [];
  for (const f of folders) out.push(await read(f));
  return out;
}

/** A source folder's facts before (or without) a scan: what its listing says. */
function emptyFacts(folder: FolderListing): SourceFolderFacts {
  return {
    path: folder.path,
    selectable: isSelectable(folder),
    status: folder.status,
    messages: folder.messages ?? 0,
    bytes: folder.size ?? 0,
    flagCounts: {},
    bySize: SizedMessages.none(folder.path),
  };
}

/** A source folder's facts from its scan (or its refusal). */
function scannedFacts(
  reader: FolderReader,
  folder: FolderListing,
  read: FolderScan,
  keepKeys: boolean,
): SourceFolderFacts {
  if ('error' in read) return { ...emptyFacts(folder), error: refusal(read.error) };
  const keys = keepKeys || offersGmailExtensions(reader.capabilities);
  return {
    selectable: true,
    status: folder.status ?? read.status,
    ...summariseMessages(folder.path, read.messages),
    ...(keys ? { messageKeys: read.messages.map((m) => ({ key: gmailKey(m), size: m.size })) } : {}),
  };
}

async function scanSource(
  reader: FolderReader,
  folder: FolderListing,
  scan: boolean,
  keepKeys: boolean,
): Promise<SourceFolderFacts> {
  if (!isSelectable(folder) || !scan) return emptyFacts(folder);
  try {
    const opened = await reader.examine(folder.path);
    // Collected before anything else is sent: no command may run inside a FETCH (imapflow).
    const messages = await reader.scan(1);
    return scannedFacts(reader, folder, { path: folder.path, status: opened.status, messages }, keepKeys);
  } catch (err) {
    if (!folderScoped(err)) throw err;
    return { ...emptyFacts(folder), error: refusal(err) };
  }
}

/**
 * Every destination folder's facts: where the reader can, the selectable folders are examined a
 * burst at a time, else one after the other.
 */
async function examineDestinations(
  reader: FolderReader,
  folders: FolderListing[],
  examine: boolean,
): Promise<DestinationFolderFacts[]> {
  const one = (f: FolderListing) => examineDestination(reader, f, examine);
  if (!examine || !reader.examineFolders) return oneByOne(folders, one);
  const facts = new Map<string, DestinationFolderFacts>();
  // EXAMINE holds no message metadata: only the folders bound a burst.
  for (const burst of folderBursts(folders.filter(isSelectable), false)) {
    const openings = await reader.examineFolders(burst.map((f) => f.path));
    for (const [i, f] of burst.entries()) facts.set(f.path, openedFacts(f, openings[i]!));
  }
  return folders.map(
    (f) => facts.get(f.path) ?? { path: f.path, selectable: isSelectable(f), status: f.status },
  );
}

/** A destination folder's facts from its EXAMINE (or its refusal). */
function openedFacts(folder: FolderListing, opening: FolderOpening): DestinationFolderFacts {
  const base = { path: folder.path, selectable: true, status: folder.status };
  if ('error' in opening) return { ...base, error: refusal(opening.error) };
  const flags = opening.opened.permanentFlags;
  return {
    ...base,
    status: base.status ?? opening.opened.status,
    ...(flags.length > 0 ? { permanentFlags: flags } : {}),
  };
}

async function examineDestination(
  reader: FolderReader,
  folder: FolderListing,
  examine: boolean,
): Promise<DestinationFolderFacts> {
  const base = { path: folder.path, selectable: isSelectable(folder), status: folder.status };
  if (!base.selectable || !examine) return base;
  try {
    return openedFacts(folder, { path: folder.path, opened: await reader.examine(folder.path) });
  } catch (err) {
    if (!folderScoped(err)) throw err;
    return { ...base, error: refusal(err) };
  }
}

async function discoverSide<F>(
  user: string,
  open: () => Promise<FolderReader>,
  readFolders: (reader: FolderReader, folders: FolderListing[]) => Promise<F[]>,
  opts: Pick<DiscoveryOptions, 'retry' | 'signal'>,
): Promise<SideDiscovery<F>> {
  const again = (read: () => Promise<SideDiscovery<F>>) =>
    opts.retry ? retrying(read, { account: user, policy: opts.retry, signal: opts.signal }) : read();
  try {
    return await again(() =>
      withReader(open, async (reader) => {
        const listing = await reader.listFolders();
        const capabilities = [...reader.capabilities];
        const quota = await readQuota(reader);
        const folders = await readFolders(reader, listing.folders);
        const appendLimit = appendLimitOf(capabilities);
        return {
          ok: true as const,
          user,
          listing,
          capabilities,
          ...(appendLimit !== undefined ? { appendLimit } : {}),
          ...(quota ? { quota } : {}),
          folders,
        };
      }),
    );
  } catch (err) {
    // A login or connection failure is a finding of the report; a run-wide stop or a bug is not.
    if (!(err instanceof MailshiftError) || err.scope === 'run') throw err;
    return { ok: false, user, error: failure(err) };
  }
}

/**
 * Reads one account on both sides at once, read-only. Login and connection failures do not throw:
 * they are in the result, side by side, so a report can show every account that cannot log in.
 * @param account the account id (source user)
 * @param users the login names of both sides, named in the result
 * @throws only errors of run scope (interrupted)
 */
export async function discoverAccount(
  account: string,
  users: { source: string; destination: string },
  readers: AccountReaders,
  opts: DiscoveryOptions = {},
): Promise<AccountDiscovery> {
  const started = Date.now();
  const scan = opts.scanMessages ?? true;
  const examine = opts.examineDestination ?? true;
  const [source, destination] = await Promise.all([
    discoverSide(
      users.source,
      readers.source,
      (r, f) => scanSources(r, f, scan, opts.keepKeys ?? false),
      opts,
    ),
    discoverSide(users.destination, readers.destination, (r, f) => examineDestinations(r, f, examine), opts),
  ]);
  return { account, source, destination, seconds: (Date.now() - started) / 1000 };
}

/**
 * Discovers many accounts, as many at a time as the plan's connection caps allow (each uses one
 * connection per side: core/connection-caps.ts).
 * @returns one result per account, in the order given.
 * @throws MailshiftError INTERRUPTED when the signal fires (accounts in progress finish first).
 */
export async function discoverAccounts(
  accounts: { id: string; source: { user: string }; destination: { user: string } }[],
  readersOf: (id: string) => AccountReaders,
  opts: DiscoveryOptions & {
    /** The plan's connection limits (the plan itself will do). */
    caps: ConnectionLimits;
    onAccount?: (d: AccountDiscovery) => void;
  },
): Promise<AccountDiscovery[]> {
  const queue = new PQueue({ concurrency: connectionCaps(opts.caps, DISCOVERY_LANE).accountsAtOnce });
  const results = new Map<string, AccountDiscovery>();
  await Promise.all(
    accounts.map((a) =>
      queue.add(async () => {
        if (opts.signal?.aborted) return;
        const d = await discoverAccount(
          a.id,
          { source: a.source.user, destination: a.destination.user },
          readersOf(a.id),
          opts,
        );
        results.set(a.id, d);
        opts.onAccount?.(d);
      }),
    ),
  );
  if (opts.signal?.aborted) {
    throw new MailshiftError('interrupted before every account was read', {
      code: 'INTERRUPTED',
      scope: 'run',
      hint: 'run the same command again; it writes nothing, so there is nothing to resume',
    });
  }
  return accounts.map((a) => results.get(a.id)!);
}
