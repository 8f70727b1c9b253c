/**
 * The ports of src/core/ports.ts over the in-memory servers of memory-server.ts: source and
 * destination stores, the appender and the body reader, each call one "command" on its own
 * connection, answered on a later turn of the event loop. They reject as the IMAP stores do, with a
 * StoreError of the right kind, and keep the IMAP layer's client-side rules (the APPEND flag and
 * date checks, APPENDLIMIT, a refused MULTIAPPEND retried one message per command), so the engine
 * cannot tell them from src/imap except by speed.
 *
 * Faults armed in the network's file hit the nth call of an operation: a lost connection (every
 * later call on it fails too; an APPEND whose messages were stored but whose answer was lost is in
 * doubt), a refusal in the server's words, a throttle with its wait, a full mailbox, a slow answer.
 * A body handed back with `recycle` is overwritten, so an engine that read it afterwards would copy
 * garbage and the tests would see it.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { bodyBuffer, bodyLength, type Body } from '../../src/core/body.js';
import { appendLimitBytes, canMultiappend, nonSyncLiterals } from '../../src/core/capabilities.js';
import { describeServer, type Endpoint } from '../../src/core/endpoint.js';
import { isStoreError, StoreError, type StoreErrorKind } from '../../src/core/errors.js';
import { storableFlags } from '../../src/core/flags.js';
import type {
  AppendBatchResult,
  AppendItem,
  AppendOutcome,
  Appender,
  BodyReader,
  DestinationStore,
  FolderReader,
} from '../../src/core/ports.js';
import type { FolderStatus, OpenedFolder } from '../../src/core/folders.js';
import type { FetchedMessage, MessageMeta } from '../../src/core/messages.js';
import { checkFlags, formatInternalDate } from '../../src/imap/imap-syntax.js';
import { messageMeta } from '../../src/imap/mailbox-reader.js';
import { suggestedBackoff } from '../../src/imap/store-errors.js';
import {
  MemoryMailbox,
  serverRefusal,
  type AppendReply,
  type FaultAction,
  type FaultOp,
  type MemoryMessage,
  type MemoryNetwork,
  type MemoryServer,
} from './memory-server.js';

/** The connection was lost under a call, as the IMAP stores report it. */
function connectionLost(what: string): StoreError {
  return new StoreError(`${what}: the connection was lost`, { kind: 'connection' });
}

/** A server asking to slow down ([THROTTLED] with Microsoft 365's words, or [UNAVAILABLE]). */
function throttleReply(waitMs: number | undefined): { code: string; text: string } {
  return waitMs === undefined
    ? { code: 'UNAVAILABLE', text: 'Try later' }
    : { code: 'THROTTLED', text: `Request is throttled. Suggested Backoff Time: ${waitMs} milliseconds` };
}

/** One authenticated connection to a memory server: alive until closed or dropped by a fault. */
class MemoryConnection {
  /** The folder SELECTed or EXAMINEd, if any. */
  selected?: { path: string; readOnly: boolean };
  private lost?: StoreError;
  private closed = false;
  private released = false;

  constructor(
    readonly net: MemoryNetwork,
    readonly server: MemoryServer,
    readonly box: MemoryMailbox,
    readonly user: string,
  ) {}

  /** @throws StoreError `connection` once the connection was lost or closed */
  alive(what: string): void {
    if (this.lost) throw this.lost.withMessage(`${what}: ${this.lost.message}`);
    if (this.closed) throw new StoreError(`${what}: the connection was closed`, { kind: 'connection' });
  }

  /**
   * Starts a command: answered on a later turn of the event loop, after a `delay` fault's wait.
   * @returns the action of a fault that hits it (other than `delay`), or undefined
   */
  async begin(op: FaultOp, what: string): Promise<FaultAction | undefined> {
    this.alive(what);
    await nextTurn();
    this.alive(what);
    const action = this.net.hit(this.server.host, this.user, op);
    if (action?.kind !== 'delay') return action;
    await sleep(action.ms);
    this.alive(what);
    return undefined;
  }

  /**
   * Runs one command: `run` is the server's work, which a fault may prevent, or (a drop with
   * `after`) do without its answer arriving.
   */
  async call<T>(op: FaultOp, what: string, run: () => T): Promise<T> {
    const action = await this.begin(op, what);
    if (!action) return run();
    switch (action.kind) {
      case 'drop':
        if (action.after) {
          try {
            run();
          } catch {
            /* the answer is lost either way */
          }
        }
        throw this.drop(what);
      case 'refuse':
        throw serverRefusal(what, action.text, action.code);
      case 'overquota':
        throw serverRefusal(what, 'Quota exceeded (mailbox for user is full)', 'OVERQUOTA');
      case 'throttle': {
        const { code, text } = throttleReply(action.waitMs);
        throw new StoreError(`${what}: NO [${code}] ${text}`, {
          kind: 'throttled',
          responseCode: code,
          serverText: text,
          waitMs: action.waitMs,
        });
      }
      default:
        throw new Error(`memory fault ${action.kind} does not apply to ${op}`);
    }
  }

  /** The connection is lost now. @returns the error its calls fail with */
  drop(what: string): StoreError {
    this.lost ??= connectionLost(what);
    this.release();
    return this.lost;
  }

  /** SELECTs or EXAMINEs a folder: a failed attempt leaves none selected (RFC 3501 6.3.1). */
  open(path: string, readOnly: boolean): OpenedFolder {
    this.selected = undefined;
    const opened = this.box.open(path, readOnly);
    this.selected = { path, readOnly };
    return opened;
  }

  close(): void {
    this.release();
    this.closed = true;
  }

  /** Gives the connection's place back to the server's per-user count, once. */
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.net.connectionCount(this.server.host, this.user, -1);
  }
}

/**
 * Logs in to the memory server the endpoint names (by host name).
 * @throws StoreError `connection` (no such host: final; a dropped connect), `throttled` (too many
 *   connections), `auth` (unknown user, wrong password, an `auth` fault), or the plan's own error
 *   when the secret cannot be read
 */
async function connect(net: MemoryNetwork, e: Endpoint): Promise<MemoryConnection> {
  await nextTurn();
  const where = `${describeServer(e)} for ${e.user}`;
  const server = net.server(e.server.host);
  if (!server) {
    throw new StoreError(`unknown host ${e.server.host} (${e.side} server)`, {
      kind: 'connection',
      final: true,
      code: 'CONN_UNKNOWN_HOST',
      hint: `check ${e.side}.host in the plan and the machine's DNS`,
    });
  }
  let action = net.hit(server.host, e.user, 'connect');
  if (action?.kind === 'delay') {
    await sleep(action.ms);
    action = undefined;
  }
  if (action?.kind === 'drop') {
    throw new StoreError(`cannot connect to ${where}: the connection was reset`, {
      kind: 'connection',
      code: 'CONN_FAILED',
    });
  }
  const open = net.connectionCount(server.host, e.user, 0);
  const cap = server.state.maxConnectionsPerUser;
  if (action?.kind === 'throttle' || (cap !== undefined && open >= cap)) {
    throw new StoreError(`cannot connect to ${where}: * BYE Too many simultaneous connections`, {
      kind: 'throttled',
      code: 'CONN_FAILED',
      ...(action?.kind === 'throttle' && action.waitMs !== undefined ? { waitMs: action.waitMs } : {}),
    });
  }
  const secret = await e.secret();
  const box = server.mailbox(e.user);
  if (action?.kind === 'auth' || !box || secret.kind !== 'password' || secret.value !== box.password) {
    throw new StoreError(`login refused by ${where}`, {
      kind: 'auth',
      responseCode: 'AUTHENTICATIONFAILED',
      hint: `check the ${e.side} user name and password of this account in the plan`,
    });
  }
  if (action) throw new Error(`memory fault ${action.kind} does not apply to connect`);
  net.connectionCount(server.host, e.user, +1);
  return new MemoryConnection(net, server, box, e.user);
}

/** The header block of a message: what BODY.PEEK[HEADER.FIELDS (...)] reads from. */
function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = [crlf, lf].filter((i) => i >= 0);
  return end.length === 0 ? raw : raw.subarray(0, Math.min(...end));
}

function metaOf(m: MemoryMessage, identity = true): MessageMeta {
  const headers = identity ? headerBlock(Buffer.from(m.raw, 'base64')) : undefined;
  return messageMeta(m.uid, MemoryMailbox.fetchedFlags(m), m.internalDate, m.size, headers);
}

function selectedPath(c: MemoryConnection): string | undefined {
  return c.selected?.path;
}

function reader(c: MemoryConnection): FolderReader {
  const caps = c.server.capabilities;
  return {
    capabilities: caps,
    listFolders: () => c.call('list', 'LIST', () => c.box.list()),
    status: (path) => c.call('status', `STATUS "${path}"`, () => c.box.status(path)),
    examine: (path) => c.call('examine', `EXAMINE "${path}"`, () => c.open(path, true)),
    // Like the imapflow store: nothing examined, nothing listed.
    scan: (fromUid = 1, opts = {}) =>
      c.call('scan', `FETCH in "${selectedPath(c)}"`, () => {
        const path = selectedPath(c);
        return path ? c.box.messages(path, fromUid).map((m) => metaOf(m, opts.identity !== false)) : [];
      }),
    scanUids: (path, ranges, opts = {}) =>
      c.call('scan', `EXAMINE and FETCH in "${path}"`, () => {
        const { status } = c.open(path, true);
        const wanted = (uid: number) => ranges.some(([from, to]) => uid >= from && uid <= to);
        const messages = c.box
          .messages(path)
          .filter((m) => wanted(m.uid))
          .map((m) => metaOf(m, opts.identity !== false));
        return { path, status, messages };
      }),
    scanFlags: (changedSince) =>
      c.call('scanFlags', `FETCH FLAGS in "${selectedPath(c)}"`, () => {
        const path = selectedPath(c);
        if (!path) return new Map<number, string[]>();
        const since = changedSince !== undefined && caps.has('CONDSTORE') ? Number(changedSince) : undefined;
        return new Map(c.box.messages(path, 1, since).map((m) => [m.uid, MemoryMailbox.fetchedFlags(m)]));
      }),
    fetchBodies: (uids) =>
      c.call('fetch', `FETCH bodies in "${selectedPath(c)}"`, () => {
        const out = new Map<number, FetchedMessage>();
        const path = selectedPath(c);
        if (!path || uids.length === 0) return out;
        const wanted = new Set(uids);
        for (const m of c.box.messages(path)) {
          if (!wanted.has(m.uid)) continue;
          out.set(m.uid, {
            uid: m.uid,
            raw: Buffer.from(m.raw, 'base64'),
            flags: MemoryMailbox.fetchedFlags(m),
            internalDate: new Date(m.internalDate),
          });
        }
        return out;
      }),
    quota: async () =>
      caps.has('QUOTA') ? c.call('quota', 'GETQUOTAROOT "INBOX"', () => c.box.quota()) : undefined,
    close: async () => c.close(),
  };
}

/** Connects a read-only store (the source, or either side for a dry run or verify). */
export async function connectMemoryReader(net: MemoryNetwork, e: Endpoint): Promise<FolderReader> {
  return reader(await connect(net, e));
}

/** Connects the destination's control connection: folders, subscriptions, flags, SELECT. */
export async function connectMemoryDestination(net: MemoryNetwork, e: Endpoint): Promise<DestinationStore> {
  const c = await connect(net, e);
  return {
    ...reader(c),
    createFolder: async (path, known) => {
      const parts = path.split(known.delimiter);
      for (let i = 1; i <= parts.length; i++) {
        const p = parts.slice(0, i).join(known.delimiter);
        if (known.existing.has(p.normalize('NFC'))) continue;
        await c.call('create', `CREATE "${p}"`, () => {
          try {
            c.box.createFolder(p);
          } catch (err) {
            if (isStoreError(err, 'refused') && err.responseCode === 'ALREADYEXISTS') return;
            throw err;
          }
          // imapflow subscribes the folders it creates.
          c.box.setSubscribed(p, true);
        });
        known.existing.add(p.normalize('NFC'));
      }
    },
    setSubscribed: (path, subscribed) =>
      c.call('subscribe', `${subscribed ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} "${path}"`, () =>
        c.box.setSubscribed(path, subscribed),
      ),
    setFlags: (path, uid, flags) =>
      c.call('store', `UID STORE ${uid} in "${path}"`, () => {
        // imapflow SELECTs the folder first unless it is the one selected read-write.
        if (c.selected?.path !== path || c.selected.readOnly) c.open(path, false);
        c.box.storeFlags(path, uid, storableFlags(flags));
      }),
    openForAppend: (path) => c.call('select', `SELECT "${path}"`, () => c.open(path, false)),
  };
}

/** A message of a batch ready to go: its index, the flags and date its command carries, its bytes. */
interface Prepared {
  index: number;
  flags: string[];
  date: Date;
  raw: Body;
}

/** Response codes that refuse the folder or the account, never retried one message at a time. */
const FATAL_CODES: Record<string, StoreErrorKind> = {
  TRYCREATE: 'refused',
  OVERQUOTA: 'overquota',
  THROTTLED: 'throttled',
  UNAVAILABLE: 'throttled',
};

/** The appender over a memory server: the write modes of src/imap/append-pipeline.ts. */
class MemoryAppender implements Appender {
  readonly mode: 'multiappend' | 'pipelined' | 'sync';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly c: MemoryConnection) {
    const caps = c.server.capabilities;
    this.mode = canMultiappend(caps)
      ? 'multiappend'
      : nonSyncLiterals(caps) !== 'none'
        ? 'pipelined'
        : 'sync';
  }

  appendBatch(mailbox: string, items: readonly AppendItem[]): Promise<AppendBatchResult> {
    const run = this.queue.then(() => this.run(mailbox, items));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    this.c.close();
  }

  private async run(mailbox: string, items: readonly AppendItem[]): Promise<AppendBatchResult> {
    this.c.alive(`cannot append to "${mailbox}"`);
    const outcomes = new Array<AppendOutcome | undefined>(items.length).fill(undefined);
    const batch = { outcomes, commands: 0, uidValidity: undefined as number | undefined };
    const ready: Prepared[] = [];
    for (const [index, item] of items.entries()) {
      const p = this.prepare(index, item);
      if ('outcome' in p) outcomes[index] = p.outcome;
      else ready.push(p);
    }
    if (ready.length > 0) {
      const whole =
        this.mode === 'multiappend' && ready.length > 1 && (await this.all(mailbox, ready, batch));
      if (!whole) await this.oneByOne(mailbox, ready, batch);
    }
    return {
      ...(batch.uidValidity === undefined ? {} : { uidValidity: batch.uidValidity }),
      outcomes: outcomes.map((o) => o ?? { ok: false as const, text: 'no outcome recorded' }),
      commands: batch.commands,
    };
  }

  /** What the client refuses without asking the server: bad flags or date, over APPENDLIMIT. */
  private prepare(index: number, item: AppendItem): Prepared | { outcome: AppendOutcome } {
    const flags = checkFlags(item.flags);
    if (!flags.ok) return { outcome: { ok: false, code: 'CLIENTBUG', text: `not sent: ${flags.text}` } };
    if (formatInternalDate(item.internalDate) === undefined) {
      return {
        outcome: {
          ok: false,
          code: 'CLIENTBUG',
          text: `not sent: invalid internal date ${String(item.internalDate)}`,
        },
      };
    }
    const limit = appendLimitBytes(this.c.server.capabilities);
    const size = bodyLength(item.raw);
    if (limit !== undefined && size > limit) {
      return {
        outcome: { ok: false, code: 'TOOBIG', text: `not sent: ${size} bytes exceed APPENDLIMIT=${limit}` },
      };
    }
    return { index, flags: storableFlags(item.flags), date: item.internalDate, raw: item.raw };
  }

  /** One MULTIAPPEND. @returns false when refused for a reason worth retrying one by one */
  private async all(mailbox: string, ready: Prepared[], batch: Batch): Promise<boolean> {
    batch.commands++;
    const r = await this.command(mailbox, ready, batch, ready);
    if (r.status === 'OK') {
      this.settle(batch, ready, r);
      return true;
    }
    // A BAD to MULTIAPPEND: nothing stored, the batch goes again one message per command (the IMAP
    // appender does so on a new connection; here nothing was read as commands).
    if (r.status === 'BAD') return false;
    const fatal = r.code ? FATAL_CODES[r.code] : undefined;
    if (fatal) {
      for (const p of ready) this.settle(batch, [p], r);
      throw this.refused(fatal, mailbox, r, batch);
    }
    return false;
  }

  /** One APPEND per message: all sent before any answer (pipelined), or one at a time (sync). */
  private async oneByOne(mailbox: string, ready: Prepared[], batch: Batch): Promise<void> {
    const refusals: Refusal[] = [];
    for (const p of ready) {
      batch.commands++;
      // Pipelined, every message was on the wire when the connection went: all unanswered are in doubt.
      const r = await this.command(mailbox, [p], batch, this.mode === 'sync' ? [p] : ready);
      this.settle(batch, [p], r);
      if (r.status === 'OK') continue;
      refusals.push(r);
      // One at a time, a folder-wide refusal stops the batch before the next message is sent.
      if (this.mode === 'sync') this.check(mailbox, [r], batch);
    }
    this.check(mailbox, refusals, batch);
  }

  /**
   * Turns the first NO refusing the folder or the account into the batch's error. A BAD to one
   * message is that message's outcome, as Microsoft 365's BAD to a malformed message is.
   */
  private check(mailbox: string, replies: Refusal[], batch: Batch): void {
    for (const r of replies) {
      const fatal = r.code ? FATAL_CODES[r.code] : undefined;
      if (fatal) throw this.refused(fatal, mailbox, r, batch);
    }
  }

  /**
   * Sends one APPEND command to the server.
   * @param sent the messages on the wire, in doubt if the connection is lost before their answer
   */
  private async command(
    mailbox: string,
    msgs: Prepared[],
    batch: Batch,
    sent: Prepared[],
  ): Promise<AppendReply> {
    const what = `APPEND "${mailbox}"`;
    const action = await this.c.begin('append', what);
    const store = () =>
      this.c.box.append(
        mailbox,
        msgs.map((p) => ({ raw: bodyBuffer(p.raw), flags: p.flags, internalDate: p.date })),
      );
    if (!action) return store();
    switch (action.kind) {
      case 'drop':
        if (action.after) store();
        this.c.drop(what);
        throw this.lost(mailbox, sent, batch);
      case 'refuse':
        return { status: 'NO', text: action.text, ...(action.code ? { code: action.code } : {}) };
      case 'throttle':
        return { status: 'NO', ...throttleReply(action.waitMs) };
      case 'overquota':
        return { status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded (mailbox for user is full)' };
      default:
        throw new Error(`memory fault ${action.kind} does not apply to append`);
    }
  }

  private settle(batch: Batch, msgs: Prepared[], r: AppendReply): void {
    if (r.status !== 'OK') {
      const code = r.code ?? (r.status === 'BAD' ? 'BAD' : undefined);
      for (const p of msgs) batch.outcomes[p.index] = { ok: false, text: r.text, ...(code ? { code } : {}) };
      return;
    }
    const hasUidplus = this.c.server.capabilities.has('UIDPLUS');
    if (hasUidplus) batch.uidValidity ??= r.uidValidity;
    for (const [i, p] of msgs.entries()) {
      const uid = r.uids[i];
      batch.outcomes[p.index] = hasUidplus && uid !== undefined ? { ok: true, uid } : { ok: true };
    }
  }

  private refused(
    kind: StoreErrorKind,
    mailbox: string,
    r: { text: string; code?: string },
    batch: Batch,
  ): StoreError {
    return new StoreError(`${this.where()} refused APPEND to "${mailbox}": [${r.code}] ${r.text}`, {
      kind,
      responseCode: r.code,
      serverText: r.text,
      ...(kind === 'throttled' ? { waitMs: suggestedBackoff(r.text) } : {}),
      outcomes: [...batch.outcomes],
    });
  }

  private lost(mailbox: string, sent: readonly Prepared[], batch: Batch): StoreError {
    const inDoubt = sent.filter((p) => batch.outcomes[p.index] === undefined).length;
    return new StoreError(
      `appending to "${mailbox}" stopped: the connection was lost; ${inDoubt} message(s) in doubt`,
      { kind: 'connection', inDoubt: inDoubt > 0, outcomes: [...batch.outcomes] },
    );
  }

  private where(): string {
    return `${this.c.server.host}`;
  }
}

/** A server's NO or BAD to one APPEND command. */
type Refusal = Extract<AppendReply, { status: 'NO' | 'BAD' }>;

/** What one appendBatch call has learnt so far. */
interface Batch {
  outcomes: Array<AppendOutcome | undefined>;
  commands: number;
  uidValidity: number | undefined;
}

/** Connects an appender to the destination. */
export async function connectMemoryAppender(net: MemoryNetwork, e: Endpoint): Promise<Appender> {
  return new MemoryAppender(await connect(net, e));
}

/** What a body handed back by `recycle` is overwritten with. */
export const RECYCLED_BYTE = 0x23;

/** The body reader over a memory source: EXAMINE, metadata scans, body FETCHes. */
class MemoryBodyReader implements BodyReader {
  /** Bodies handed back so far. */
  recycled = 0;

  constructor(private readonly c: MemoryConnection) {}

  open(path: string): Promise<FolderStatus> {
    return this.c.call('examine', `opening source folder "${path}"`, () => this.c.open(path, true).status);
  }

  async scan(fromUid = 1, toUid = Infinity): Promise<MessageMeta[]> {
    const path = this.opened('scan');
    return this.c.call('scan', `listing messages of "${path}"`, () =>
      this.c.box
        .messages(path, fromUid)
        .filter((m) => m.uid <= toUid)
        .map((m) => metaOf(m)),
    );
  }

  /** Sequence numbers of the open folder as it is now (1 is its lowest UID). */
  async uidsAt(seqs: readonly number[]): Promise<number[]> {
    const path = this.opened('uidsAt');
    return this.c.call('scan', `cutting "${path}"`, () => {
      const all = this.c.box.messages(path);
      return seqs.flatMap((n) => (all[n - 1] ? [all[n - 1]!.uid] : [])).sort((a, b) => a - b);
    });
  }

  async openAndScan(path: string, fromUid = 1): Promise<{ status: FolderStatus; metas: MessageMeta[] }> {
    const status = await this.open(path);
    return { status, metas: await this.scan(fromUid) };
  }

  async fetch(uids: readonly number[]): Promise<Map<number, Body>> {
    const path = this.opened('fetch');
    if (uids.length === 0) return new Map();
    return this.c.call('fetch', `fetching messages of "${path}"`, () => {
      const wanted = new Set(uids);
      const out = new Map<number, Body>();
      for (const m of this.c.box.messages(path))
        if (wanted.has(m.uid)) out.set(m.uid, Buffer.from(m.raw, 'base64'));
      return out;
    });
  }

  recycle(bodies: Iterable<Body>): void {
    for (const b of bodies) {
      for (const chunk of Buffer.isBuffer(b) ? [b] : b) chunk.fill(RECYCLED_BYTE);
      this.recycled++;
    }
  }

  async close(): Promise<void> {
    this.c.close();
  }

  /** @throws Error when nothing was opened: the engine's bug, as FetchPipeline reports it */
  private opened(what: string): string {
    const path = this.c.selected?.path;
    if (!path) throw new Error(`MemoryBodyReader.${what} called before open`);
    return path;
  }
}

/** Connects a body reader to the source. */
export async function connectMemoryBodyReader(net: MemoryNetwork, e: Endpoint): Promise<BodyReader> {
  return new MemoryBodyReader(await connect(net, e));
}
