/**
 * An in-memory model of IMAP mail servers, for tests of the engine without real servers: servers
 * (by host name) -> accounts -> folders (delimiter and namespace prefix, special use, subscription,
 * UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ) -> messages (raw bytes, flags, INTERNALDATE, modseq, \Recent).
 *
 * Every change is written at once to one JSON file, whole (temporary file, then rename), so a
 * process killed at any moment leaves exactly what the "servers" had stored, and the next process
 * (a resumed run, the test reading the result) opens the same servers. The file also holds the
 * faults a test arms (memory-stores.ts applies them) and how often each has fired.
 *
 * The semantics follow RFC 3501 and Dovecot where the engine depends on them: UIDs grow and are
 * never reused; APPEND answers APPENDUID under UIDPLUS (RFC 4315); a MULTIAPPEND is all or nothing
 * (RFC 3502); a missing folder refuses APPEND with [TRYCREATE]; CREATE makes the missing parents;
 * flags the folder's PERMANENTFLAGS do not admit are dropped silently; `\Recent` is never stored,
 * it is reported until a session SELECTs the folder (EXAMINE leaves it, RFC 3501 6.3.2); a
 * read-only session gets no PERMANENTFLAGS (as Dovecot answers); expunged UIDs are simply absent.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { StoreError } from '../../src/core/errors.js';
import type {
  FolderListing,
  FolderStatus,
  NamespaceInfo,
  OpenedFolder,
  SpecialUse,
} from '../../src/core/folders.js';
import { isRecent } from '../../src/core/flags.js';

/** One stored message. */
export interface MemoryMessage {
  uid: number;
  /** The raw RFC 5322 bytes, base64. */
  raw: string;
  size: number;
  flags: string[];
  /** INTERNALDATE, milliseconds since the epoch. */
  internalDate: number;
  modseq: number;
  /** True until a session SELECTs the folder. */
  recent: boolean;
}

/** One folder of an account. */
export interface MemoryFolder {
  /** The full server path, namespace prefix included (`INBOX.Faktury.2024`). */
  path: string;
  specialUse?: SpecialUse;
  subscribed: boolean;
  /** A name only (RFC 3501 `\Noselect`): no messages, cannot be opened. */
  noselect?: boolean;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  messages: MemoryMessage[];
}

/** One account (one login) of a server. */
export interface MemoryAccount {
  password: string;
  /** Bytes the account may hold (RFC 9208 STORAGE); unlimited when absent. */
  quota?: number;
  folders: MemoryFolder[];
}

/** A message this server refuses at APPEND, like providers refusing bare LF or NUL bytes. */
export interface RefusalRule {
  /** Refuses a message with a LF not preceded by CR. */
  bareLf?: boolean;
  /** Refuses a message holding a NUL byte. */
  nul?: boolean;
  /** Refuses a message whose bytes (latin1) contain this text. */
  contains?: string;
  /** The server's words, and its response code if any. */
  text: string;
  code?: string;
  /** `NO` (default), or `BAD` as Microsoft 365 answers a message it cannot take. */
  status?: 'NO' | 'BAD';
}

/** How a server behaves, set when the test creates it. */
export interface MemoryServerSettings {
  /** The personal namespace (RFC 2342): prefix and hierarchy delimiter. */
  prefix: string;
  delimiter: string;
  /** Upper-cased capability atoms, `APPENDLIMIT=n` whole. */
  capabilities: string[];
  /** PERMANENTFLAGS of a SELECTed folder; `\*` admits any new keyword. */
  permanentFlags: string[];
  refuse: RefusalRule[];
  /** Connections one user may hold at once (Dovecot's mail_max_userip_connections); unlimited when absent. */
  maxConnectionsPerUser?: number;
}

/** A server as stored: its settings and its accounts. */
export interface MemoryServerState extends MemoryServerSettings {
  accounts: Record<string, MemoryAccount>;
  /** The UIDVALIDITY the next created folder gets. */
  nextUidValidity: number;
}

/** Operations a fault can hit, one per IMAP command a store sends (`connect` is the login). */
export type FaultOp =
  | 'connect'
  | 'list'
  | 'status'
  | 'examine'
  | 'select'
  | 'scan'
  | 'scanFlags'
  | 'fetch'
  | 'create'
  | 'subscribe'
  | 'store'
  | 'append'
  | 'quota';

/**
 * What happens to the hit call:
 * - `drop`: the connection is lost (StoreError `connection`; every later call on it fails too);
 *   with `after`, the server did the work first (an APPEND stored, its answer lost: in doubt);
 * - `refuse`: the server answers NO with its words (and response code);
 * - `throttle`: the server asks to slow down ([THROTTLED], with "Suggested Backoff Time" when `waitMs`);
 * - `overquota`: the server answers NO [OVERQUOTA];
 * - `auth`: (connect) the login is refused;
 * - `delay`: the server answers after `ms` milliseconds (a slow server; lets a test act meanwhile).
 */
export type FaultAction =
  | { kind: 'drop'; after?: boolean }
  | { kind: 'refuse'; text: string; code?: string }
  | { kind: 'throttle'; waitMs?: number }
  | { kind: 'overquota' }
  | { kind: 'auth' }
  | { kind: 'delay'; ms: number };

/** A fault armed by a test. */
export interface Fault {
  /** The server's host name. */
  server: string;
  op: FaultOp;
  /** Fires on the nth matching call of one command run (1 = the first): see {@link MemoryNetwork}. */
  nth: number;
  /** Only calls of this user. */
  user?: string;
  action: FaultAction;
  /** How many matching calls in a row it hits (default 1). */
  times?: number;
  /** How many times it has fired, over every process (written back to the file). */
  fired?: number;
}

/** The JSON file: every server and the armed faults. */
interface NetworkFile {
  version: 1;
  servers: Record<string, MemoryServerState>;
  faults: Fault[];
}

const FILE_VERSION = 1;

/** What a server answers to one APPEND command. */
export type AppendReply =
  | { status: 'OK'; uidValidity: number; uids: number[] }
  | { status: 'NO' | 'BAD'; text: string; code?: string };

/** A message as an APPEND command carries it. */
export interface AppendedMessage {
  raw: Buffer;
  flags: readonly string[];
  internalDate: Date;
}

const SYSTEM_FLAGS = ['\\seen', '\\answered', '\\flagged', '\\deleted', '\\draft'];

/** A server's refusal of a command, as the IMAP stores report one (`what: NO [CODE] text`). */
export function serverRefusal(what: string, text: string, code?: string): StoreError {
  return new StoreError(`${what}: NO ${code ? `[${code}] ` : ''}${text}`, {
    kind: code === 'OVERQUOTA' ? 'overquota' : 'refused',
    responseCode: code ?? 'NO',
    serverText: text,
  });
}

/** True when the bytes hold a LF not preceded by CR. */
function bareLf(raw: Buffer): boolean {
  for (let i = raw.indexOf(0x0a); i !== -1; i = raw.indexOf(0x0a, i + 1)) {
    if (i === 0 || raw[i - 1] !== 0x0d) return true;
  }
  return false;
}

/**
 * Every simulated server of a test, loaded from (and written back to) one JSON file. Fault
 * counters count the calls made through this object (the memory wiring opens one per command run,
 * so per process for the tests' entry); `fired` counts over every run and process.
 */
export class MemoryNetwork {
  private readonly calls = new Map<Fault, number>();
  private readonly connections = new Map<string, number>();

  private constructor(
    readonly path: string,
    private readonly data: NetworkFile,
  ) {}

  /** Creates the file with these servers (no accounts yet) and no faults. */
  static create(path: string, servers: Record<string, Partial<MemoryServerSettings>>): MemoryNetwork {
    const state: Record<string, MemoryServerState> = {};
    let validity = 1_000;
    for (const [host, s] of Object.entries(servers)) {
      state[host] = {
        prefix: s.prefix ?? '',
        delimiter: s.delimiter ?? '/',
        capabilities: s.capabilities ?? ['IMAP4REV1'],
        permanentFlags: s.permanentFlags ?? [
          '\\Answered',
          '\\Flagged',
          '\\Deleted',
          '\\Seen',
          '\\Draft',
          '\\*',
        ],
        refuse: s.refuse ?? [],
        ...(s.maxConnectionsPerUser === undefined ? {} : { maxConnectionsPerUser: s.maxConnectionsPerUser }),
        accounts: {},
        nextUidValidity: (validity += 1_000),
      };
    }
    const net = new MemoryNetwork(path, { version: FILE_VERSION, servers: state, faults: [] });
    net.save();
    return net;
  }

  /**
   * Opens a file written by {@link create} (or by another process).
   * @throws Error when the file is not a memory network of this version
   */
  static open(path: string): MemoryNetwork {
    const data = JSON.parse(readFileSync(path, 'utf8')) as NetworkFile;
    if (data.version !== FILE_VERSION) {
      throw new Error(
        `memory servers file ${path}: expected version ${FILE_VERSION}, got ${String(data.version)}`,
      );
    }
    return new MemoryNetwork(path, data);
  }

  /** Writes the whole file: a temporary file renamed over the old one, never half of it. */
  save(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.path);
  }

  /** The server of this host name, or undefined (nothing listens there). */
  server(host: string): MemoryServer | undefined {
    const state = this.data.servers[host];
    return state ? new MemoryServer(this, host, state) : undefined;
  }

  /** Arms a fault. */
  addFault(fault: Fault): void {
    this.data.faults.push({ ...fault, fired: fault.fired ?? 0 });
    this.save();
  }

  /** The armed faults, with how often each fired. */
  get faults(): readonly Fault[] {
    return this.data.faults;
  }

  /** Disarms every fault. */
  clearFaults(): void {
    this.data.faults.length = 0;
    this.save();
  }

  /**
   * Counts a call and returns the action of the fault it hits, if any (the first armed one that
   * matches). A fault fires on its nth matching call and the `times - 1` after it.
   */
  hit(server: string, user: string, op: FaultOp): FaultAction | undefined {
    let action: FaultAction | undefined;
    for (const f of this.data.faults) {
      if (f.server !== server || f.op !== op || (f.user !== undefined && f.user !== user)) continue;
      const n = (this.calls.get(f) ?? 0) + 1;
      this.calls.set(f, n);
      const times = f.times ?? 1;
      if (action || n < f.nth || n >= f.nth + times || (f.fired ?? 0) >= times) continue;
      f.fired = (f.fired ?? 0) + 1;
      action = f.action;
      this.save();
    }
    return action;
  }

  /** Counts a connection opened (+1) or closed (-1) by a user; returns how many are open. */
  connectionCount(server: string, user: string, delta: number): number {
    const key = `${server}\n${user}`;
    const n = (this.connections.get(key) ?? 0) + delta;
    this.connections.set(key, n);
    return n;
  }
}

/** One server of the network. */
export class MemoryServer {
  constructor(
    private readonly net: MemoryNetwork,
    readonly host: string,
    readonly state: MemoryServerState,
  ) {}

  get capabilities(): ReadonlySet<string> {
    return new Set(this.state.capabilities);
  }

  /** Writes the network's file (after a change made through this server). */
  save(): void {
    this.net.save();
  }

  /**
   * Adds an account with INBOX and the given folders (parents made as needed).
   * @returns the account's mailbox, for seeding it
   */
  addAccount(
    user: string,
    password: string,
    opts: {
      quota?: number;
      folders?: { path: string; specialUse?: SpecialUse; subscribed?: boolean }[];
    } = {},
  ): MemoryMailbox {
    this.state.accounts[user] = {
      password,
      ...(opts.quota === undefined ? {} : { quota: opts.quota }),
      folders: [],
    };
    const box = this.mailbox(user)!;
    box.createFolder('INBOX');
    for (const f of opts.folders ?? []) {
      const created = box.createFolder(f.path);
      if (f.specialUse) created.specialUse = f.specialUse;
      created.subscribed = f.subscribed ?? true;
    }
    this.save();
    return box;
  }

  /** The mailbox of a user, or undefined when the server has no such account. */
  mailbox(user: string): MemoryMailbox | undefined {
    const account = this.state.accounts[user];
    return account ? new MemoryMailbox(this, account) : undefined;
  }

  /** A UIDVALIDITY no folder of this server has had. */
  nextUidValidity(): number {
    return this.state.nextUidValidity++;
  }
}

/** The messages of one folder as a test compares them: bytes, flags, INTERNALDATE. */
export interface MessageDigest {
  sha256: string;
  /** Stored flags, sorted (never `\Recent`). */
  flags: string[];
  internalDate: number;
}

/** One user's mailbox on a server: what an authenticated session may do. */
export class MemoryMailbox {
  constructor(
    readonly server: MemoryServer,
    private readonly account: MemoryAccount,
  ) {}

  get password(): string {
    return this.account.password;
  }

  private get settings(): MemoryServerState {
    return this.server.state;
  }

  /** The folder at this path (INBOX in any case), or undefined. */
  folder(path: string): MemoryFolder | undefined {
    const inbox = path.toUpperCase() === 'INBOX';
    return this.account.folders.find((f) => (inbox ? f.path.toUpperCase() === 'INBOX' : f.path === path));
  }

  /** The folder at this path, selectable. @throws StoreError `refused` as a server's NO [NONEXISTENT]. */
  private selectable(what: string, path: string): MemoryFolder {
    const f = this.folder(path);
    if (!f) throw serverRefusal(what, `Mailbox doesn't exist: ${path}`, 'NONEXISTENT');
    if (f.noselect) throw serverRefusal(what, `Mailbox isn't selectable: ${path}`, 'CANNOT');
    return f;
  }

  /** LIST with special use and subscription (and each folder's STATUS under LIST-STATUS). */
  list(): { namespace: NamespaceInfo; folders: FolderListing[] } {
    const { delimiter, prefix } = this.settings;
    const caps = this.server.capabilities;
    const folders = this.account.folders.map((f): FolderListing => {
      const children = this.account.folders.some((c) => c.path.startsWith(`${f.path}${delimiter}`));
      const flags = [children ? '\\HasChildren' : '\\HasNoChildren'];
      if (f.noselect) flags.push('\\Noselect');
      const specialUse = caps.has('SPECIAL-USE') ? f.specialUse : undefined;
      if (specialUse) flags.push(specialUse);
      const status = caps.has('LIST-STATUS') && !f.noselect ? this.statusOf(f) : undefined;
      return {
        path: f.path,
        delimiter,
        flags,
        ...(specialUse ? { specialUse } : {}),
        subscribed: f.subscribed,
        messages: status?.messages,
        size: status?.size,
        status,
      };
    });
    return { namespace: { prefix, delimiter }, folders };
  }

  private statusOf(f: MemoryFolder): FolderStatus {
    const caps = this.server.capabilities;
    return {
      messages: f.messages.length,
      uidNext: f.uidNext,
      uidValidity: f.uidValidity,
      ...(caps.has('CONDSTORE') ? { highestModseq: String(f.highestModseq) } : {}),
      ...(caps.has('STATUS=SIZE') ? { size: f.messages.reduce((s, m) => s + m.size, 0) } : {}),
    };
  }

  /** STATUS of a folder. @throws StoreError `refused` for a missing or \Noselect folder */
  status(path: string): FolderStatus {
    return this.statusOf(this.selectable(`STATUS "${path}"`, path));
  }

  /**
   * SELECT (read-write: PERMANENTFLAGS announced, `\Recent` cleared) or EXAMINE (read-only: no
   * PERMANENTFLAGS, `\Recent` left as it is).
   * @throws StoreError `refused` for a missing or \Noselect folder
   */
  open(path: string, readOnly: boolean): OpenedFolder {
    const f = this.selectable(`${readOnly ? 'EXAMINE' : 'SELECT'} "${path}"`, path);
    const opened = {
      status: this.statusOf(f),
      permanentFlags: readOnly ? [] : [...this.settings.permanentFlags],
    };
    if (!readOnly && f.messages.some((m) => m.recent)) {
      for (const m of f.messages) m.recent = false;
      this.server.save();
    }
    return opened;
  }

  /** Messages of a folder with UID >= fromUid (and modseq > changedSince when given), by UID. */
  messages(path: string, fromUid = 1, changedSince?: number): MemoryMessage[] {
    const f = this.selectable(`FETCH in "${path}"`, path);
    return f.messages.filter(
      (m) => m.uid >= fromUid && (changedSince === undefined || m.modseq > changedSince),
    );
  }

  /** The flags a FETCH reports: the stored ones, and `\Recent` while no session has SELECTed the folder. */
  static fetchedFlags(m: MemoryMessage): string[] {
    return m.recent ? [...m.flags, '\\Recent'] : [...m.flags];
  }

  /**
   * CREATE, with the missing parents (RFC 3501 6.3.3). The new folders are not subscribed.
   * @returns the folder
   * @throws StoreError `refused` [ALREADYEXISTS] when it exists
   */
  createFolder(path: string): MemoryFolder {
    if (this.folder(path)) throw serverRefusal(`CREATE "${path}"`, 'Mailbox already exists', 'ALREADYEXISTS');
    const { delimiter } = this.settings;
    const levels = path.split(delimiter);
    let made: MemoryFolder | undefined;
    for (let i = 1; i <= levels.length; i++) {
      const p = levels.slice(0, i).join(delimiter);
      if (p === '' || this.folder(p)) continue;
      made = {
        path: p,
        subscribed: false,
        uidValidity: this.server.nextUidValidity(),
        uidNext: 1,
        highestModseq: 1,
        messages: [],
      };
      this.account.folders.push(made);
    }
    this.server.save();
    return made!;
  }

  /** SUBSCRIBE / UNSUBSCRIBE. @throws StoreError `refused` for a missing folder */
  setSubscribed(path: string, subscribed: boolean): void {
    const f = this.folder(path);
    if (!f) throw serverRefusal(`SUBSCRIBE "${path}"`, `Mailbox doesn't exist: ${path}`, 'NONEXISTENT');
    f.subscribed = subscribed;
    this.server.save();
  }

  /** What the folder keeps of these flags: PERMANENTFLAGS decide, `\Recent` never, no repeats. */
  private kept(flags: readonly string[]): string[] {
    const permanent = this.settings.permanentFlags;
    const allowed = new Set(permanent.map((f) => f.toLowerCase()));
    const out: string[] = [];
    for (const f of flags) {
      const lower = f.toLowerCase();
      if (isRecent(f) || out.some((o) => o.toLowerCase() === lower)) continue;
      if (allowed.has(lower) || (!f.startsWith('\\') && permanent.includes('\\*'))) out.push(f);
    }
    return out;
  }

  /** UID STORE FLAGS: replaces a message's flags (a UID that is gone is no error, RFC 3501 6.4.8). */
  storeFlags(path: string, uid: number, flags: readonly string[]): void {
    const f = this.selectable(`UID STORE in "${path}"`, path);
    const m = f.messages.find((x) => x.uid === uid);
    if (!m) return;
    m.flags = this.kept(flags);
    m.modseq = ++f.highestModseq;
    this.server.save();
  }

  /** Bytes held by every folder of the account (what the quota counts). */
  usage(): number {
    return this.account.folders.reduce((s, f) => s + f.messages.reduce((t, m) => t + m.size, 0), 0);
  }

  /** The account's quota (RFC 9208), when it has one. */
  quota(): { usage: number; limit: number } | undefined {
    return this.account.quota === undefined ? undefined : { usage: this.usage(), limit: this.account.quota };
  }

  /**
   * One APPEND command of one or more messages: all stored, or none (RFC 3502).
   * @returns the server's tagged answer: OK with APPENDUID, NO [TRYCREATE] for a missing folder,
   *   NO [OVERQUOTA], NO for a message a refusal rule matches, BAD for an unknown system flag.
   */
  append(path: string, messages: readonly AppendedMessage[]): AppendReply {
    const f = this.folder(path);
    if (!f || f.noselect) return { status: 'NO', code: 'TRYCREATE', text: `Mailbox doesn't exist: ${path}` };
    for (const m of messages) {
      const unknown = m.flags.find(
        (x) => x.startsWith('\\') && !isRecent(x) && !SYSTEM_FLAGS.includes(x.toLowerCase()),
      );
      if (unknown) return { status: 'BAD', text: `Invalid system flag ${unknown}` };
      const rule = this.settings.refuse.find(
        (r) =>
          (r.bareLf && bareLf(m.raw)) ||
          (r.nul && m.raw.includes(0)) ||
          (r.contains !== undefined && m.raw.toString('latin1').includes(r.contains)),
      );
      if (rule?.status === 'BAD') return { status: 'BAD', text: rule.text };
      if (rule) return { status: 'NO', text: rule.text, ...(rule.code ? { code: rule.code } : {}) };
    }
    const bytes = messages.reduce((s, m) => s + m.raw.length, 0);
    const { quota } = this.account;
    if (quota !== undefined && this.usage() + bytes > quota) {
      return { status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded (mailbox for user is full)' };
    }
    const uids = messages.map((m) => {
      const uid = f.uidNext++;
      f.messages.push({
        uid,
        raw: m.raw.toString('base64'),
        size: m.raw.length,
        flags: this.kept(m.flags),
        internalDate: m.internalDate.getTime(),
        modseq: ++f.highestModseq,
        recent: true,
      });
      return uid;
    });
    this.server.save();
    return { status: 'OK', uidValidity: f.uidValidity, uids };
  }

  /** Removes messages (a user deleting mail on the server: EXPUNGE). */
  expunge(path: string, uids: readonly number[]): void {
    const f = this.selectable(`EXPUNGE in "${path}"`, path);
    f.messages = f.messages.filter((m) => !uids.includes(m.uid));
    f.highestModseq++;
    this.server.save();
  }

  /** Every selectable folder's messages, as a test compares them. */
  digest(): Map<string, MessageDigest[]> {
    const out = new Map<string, MessageDigest[]>();
    for (const f of this.account.folders) {
      if (f.noselect) continue;
      out.set(
        f.path,
        f.messages.map((m) => ({
          sha256: createHash('sha256').update(Buffer.from(m.raw, 'base64')).digest('hex'),
          flags: [...m.flags].sort(),
          internalDate: m.internalDate,
        })),
      );
    }
    return out;
  }

  /** The folders, as stored (for assertions on UIDs, subscriptions, special use). */
  get folders(): readonly MemoryFolder[] {
    return this.account.folders;
  }
}
