/**
 * A hostile IMAP server for tests, on 127.0.0.1: an in-memory mailbox per user that answers like
 * an ordinary IMAP4rev1 server (RFC 3501, with LITERAL+ RFC 7888, UIDPLUS RFC 4315, MULTIAPPEND
 * RFC 3502, NAMESPACE RFC 2342, LIST-EXTENDED RFC 5258 and LIST-STATUS RFC 5819, SASL-IR RFC 4959)
 * until a test switches on one misbehaviour for a command, a folder or a user:
 *
 * - `endless-line`: instead of the answer, a line that never ends (no CRLF), or ends after `bytes`;
 * - `giant-literal`: a literal announced as `{announce}` followed by filler (up to `send` bytes);
 * - `oversize-body`: a well-formed BODY[] literal `extra` bytes larger than the RFC822.SIZE it gave;
 * - `uid`: every FETCH response of the command carries this UID (0, or above 2^32-1);
 * - `bad` / `no`: a tagged BAD or NO instead of running the command (`multiappend` matches only
 *   an APPEND of more than one message, as a server that does not implement RFC 3502 would refuse);
 * - `stall`: no answer at all, the connection stays open; `close`: the connection is dropped.
 *
 * Folder names the protocol cannot carry (CR, LF, NUL, 8-bit bytes, invalid modified UTF-7) are not
 * a fault but data: give such a `name` and LIST sends it as a literal, byte for byte (a NUL in a
 * literal breaks RFC 3501's CHAR8, on purpose). Names are the wire form: the test encodes
 * modified UTF-7 itself.
 *
 * Why a server of its own rather than the fault proxy in front of Dovecot: Dovecot refuses to
 * create the folders and messages these faults need (a name with CR or NUL, a UID of 0), and
 * rewriting its FETCH responses would need the proxy to parse them; here every answer is built from
 * data the test gives, so each fault is one switch. Filler is streamed with backpressure, so a
 * giant or endless answer costs this process nothing while the client under test reads it.
 */
import net from 'node:net';

/** A message as the test gives it. */
export interface HostileMessage {
  raw: Buffer | string;
  flags?: string[];
  internalDate?: Date;
}

/** A folder as the test gives it: `name` is its wire form, one character per byte (latin1). */
export interface HostileFolder {
  name: string;
  messages?: HostileMessage[];
  uidValidity?: number;
  /** Extra LIST attributes (`\Noselect`, `\Sent`); `\HasChildren`/`\HasNoChildren` are computed. */
  attributes?: string[];
}

export interface HostileUser {
  password: string;
  folders: HostileFolder[];
}

/** Commands a fault can be attached to (`scan` is a UID FETCH without a body, `body` with one). */
export type HostileCommand =
  | 'greeting'
  | 'login'
  | 'list'
  | 'status'
  | 'examine'
  | 'select'
  | 'scan'
  | 'body'
  | 'append'
  | 'multiappend'
  | 'create';

export type HostileFault =
  | { kind: 'endless-line'; bytes?: number }
  | { kind: 'giant-literal'; announce: number; send?: number }
  | { kind: 'oversize-body'; extra: number }
  | { kind: 'uid'; uid: number }
  | { kind: 'bad'; text?: string }
  | { kind: 'no'; text?: string }
  | { kind: 'stall' }
  | { kind: 'close' };

export interface FaultRule {
  on: HostileCommand;
  /** Only commands naming this folder (wire form; INBOX in any case). */
  folder?: string;
  /** Only on connections logged in (or, for `login`, logging in) as this user. */
  user?: string;
  fault: HostileFault;
  /** How many matching commands it hits (default: all). */
  times?: number;
}

export interface FaultHandle {
  readonly fired: number;
  /** Bytes of filler sent for this fault (endless lines, giant literals, oversize bodies). */
  readonly sent: number;
  whenFired(n?: number): Promise<void>;
  cancel(): void;
}

/** A stored message as the server holds it (for assertions on a destination). */
export interface StoredHostileMessage {
  uid: number;
  raw: Buffer;
  flags: Set<string>;
  internalDate: Date;
}

export interface HostileServerOptions {
  users: Record<string, HostileUser>;
  /** Replaces the default capability list (after IMAP4rev1). */
  capabilities?: string[];
  delimiter?: string;
  port?: number;
}

export interface HostileServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Commands received (tag stripped; LOGIN and AUTHENTICATE without their secrets). */
  readonly commands: readonly { connection: number; user?: string; text: string }[];
  /** Connections currently open. */
  readonly open: number;
  fault(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  /** A folder's messages now (after APPENDs), or undefined when it does not exist. */
  messages(user: string, folder: string): StoredHostileMessage[] | undefined;
  /** Folder names of a user now (after CREATEs). */
  folders(user: string): string[];
  stop(): Promise<void>;
}

/** Capabilities announced unless the test gives its own. */
export const HOSTILE_CAPABILITIES = [
  'LITERAL+',
  'SASL-IR',
  'AUTH=PLAIN',
  'AUTH=XOAUTH2',
  'UIDPLUS',
  'MULTIAPPEND',
  'NAMESPACE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'ID',
  'ENABLE',
];

// ---------------------------------------------------------------------------------------------
// Mailbox state

interface Folder {
  name: string;
  attributes: string[];
  uidValidity: number;
  uidNext: number;
  messages: StoredHostileMessage[];
}

class Mailbox {
  readonly folders: Folder[];

  constructor(
    readonly password: string,
    given: HostileFolder[],
    validity: () => number,
  ) {
    this.folders = given.map((f) => {
      const messages = (f.messages ?? []).map((m, i) => ({
        uid: i + 1,
        raw: Buffer.isBuffer(m.raw) ? m.raw : Buffer.from(m.raw, 'latin1'),
        flags: new Set(m.flags ?? []),
        internalDate: m.internalDate ?? new Date(Date.UTC(2024, 0, 1 + i)),
      }));
      return {
        name: f.name,
        attributes: f.attributes ?? [],
        uidValidity: f.uidValidity ?? validity(),
        uidNext: messages.length + 1,
        messages,
      };
    });
  }

  find(name: string): Folder | undefined {
    const upper = name.toUpperCase() === 'INBOX';
    return this.folders.find((f) => f.name === name || (upper && f.name.toUpperCase() === 'INBOX'));
  }
}

// ---------------------------------------------------------------------------------------------
// Wire syntax (RFC 3501 section 9)

/** A mailbox name as an astring: quoted when it can be, else a literal of its exact bytes. */
function mailboxWire(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}"`;
  return `{${Buffer.byteLength(name, 'latin1')}}\r\n${name}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** date-time of RFC 3501 (`" 7-Jul-2024 09:05:00 +0000"`), in UTC. */
function internalDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `"${day}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

function parseInternalDate(text: string): Date | undefined {
  const m = /^ ?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!);
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(utc - offset);
}

/** The header fields named (RFC 3501 HEADER.FIELDS), continuation lines kept, then the blank line. */
function headerFields(raw: Buffer, names: string[]): Buffer {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end + 2);
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const fields = head.split(/\r\n(?![ \t])/).filter((f) => {
    const colon = f.indexOf(':');
    return colon > 0 && wanted.has(f.slice(0, colon).trim().toLowerCase());
  });
  return Buffer.from(fields.map((f) => `${f}\r\n`).join('') + '\r\n', 'latin1');
}

/** Messages of a sequence set (`1:*`, `3,5:7`) by UID or by sequence number. */
function selectMessages(folder: Folder, set: string, byUid: boolean): StoredHostileMessage[] {
  const list = folder.messages;
  const last = byUid ? (list.at(-1)?.uid ?? 0) : list.length;
  const value = (v: string) => (v === '*' ? last : Number(v));
  const picked = new Set<StoredHostileMessage>();
  for (const range of set.split(',')) {
    const [a, b = a] = range.split(':') as [string, string?];
    // RFC 3501 6.4.8: `n:*` includes the last message even when n is above every UID.
    const lo = Math.min(value(a), value(b));
    const hi = Math.max(value(a), value(b));
    list.forEach((m, i) => {
      const key = byUid ? m.uid : i + 1;
      if (key >= lo && key <= hi) picked.add(m);
    });
  }
  return list.filter((m) => picked.has(m));
}

/** Reads the arguments of one command: atoms, quoted strings, literals, parenthesised lists. */
class Args {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private space(): void {
    while (this.buf[this.pos] === 0x20) this.pos++;
  }

  /** The next atom (up to a space, or the end). */
  atom(): string {
    this.space();
    const start = this.pos;
    while (this.pos < this.buf.length && this.buf[this.pos] !== 0x20) this.pos++;
    return this.buf.toString('latin1', start, this.pos);
  }

  /** An astring: quoted, literal (`{n}`/`{n+}` then CRLF then n bytes) or atom. */
  astring(): Buffer {
    this.space();
    if (this.buf[this.pos] === 0x22) {
      const out: number[] = [];
      this.pos++;
      while (this.pos < this.buf.length && this.buf[this.pos] !== 0x22) {
        if (this.buf[this.pos] === 0x5c) this.pos++;
        out.push(this.buf[this.pos++]!);
      }
      this.pos++;
      return Buffer.from(out);
    }
    const lit = this.literal();
    return lit ?? Buffer.from(this.atom(), 'latin1');
  }

  literal(): Buffer | undefined {
    this.space();
    const m = /^~?\{(\d+)\+?\}\r\n/.exec(this.buf.toString('latin1', this.pos, this.pos + 24));
    if (!m) return undefined;
    this.pos += m[0].length;
    const data = this.buf.subarray(this.pos, this.pos + Number(m[1]));
    this.pos += data.length;
    return data;
  }

  /** A parenthesised list as text (nested lists kept), or undefined when none comes next. */
  list(): string | undefined {
    this.space();
    if (this.buf[this.pos] !== 0x28) return undefined;
    let depth = 0;
    const start = this.pos;
    do {
      if (this.buf[this.pos] === 0x28) depth++;
      if (this.buf[this.pos] === 0x29) depth--;
      this.pos++;
    } while (depth > 0 && this.pos < this.buf.length);
    return this.buf.toString('latin1', start + 1, this.pos - 1);
  }

  rest(): string {
    this.space();
    const text = this.buf.toString('latin1', this.pos);
    this.pos = this.buf.length;
    return text;
  }
}

/** Splits a client's stream into whole commands, literals included; asks `+` for synchronizing ones. */
class CommandFramer {
  private chunks: Buffer[] = [];
  private length = 0;
  private scanFrom = 0;
  /** Where the literal being received ends, or -1. */
  private literalEnd = -1;

  constructor(private readonly goAhead: () => void) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      // A large APPEND arrives in many chunks: join them once its literal is complete.
      if (this.literalEnd > this.length) break;
      const buf = this.joined();
      if (this.literalEnd >= 0) {
        this.scanFrom = this.literalEnd;
        this.literalEnd = -1;
      }
      const nl = buf.indexOf('\r\n', this.scanFrom);
      if (nl === -1) break;
      const m = /\{(\d+)(\+?)\}$/.exec(buf.toString('latin1', Math.max(this.scanFrom, nl - 24), nl));
      if (m) {
        this.literalEnd = nl + 2 + Number(m[1]);
        if (!m[2]) this.goAhead();
        continue;
      }
      out.push(buf.subarray(0, nl));
      this.chunks = [buf.subarray(nl + 2)];
      this.length -= nl + 2;
      this.scanFrom = 0;
    }
    return out;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Faults

class Rule {
  fired = 0;
  sent = 0;
  cancelled = false;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(readonly spec: FaultRule) {}

  matches(on: HostileCommand, user: string | undefined, folder: string | undefined): boolean {
    const s = this.spec;
    if (this.cancelled || this.fired >= (s.times ?? Infinity) || s.on !== on) return false;
    if (s.user !== undefined && s.user !== user) return false;
    if (s.folder === undefined) return true;
    return folder !== undefined && (folder === s.folder || folder.toUpperCase() === s.folder.toUpperCase());
  }

  fire(): void {
    this.fired++;
    for (const w of this.waiters.filter((x) => this.fired >= x.n)) w.resolve();
    this.waiters = this.waiters.filter((x) => this.fired < x.n);
  }

  handle(): FaultHandle {
    const counts = () => ({ fired: this.fired, sent: this.sent });
    return {
      get fired() {
        return counts().fired;
      },
      get sent() {
        return counts().sent;
      },
      whenFired: (n = 1) =>
        this.fired >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve })),
      cancel: () => {
        this.cancelled = true;
      },
    };
  }
}

const FILLER = Buffer.alloc(64 * 1024, 'x');

/** Writes `bytes` of filler (Infinity: until the peer leaves), waiting for the socket to drain. */
async function pump(socket: net.Socket, bytes: number, count: (n: number) => void): Promise<boolean> {
  let left = bytes;
  while (left > 0) {
    if (socket.destroyed || !socket.writable) return false;
    const piece = left >= FILLER.length ? FILLER : FILLER.subarray(0, left);
    left -= piece.length;
    count(piece.length);
    if (!socket.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
  return !socket.destroyed;
}

// ---------------------------------------------------------------------------------------------
// One connection

interface Command {
  tag: string;
  name: string;
  args: Args;
  text: string;
}

class Session {
  private user?: string;
  private mailbox?: Mailbox;
  private selected?: { folder: Folder; readOnly: boolean };
  private queue = Promise.resolve();
  private closed = false;
  private saslResponse?: (line: string) => void;

  constructor(
    readonly id: number,
    private readonly server: Server,
    private readonly socket: net.Socket,
  ) {
    const framer = new CommandFramer(() => this.write('+ go ahead\r\n'));
    socket.on('data', (d: Buffer) => {
      for (const c of framer.push(d)) {
        // The line after a `+` of AUTHENTICATE is the client's SASL response, not a command.
        const sasl = this.saslResponse;
        this.saslResponse = undefined;
        if (sasl) sasl(c.toString('latin1'));
        else this.queue = this.queue.then(() => this.run(c));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
    this.queue = this.queue.then(() => this.greet());
  }

  private write(text: string | Buffer): void {
    if (!this.closed && !this.socket.destroyed)
      this.socket.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }

  private capabilityText(): string {
    return ['IMAP4rev1', ...(this.server.opts.capabilities ?? HOSTILE_CAPABILITIES)].join(' ');
  }

  private async greet(): Promise<void> {
    const rule = this.server.ruleFor('greeting', undefined, undefined);
    if (rule && (await this.faulty(rule, undefined, '* OK '))) return;
    this.write(`* OK [CAPABILITY ${this.capabilityText()}] hostile test server ready\r\n`);
  }

  private async run(raw: Buffer): Promise<void> {
    if (this.closed) return;
    const args = new Args(raw);
    const tag = args.atom();
    let name = args.atom().toUpperCase();
    if (name === 'UID') name = `UID ${args.atom().toUpperCase()}`;
    const shown = /^(LOGIN|AUTHENTICATE)/.test(name)
      ? `${name} ...`
      : raw.toString('latin1', tag.length + 1, 200);
    this.server.seen.push({ connection: this.id, user: this.user, text: shown });
    const cmd: Command = { tag, name, args, text: shown };
    try {
      await this.dispatch(cmd);
    } catch (err) {
      this.write(`${tag} BAD ${(err as Error).message}\r\n`);
    }
  }

  private async dispatch(c: Command): Promise<void> {
    const ok = (text = `${c.name} completed`) => this.write(`${c.tag} OK ${text}\r\n`);
    switch (c.name) {
      case 'CAPABILITY':
        this.write(`* CAPABILITY ${this.capabilityText()}\r\n`);
        return ok();
      case 'NOOP':
      case 'CHECK':
        return ok();
      case 'ID':
        this.write('* ID NIL\r\n');
        return ok();
      case 'ENABLE':
        this.write('* ENABLED\r\n');
        return ok();
      case 'NAMESPACE':
        this.write(`* NAMESPACE (("" "${this.delimiter()}")) NIL NIL\r\n`);
        return ok();
      case 'LOGOUT':
        this.write('* BYE logging out\r\n');
        ok();
        this.socket.end();
        return;
      case 'LOGIN':
        return this.login(c, c.args.astring().toString('utf8'), c.args.astring().toString('utf8'));
      case 'AUTHENTICATE':
        return this.authenticate(c);
    }
    if (!this.mailbox) return this.write(`${c.tag} BAD log in first\r\n`);
    switch (c.name) {
      case 'LIST':
      case 'LSUB':
        return this.list(c);
      case 'STATUS':
        return this.status(c);
      case 'SELECT':
      case 'EXAMINE':
        return this.select(c);
      case 'CREATE':
        return this.create(c);
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        return ok();
      case 'APPEND':
        return this.append(c);
      case 'CLOSE':
      case 'UNSELECT':
        this.selected = undefined;
        return ok();
    }
    if (!this.selected) return this.write(`${c.tag} BAD select a folder first\r\n`);
    switch (c.name) {
      case 'FETCH':
      case 'UID FETCH':
        return this.fetch(c, c.name === 'UID FETCH');
      case 'STORE':
      case 'UID STORE':
        return this.store(c, c.name === 'UID STORE');
      case 'SEARCH':
      case 'UID SEARCH':
        return this.search(c, c.name === 'UID SEARCH');
    }
    this.write(`${c.tag} BAD unknown command ${c.name}\r\n`);
  }

  private delimiter(): string {
    return this.server.opts.delimiter ?? '/';
  }

  /**
   * Applies a fault instead of the normal answer. `prefix` starts the line an endless line or a
   * giant literal is part of. Returns true when the normal answer must not follow.
   */
  private async faulty(rule: Rule, c: Command | undefined, prefix: string): Promise<boolean> {
    const f = rule.spec.fault;
    rule.fire();
    const count = (n: number) => (rule.sent += n);
    switch (f.kind) {
      case 'stall':
        return true;
      case 'close':
        this.socket.destroy();
        return true;
      case 'bad':
      case 'no':
        this.write(
          `${c?.tag ?? '*'} ${f.kind.toUpperCase()} ${f.text ?? 'refused by the hostile server'}\r\n`,
        );
        return true;
      case 'endless-line': {
        this.write(prefix);
        const whole = await pump(this.socket, f.bytes ?? Infinity, count);
        if (whole) this.write('\r\n');
        return false;
      }
      case 'giant-literal': {
        this.write(`${prefix}{${f.announce}}\r\n`);
        await pump(this.socket, Math.min(f.send ?? f.announce, f.announce), count);
        // Sent in part only: the rest never comes, like a server that died mid-literal.
        return true;
      }
      default:
        return false;
    }
  }

  private async login(c: Command, user: string, password: string): Promise<void> {
    const rule = this.server.ruleFor('login', user, undefined);
    if (rule && (await this.faulty(rule, c, '* OK '))) return;
    const box = this.server.boxes.get(user);
    if (!box || box.password !== password) {
      return this.write(`${c.tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n`);
    }
    this.user = user;
    this.mailbox = box;
    this.write(`${c.tag} OK [CAPABILITY ${this.capabilityText()}] logged in\r\n`);
  }

  private async authenticate(c: Command): Promise<void> {
    const mech = c.args.atom().toUpperCase();
    let ir = c.args.atom();
    if (!ir) {
      ir = await new Promise<string>((resolve) => {
        this.saslResponse = resolve;
        this.write('+ \r\n');
      });
    }
    const decoded = Buffer.from(ir, 'base64').toString('utf8');
    if (mech === 'PLAIN') {
      const [, user = '', password = ''] = decoded.split('\0');
      return this.login(c, user, password);
    }
    if (mech === 'XOAUTH2') {
      // RFC-less but documented by Google and Microsoft: user=U ^A auth=Bearer T ^A ^A.
      const [user = '', auth = ''] = decoded.split('\x01');
      return this.login(c, user.replace(/^user=/, ''), auth.replace(/^auth=Bearer /, ''));
    }
    this.write(`${c.tag} NO unsupported mechanism\r\n`);
  }

  private async list(c: Command): Promise<void> {
    const box = this.mailbox!;
    // LIST [(selection)] reference pattern [RETURN (...)] (RFC 5258); only RETURN options matter here.
    c.args.list();
    const reference = c.args.astring().toString('latin1');
    const pattern = reference + (c.args.list() ?? c.args.astring().toString('latin1'));
    const returns = /^RETURN$/i.test(c.args.atom()) ? (c.args.list() ?? '') : '';
    const statusItems = /STATUS \(([^)]*)\)/i.exec(returns)?.[1];
    const rule = this.server.ruleFor('list', this.user, undefined);
    if (rule && (await this.faulty(rule, c, '* LIST () "/" '))) return;
    const d = this.delimiter();
    if (pattern === '') {
      this.write(`* ${c.name} (\\Noselect) "${d}" ""\r\n`);
      return this.write(`${c.tag} OK ${c.name} completed\r\n`);
    }
    const re = new RegExp(
      `^${pattern
        .split('')
        .map((ch) =>
          ch === '*' ? '.*' : ch === '%' ? `[^${d}]*` : ch.replace(/[\\^$.+?()[\]{}|/]/g, '\\$&'),
        )
        .join('')}$`,
      's',
    );
    for (const f of box.folders) {
      if (!re.test(f.name)) continue;
      const children = box.folders.some((o) => o.name.startsWith(f.name + d));
      const attrs = [...f.attributes, children ? '\\HasChildren' : '\\HasNoChildren'];
      if (/SUBSCRIBED/i.test(returns)) attrs.push('\\Subscribed');
      this.write(`* ${c.name} (${attrs.join(' ')}) "${d}" ${mailboxWire(f.name)}\r\n`);
      if (statusItems && !f.attributes.includes('\\Noselect')) this.write(this.statusLine(f, statusItems));
    }
    this.write(`${c.tag} OK ${c.name} completed\r\n`);
  }

  private statusLine(f: Folder, items: string): string {
    const values: Record<string, number> = {
      MESSAGES: f.messages.length,
      RECENT: 0,
      UIDNEXT: f.uidNext,
      UIDVALIDITY: f.uidValidity,
      UNSEEN: f.messages.filter((m) => !m.flags.has('\\Seen')).length,
    };
    const pairs = items
      .toUpperCase()
      .split(/\s+/)
      .filter((i) => i in values)
      .map((i) => `${i} ${values[i]}`);
    return `* STATUS ${mailboxWire(f.name)} (${pairs.join(' ')})\r\n`;
  }

  private async status(c: Command): Promise<void> {
    const name = c.args.astring().toString('latin1');
    const items = c.args.list() ?? '';
    const rule = this.server.ruleFor('status', this.user, name);
    if (rule && (await this.faulty(rule, c, '* STATUS '))) return;
    const f = this.mailbox!.find(name);
    if (!f) return this.write(`${c.tag} NO [NONEXISTENT] no such folder\r\n`);
    this.write(this.statusLine(f, items));
    this.write(`${c.tag} OK STATUS completed\r\n`);
  }

  private async select(c: Command): Promise<void> {
    const name = c.args.astring().toString('latin1');
    const readOnly = c.name === 'EXAMINE';
    this.selected = undefined;
    const rule = this.server.ruleFor(readOnly ? 'examine' : 'select', this.user, name);
    if (rule && (await this.faulty(rule, c, '* OK '))) return;
    const f = this.mailbox!.find(name);
    if (!f || f.attributes.includes('\\Noselect')) {
      return this.write(`${c.tag} NO [NONEXISTENT] no such folder\r\n`);
    }
    const permanent = readOnly ? '' : '\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*';
    this.write(
      [
        '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)',
        `* OK [PERMANENTFLAGS (${permanent})] flags`,
        `* ${f.messages.length} EXISTS`,
        '* 0 RECENT',
        `* OK [UIDVALIDITY ${f.uidValidity}] UIDs valid`,
        `* OK [UIDNEXT ${f.uidNext}] predicted next UID`,
        `${c.tag} OK [${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${c.name} completed`,
        '',
      ].join('\r\n'),
    );
    this.selected = { folder: f, readOnly };
  }

  private async create(c: Command): Promise<void> {
    const name = c.args.astring().toString('latin1');
    const rule = this.server.ruleFor('create', this.user, name);
    if (rule && (await this.faulty(rule, c, '* OK '))) return;
    const box = this.mailbox!;
    if (box.find(name)) return this.write(`${c.tag} NO [ALREADYEXISTS] folder exists\r\n`);
    box.folders.push({
      name,
      attributes: [],
      uidValidity: this.server.nextValidity(),
      uidNext: 1,
      messages: [],
    });
    this.write(`${c.tag} OK CREATE completed\r\n`);
  }

  private async append(c: Command): Promise<void> {
    const name = c.args.astring().toString('latin1');
    const items: StoredHostileMessage[] = [];
    while (!c.args.done) {
      const flags = c.args.list();
      const save = c.args.pos;
      const date = c.args.astring().toString('latin1');
      const when = parseInternalDate(date);
      if (!when) c.args.pos = save;
      const raw = c.args.literal();
      if (!raw) throw new Error('APPEND: a message literal was expected');
      items.push({
        uid: 0,
        raw: Buffer.from(raw),
        flags: new Set((flags ?? '').split(/\s+/).filter(Boolean)),
        internalDate: when ?? new Date(),
      });
    }
    if (items.length === 0) throw new Error('APPEND: no message');
    const rule =
      (items.length > 1 ? this.server.ruleFor('multiappend', this.user, name) : undefined) ??
      this.server.ruleFor('append', this.user, name);
    if (rule && (await this.faulty(rule, c, '* OK '))) return;
    const f = this.mailbox!.find(name);
    if (!f) return this.write(`${c.tag} NO [TRYCREATE] no such folder\r\n`);
    const first = f.uidNext;
    for (const m of items) f.messages.push({ ...m, uid: f.uidNext++ });
    const set = items.length === 1 ? `${first}` : `${first}:${f.uidNext - 1}`;
    this.write(`${c.tag} OK [APPENDUID ${f.uidValidity} ${set}] APPEND completed\r\n`);
  }

  private async fetch(c: Command, byUid: boolean): Promise<void> {
    const { folder } = this.selected!;
    const set = c.args.atom();
    const items = c.args.rest().toUpperCase();
    const wantsBody = /BODY(\.PEEK)?\[\]|RFC822(?![.])/.test(items);
    const rule = this.server.ruleFor(wantsBody ? 'body' : 'scan', this.user, folder.name);
    const fault = rule?.spec.fault;
    const messages = selectMessages(folder, set, byUid);
    const seqOf = (m: StoredHostileMessage) => folder.messages.indexOf(m) + 1;
    if (rule && fault?.kind !== 'uid' && fault?.kind !== 'oversize-body') {
      const m = messages[0];
      const head = m ? `* ${seqOf(m)} FETCH (UID ${m.uid} ` : '* 1 FETCH (UID 1 ';
      const prefix =
        fault?.kind === 'giant-literal' ? `${head}${wantsBody ? 'BODY[]' : 'BODY[HEADER]'} ` : head;
      if (await this.faulty(rule, c, prefix)) return;
    } else if (rule) {
      rule.fire();
    }
    const fields = /BODY\.PEEK\[HEADER\.FIELDS \(([^)]*)\)\]/.exec(items)?.[1];
    for (const m of messages) {
      const uid = fault?.kind === 'uid' ? fault.uid : m.uid;
      const parts: (string | Buffer)[] = [`* ${seqOf(m)} FETCH (UID ${uid}`];
      if (/\bFLAGS\b/.test(items)) parts.push(` FLAGS (${[...m.flags].join(' ')})`);
      if (/INTERNALDATE/.test(items)) parts.push(` INTERNALDATE ${internalDate(m.internalDate)}`);
      if (/RFC822\.SIZE/.test(items)) parts.push(` RFC822.SIZE ${m.raw.length}`);
      if (fields !== undefined) {
        const block = headerFields(m.raw, fields.split(/\s+/).filter(Boolean));
        parts.push(` BODY[HEADER.FIELDS (${fields})] {${block.length}}\r\n`, block);
      }
      if (wantsBody && fault?.kind === 'oversize-body') {
        this.write(
          Buffer.concat([...parts, ` BODY[] {${m.raw.length + fault.extra}}\r\n`, m.raw].map(bytes)),
        );
        if (!(await pump(this.socket, fault.extra, (n) => (rule!.sent += n)))) return;
        this.write(')\r\n');
        continue;
      }
      if (wantsBody) parts.push(` BODY[] {${m.raw.length}}\r\n`, m.raw);
      parts.push(')\r\n');
      this.write(Buffer.concat(parts.map(bytes)));
    }
    this.write(`${c.tag} OK FETCH completed\r\n`);
  }

  private store(c: Command, byUid: boolean): void {
    const { folder, readOnly } = this.selected!;
    if (readOnly) return this.write(`${c.tag} NO folder is read-only\r\n`);
    const set = c.args.atom();
    const op = c.args.atom().toUpperCase();
    const flags = (c.args.list() ?? c.args.rest()).split(/\s+/).filter(Boolean);
    for (const m of selectMessages(folder, set, byUid)) {
      if (op.startsWith('+')) for (const f of flags) m.flags.add(f);
      else if (op.startsWith('-')) for (const f of flags) m.flags.delete(f);
      else m.flags = new Set(flags);
      if (!op.endsWith('.SILENT')) {
        const seq = folder.messages.indexOf(m) + 1;
        this.write(`* ${seq} FETCH (UID ${m.uid} FLAGS (${[...m.flags].join(' ')}))\r\n`);
      }
    }
    this.write(`${c.tag} OK STORE completed\r\n`);
  }

  private search(c: Command, byUid: boolean): void {
    const { folder } = this.selected!;
    const criteria = c.args.rest();
    const uidSet = /^UID (\S+)$/i.exec(criteria)?.[1];
    if (!uidSet && !/^ALL$/i.test(criteria)) {
      return this.write(`${c.tag} BAD this server searches only ALL and UID <set>\r\n`);
    }
    const found = uidSet ? selectMessages(folder, uidSet, true) : folder.messages;
    const keys = found.map((m) => (byUid ? m.uid : folder.messages.indexOf(m) + 1));
    this.write(`* SEARCH${keys.map((k) => ` ${k}`).join('')}\r\n${c.tag} OK SEARCH completed\r\n`);
  }
}

function bytes(p: string | Buffer): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
}

// ---------------------------------------------------------------------------------------------
// The server

class Server implements HostileServer {
  readonly host = '127.0.0.1' as const;
  port = 0;
  readonly boxes = new Map<string, Mailbox>();
  readonly seen: { connection: number; user?: string; text: string }[] = [];
  private rules: Rule[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly listener: net.Server;
  private validity = 1_700_000_000;
  private connections = 0;

  constructor(readonly opts: HostileServerOptions) {
    for (const [user, u] of Object.entries(opts.users)) {
      this.boxes.set(user, new Mailbox(u.password, u.folders, () => this.nextValidity()));
    }
    this.listener = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      new Session(++this.connections, this, socket);
    });
  }

  get commands() {
    return this.seen;
  }

  get open(): number {
    return this.sockets.size;
  }

  nextValidity(): number {
    return this.validity++;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.listener.address() as net.AddressInfo).port;
  }

  ruleFor(on: HostileCommand, user: string | undefined, folder: string | undefined): Rule | undefined {
    return this.rules.find((r) => r.matches(on, user, folder));
  }

  fault(spec: FaultRule): FaultHandle {
    const rule = new Rule(spec);
    this.rules.push(rule);
    return rule.handle();
  }

  clearFaults(): void {
    for (const r of this.rules) r.cancelled = true;
    this.rules = [];
  }

  messages(user: string, folder: string): StoredHostileMessage[] | undefined {
    return this.boxes.get(user)?.find(folder)?.messages;
  }

  folders(user: string): string[] {
    return this.boxes.get(user)?.folders.map((f) => f.name) ?? [];
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }
}

/**
 * Starts a hostile IMAP server.
 * @returns the server, listening on 127.0.0.1 (a free port unless `port` is given); call `stop()`.
 */
export async function startHostileServer(opts: HostileServerOptions): Promise<HostileServer> {
  const server = new Server(opts);
  await server.listen(opts.port ?? 0);
  return server;
}

/** A small RFC 5322 message for tests, with CRLF line ends. */
export function hostileMessage(n: number, opts: { subject?: string; body?: string } = {}): string {
  return [
    `Message-ID: <hostile-${n}@test.example>`,
    `Date: Mon, 01 Jan 2024 10:${String(n % 60).padStart(2, '0')}:00 +0000`,
    'From: sender@test.example',
    'To: rcpt@test.example',
    `Subject: ${opts.subject ?? `message ${n}`}`,
    '',
    opts.body ?? `body of message ${n}`,
    '',
  ].join('\r\n');
}
