/**
 * imapflow implementations of the stores. Only `src/imap/` imports imapflow.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../shared/logger.js';
import type { Secret } from '../core/endpoint.js';
import { AppendPipeline, type ConnectOptions } from './append-pipeline.js';
import { claimEnding, openImap, withFreshToken } from './connect.js';
import type { Endpoint } from '../core/endpoint.js';
import { StoreError, transientOf } from '../core/errors.js';
import { storableFlags } from '../core/flags.js';
import { connectError, connectionLost, fromImapflow } from './store-errors.js';
import type { BodyPool } from './body-pool.js';
import { FetchPipeline } from './fetch-pipeline.js';
import { appendTargets } from './append-target.js';
import { ScanPipeline } from './scan-pipeline.js';
import { readListing } from './folder-listing.js';
import type { SideListing } from '../core/folders.js';
import {
  examine,
  fetchBodies,
  folderStatus,
  listFolders,
  scanFlags,
  scanMessages,
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

/**
 * A protocol failure during a command about one folder (an answer over the limits, a name imapflow
 * cannot send) is that folder's: it fails alone and the others go on. When it ended the
 * connection, the next call meets a lost connection, which the engine retries on a new one.
 */
function folderFailure(folder: string, err: StoreError): StoreError {
  if (err.scope === 'folder') return err;
  const named = err.message.includes(`"${folder}"`);
  return new StoreError(named ? err.message : `folder "${folder}": ${err.message}`, {
    kind: 'protocol',
    scope: 'folder',
    responseCode: err.responseCode,
    hint: 'the server cannot be followed for this folder; the other folders go on. Report this to its administrator with the run log',
    cause: err,
  });
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

/** Connects a read-only source store. */
export async function connectSource(e: Endpoint, logger: Logger | false = false): Promise<SourceStore> {
  const client = await openImap(e, logger);
  return guarded(client, reader(client));
}

/**
 * Connects a read-only reader of either side (dry run, verify, plan) on mailshift's own
 * connection: the listing in one burst (folder-listing.ts) and bursts of folder scans
 * (scan-pipeline.ts). imapflow logs in only when a call needs it (a single folder's EXAMINE, scan
 * or bodies, a quota, a server the burst cannot list), so a verify without findings costs one
 * login per side. A scan connection ended by a folder's bad reply is replaced at the next call.
 */
export async function connectReader(e: Endpoint, logger: Logger | false = false): Promise<FolderReader> {
  const open = () => connectOwn(e, (opts) => ScanPipeline.open(opts));
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
    scanFolders: async (paths) => (await own()).scanFolders(paths),
    examineFolders: async (paths) => (await own()).examineFolders(paths),
    close: async () => {
      const opened = await flow?.catch(() => undefined);
      await Promise.allSettled([scanner.close(), opened?.close()]);
    },
  };
}

/** Connects the destination's control connection (folders, flags, reads). */
export async function connectDestination(
  e: Endpoint,
  logger: Logger | false = false,
): Promise<DestinationStore> {
  const client = await openImap(e, logger);
  const base = reader(client);
  return guarded(client, {
    ...base,
    get capabilities() {
      return base.capabilities;
    },
    createFolder: async (path, known) => {
      const parts = path.split(known.delimiter);
      for (let i = 1; i <= parts.length; i++) {
        const p = parts.slice(0, i).join(known.delimiter);
        if (known.existing.has(p.normalize('NFC'))) continue;
        try {
          // CREATE, then SUBSCRIBE (imapflow subscribes what it creates).
          await client.mailboxCreate(p);
          known.existing.add(p.normalize('NFC'));
        } catch (err) {
          if (
            !/ALREADYEXISTS|already exists/i.test(
              String((err as { responseText?: string }).responseText ?? err),
            )
          )
            throw err;
          known.existing.add(p.normalize('NFC'));
        }
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
    openForAppend: appendTargets(client),
  });
}

/**
 * Logs in with mailshift's own IMAP client (imap-connection.ts), reading a refused token once more.
 * @throws StoreError `auth`, `tls`, `connection` or `throttled`, like the imapflow connections.
 */
function connectOwn<T>(e: Endpoint, open: (opts: ConnectOptions) => Promise<T>): Promise<T> {
  return withFreshToken(e, (secret: Secret) =>
    open({
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
