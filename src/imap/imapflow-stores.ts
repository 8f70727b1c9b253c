/**
 * imapflow implementations of the stores. Only `src/imap/` imports imapflow.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../shared/logger.js';
import type { Secret } from '../core/endpoint.js';
import { AppendPipeline, type ConnectOptions } from './append-pipeline.js';
import { claimEnding, imapLogger, openImap, withFreshToken } from './connect.js';
import type { Endpoint } from '../core/endpoint.js';
import { transientOf } from '../core/errors.js';
import { storableFlags } from '../core/flags.js';
import { connectError, connectionLost, folderFailure, fromImapflow } from './store-errors.js';
import type { BodyPool } from './body-pool.js';
import { FetchPipeline } from './fetch-pipeline.js';
import { appendTargets, imapflowTargets } from './append-target.js';
import { ASK_IMAPFLOW, ControlSwitch } from './control-switch.js';
import { FolderControl } from './folder-control.js';
import { ScanPipeline } from './scan-pipeline.js';
import { readListing, type Listing } from './folder-listing.js';
import { missingLevels, type SideListing } from '../core/folders.js';
import {
  examine,
  fetchBodies,
  folderStatus,
  listFolders,
  scanFlags,
  scanMessages,
  scanUids,
  uidSet,
} from './mailbox-reader.js';
import type { Appender, BodyReader, DestinationStore, FolderReader, SourceStore } from '../core/ports.js';

/**
 * Every call's failure becomes a StoreError (store-errors.ts). imapflow answers some calls on a lost
 * connection with `false` or a short result instead of an error (STATUS, STORE, SUBSCRIBE, a FETCH
 * cut short): whatever a call returned, a connection found unusable afterwards is reported as lost,
 * so the engine retries the unit instead of trusting the answer.
 */
function guarded<T extends object>(client: ImapFlow, store: T): T {
  const descriptors = Object.getOwnPropertyDescriptors(store);
  for (const [name, d] of Object.entries(descriptors)) {
    const fn: unknown = d.value;
    if (name === 'close' || typeof fn !== 'function') continue;
    d.value = async (...args: unknown[]) => {
      const what = typeof args[0] === 'string' ? `${name} "${args[0]}"` : name;
      // The folder the call is about: named, or the one opened for a scan or a fetch.
      const folder = typeof args[0] === 'string' ? args[0] : client.mailbox ? client.mailbox.path : undefined;
      let result: unknown;
      try {
        result = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        const ending = client.usable ? undefined : claimEnding(client);
        const failure = fromImapflow(ending ?? err, what, client.usable);
        const lost = !client.usable && !transientOf(failure) && failure.kind !== 'protocol';
        if (lost) throw connectionLost(what, err);
        throw failure.kind === 'protocol' && folder !== undefined ? folderFailure(folder, failure) : failure;
      }
      if (!client.usable) throw connectionLost(what);
      return result;
    };
  }
  return Object.defineProperties({}, descriptors) as T;
}

function reader(client: ImapFlow): FolderReader {
  return {
    get capabilities() {
      // imapflow keeps "APPENDLIMIT=25000" as name and number: put the number back.
      return new Set([...client.capabilities].map(([k, v]) => (typeof v === 'number' ? `${k}=${v}` : k)));
    },
    listFolders: () => listFolders(client),
    status: (path) => folderStatus(client, path),
    examine: (path) => examine(client, path),
    scan: (fromUid, opts) => scanMessages(client, fromUid, opts),
    scanUids: (path, uids, opts) => scanUids(client, path, uids, opts),
    scanFlags: (changedSince) => scanFlags(client, changedSince),
    fetchBodies: (uids) => fetchBodies(client, uids),
    quota: async () => {
      if (!client.capabilities.has('QUOTA')) return undefined;
      const q = await client.getQuota('INBOX');
      const storage = q ? q.storage : undefined;
      return storage && storage.limit !== undefined
        ? { usage: storage.usage ?? 0, limit: storage.limit }
        : undefined;
    },
    close: async () => {
      try {
        await client.logout();
      } catch {
        client.close();
      }
    },
  };
}

/**
 * Connects a copy lane's read-only source control store (control-switch.ts): the listing and STATUS
 * on mailshift's own connection, logged in at once (one round trip where the server has SASL-IR),
 * anything else on imapflow. A first pass with LIST-STATUS asks the source nothing besides lane 0's
 * listing, so imapflow's session is never opened there.
 */
export async function connectSource(e: Endpoint, logger: Logger | false = false): Promise<SourceStore> {
  return switchedReader(await controlSwitch(e, logger, reader));
}

/**
 * A lane's control switch for one side, logged in on the own connection: a refused login shows at
 * once, and the server's capabilities are known to any caller.
 */
async function controlSwitch<F extends FolderReader>(
  e: Endpoint,
  logger: Logger | false,
  store: (client: ImapFlow) => F,
): Promise<ControlSwitch<F>> {
  const sw = new ControlSwitch(
    () => connectOwn(e, (opts) => FolderControl.open(opts), logger),
    async () => {
      const client = await openImap(e, logger);
      return guarded(client, store(client));
    },
  );
  await sw.connect();
  return sw;
}

/** A reader on a control switch: the listing and STATUS on the own connection, the rest on imapflow. */
function switchedReader(sw: ControlSwitch<FolderReader>): FolderReader {
  return {
    get capabilities() {
      return sw.capabilities;
    },
    listFolders: () => sw.run(ownListing, (f) => f.listFolders()),
    status: (path) =>
      sw.run(
        (c) => c.status(path),
        (f) => f.status(path),
      ),
    examine: (path) => sw.imapflow((f) => f.examine(path)),
    scan: (fromUid, opts) => sw.imapflow((f) => f.scan(fromUid, opts)),
    scanUids: (path, uids, opts) => sw.imapflow((f) => f.scanUids!(path, uids, opts)),
    scanFlags: (changedSince) => sw.imapflow((f) => f.scanFlags(changedSince)),
    fetchBodies: (uids) => sw.imapflow((f) => f.fetchBodies(uids)),
    quota: () => sw.imapflow((f) => f.quota()),
    close: () => sw.close(),
  };
}

/** The listing on the own connection, or imapflow's where the burst cannot read the server. */
async function ownListing(c: FolderControl): Promise<Listing | typeof ASK_IMAPFLOW> {
  return (await c.listFolders()) ?? ASK_IMAPFLOW;
}

/**
 * Connects a read-only reader of either side (dry run, verify, plan) on mailshift's own
 * connection: the listing in one burst (folder-listing.ts) and bursts of folder scans
 * (scan-pipeline.ts). imapflow logs in only when a call needs it (a single folder's EXAMINE, scan
 * or bodies, a quota, a server the burst cannot list), so a verify without findings costs one
 * login per side. A scan connection ended by a folder's bad reply is replaced at the next call.
 */
export async function connectReader(e: Endpoint, logger: Logger | false = false): Promise<FolderReader> {
  const open = () => connectOwn(e, (opts) => ScanPipeline.open(opts), logger);
  let scanner = await open();
  let flow: Promise<FolderReader> | undefined;
  const imapflow = () => (flow ??= openImap(e, logger).then((client) => guarded(client, reader(client))));
  const own = async () => {
    if (scanner.ended) scanner = await open();
    return scanner;
  };
  return {
    get capabilities() {
      return scanner.capabilities;
    },
    listFolders: async () => (await (await own()).listFolders()) ?? (await imapflow()).listFolders(),
    status: async (path) => (await imapflow()).status(path),
    examine: async (path) => (await imapflow()).examine(path),
    scan: async (fromUid, opts) => (await imapflow()).scan(fromUid, opts),
    scanFlags: async (changedSince) => (await imapflow()).scanFlags(changedSince),
    fetchBodies: async (uids) => (await imapflow()).fetchBodies(uids),
    quota: async () => (scanner.capabilities.has('QUOTA') ? (await imapflow()).quota() : undefined),
    scanFolders: async (paths, opts) => (await own()).scanFolders(paths, opts),
    scanUids: async (path, uids, opts) => (await own()).scanUids(path, uids, opts),
    examineFolders: async (paths) => (await own()).examineFolders(paths),
    close: async () => {
      const opened = await flow?.catch(() => undefined);
      await Promise.allSettled([scanner.close(), opened?.close()]);
    },
  };
}

/**
 * Connects a copy lane's destination control store (control-switch.ts): listing, CREATE, SUBSCRIBE
 * and opening folders for appending on mailshift's own connection, logged in at once (the lane
 * needs it for its first folder, and its capabilities); reads and flag changes on imapflow.
 */
export async function connectDestination(
  e: Endpoint,
  logger: Logger | false = false,
): Promise<DestinationStore> {
  const sw = await controlSwitch(e, logger, imapflowDestination);
  const base = switchedReader(sw);
  return {
    ...base,
    get capabilities() {
      return base.capabilities;
    },
    createFolder: (path, known) =>
      sw.run(
        async (c) => {
          // A level created is subscribed, as imapflow's CREATE subscribes it.
          const levels = missingLevels(path, known);
          if (levels.length > 0) await c.createLevels(levels);
          for (const level of levels) known.existing.add(level.normalize('NFC'));
        },
        (f) => f.createFolder(path, known),
      ),
    setSubscribed: (path, subscribed) =>
      sw.run(
        (c) => c.subscribe(path, subscribed),
        (f) => f.setSubscribed(path, subscribed),
      ),
    openForAppend: (path) =>
      sw.run(
        (c) => c.openForAppend(path),
        (f) => f.openForAppend(path),
      ),
    setFlags: (path, uid, flags) => sw.imapflow((f) => f.setFlags(path, uid, flags)),
    // Only the own connection knows what it selected; one that switched to imapflow cannot say.
    listNow: () =>
      sw.run(
        (c) => c.listNow(),
        async () => undefined,
      ),
  };
}

/** The destination's store on imapflow: the reader's calls and the few writes a migration needs. */
function imapflowDestination(client: ImapFlow): DestinationStore {
  const base = reader(client);
  return {
    ...base,
    get capabilities() {
      return base.capabilities;
    },
    // The missing levels one at a time, parents first; one that exists already counts as done.
    createFolder: async (path, known) => {
      for (const level of missingLevels(path, known)) {
        try {
          // CREATE, then SUBSCRIBE (imapflow subscribes what it creates).
          await client.mailboxCreate(level);
        } catch (err) {
          const text = String((err as { responseText?: string }).responseText ?? err);
          if (!/ALREADYEXISTS|already exists/i.test(text)) throw err;
        }
        known.existing.add(level.normalize('NFC'));
      }
    },
    setSubscribed: async (path, subscribed) => {
      if (subscribed) await client.mailboxSubscribe(path);
      else await client.mailboxUnsubscribe(path);
    },
    setFlags: async (path, uid, flags) => {
      const lock = await client.getMailboxLock(path);
      try {
        await client.messageFlagsSet(uidSet([uid]), storableFlags(flags), { uid: true });
      } finally {
        lock.release();
      }
    },
    // The first folder selected, the others by STATUS (append-target.ts).
    openForAppend: appendTargets(imapflowTargets(client)),
  };
}

/**
 * Logs in with mailshift's own IMAP client (imap-connection.ts), reading a refused token once more.
 * @throws StoreError `auth`, `tls`, `connection` or `throttled`, like the imapflow connections.
 */
function connectOwn<T>(
  e: Endpoint,
  open: (opts: ConnectOptions) => Promise<T>,
  logger: Logger | false = false,
): Promise<T> {
  return withFreshToken(e, (secret: Secret) =>
    open({
      ...(logger ? { log: imapLogger(logger, e, secret) } : {}),
      host: e.server.host,
      port: e.server.port,
      security: e.server.security,
      tlsVerify: e.server.tlsVerify,
      servername: e.server.servername,
      ...ownLogin(e.user, secret),
      timeoutMs: e.server.timeoutMs,
    }).catch((err: unknown) => {
      throw connectError(e, err);
    }),
  );
}

/** The login fields of mailshift's own connection for a secret (see imapflowAuth for imapflow's). */
function ownLogin(
  user: string,
  secret: Secret,
): Pick<ConnectOptions, 'user' | 'password' | 'accessToken' | 'authzid'> {
  switch (secret.kind) {
    case 'token':
      return { user, password: '', accessToken: secret.value };
    case 'password':
      return { user, password: secret.value };
    case 'admin':
      return secret.form === 'authzid'
        ? { user: secret.admin, password: secret.value, authzid: user }
        : { user: `${user}${secret.separator}${secret.admin}`, password: secret.value };
  }
}

/**
 * A side's listing in one burst on mailshift's own connection (folder-listing.ts), or undefined
 * where the server lacks what that needs.
 */
export function readOwnListing(e: Endpoint): Promise<SideListing | undefined> {
  return connectOwn(e, (opts) => readListing(opts));
}

/** Connects an appender to the destination: mailshift's own pipelined APPEND client. */
export function connectAppender(e: Endpoint): Promise<Appender> {
  return connectOwn(e, (opts) => AppendPipeline.connect(opts));
}

/** Connects a body reader to the source: mailshift's own pipelined FETCH client (read-only). */
export function connectBodyReader(e: Endpoint, pool: BodyPool): Promise<BodyReader> {
  return connectOwn(e, (opts) => FetchPipeline.open(opts, pool));
}
