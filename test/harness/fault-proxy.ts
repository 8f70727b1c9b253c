/**
 * A test-only TCP proxy on 127.0.0.1 between mailshift and an IMAP server, reproducing what the
 * internet does to long migrations: latency (each way), a connection cut after N bytes or at a
 * chosen command (before it, in the middle of its literal, after it was sent, in the middle of
 * the server's answer, or instead of its tagged reply), a stalled half-open connection (nothing
 * forwarded, nothing closed), new connections refused for a while (reset, closed, `* BYE` or not
 * listening), a command answered by the proxy instead of the server (`NO [OVERQUOTA]`, a throttling
 * reply), capabilities hidden from the client (STARTTLS) and FETCH literals rewritten (to serve bytes
 * a real Dovecot would normalise: bare LF, NUL).
 *
 * It reads the IMAP stream to find command boundaries and literals (RFC 3501 section 4.3; `{N}` and
 * the non-synchronizing `{N+}` of RFC 7888), so it only sees commands on plain-text connections: point
 * mailshift at a server's plain port with `security: none` through it. A TLS stream (first byte 0x16)
 * or a stream after STARTTLS is forwarded untouched; byte faults and latency still apply.
 *
 * Latency alone (the benchmark): `createFaultProxy({ target, latencyMs: 15, inspect: false })`.
 */
import net from 'node:net';

/** Which way bytes travel: client (mailshift) to server, or server to client. */
export type Direction = 'toServer' | 'toClient';

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** Delay added to every chunk, the same each way, or per direction. */
  latencyMs?: number | { toServer?: number; toClient?: number };
  /** Read IMAP to allow command faults (default true); false forwards raw bytes only. */
  inspect?: boolean;
  /** Port to listen on; a free one by default. */
  port?: number;
}

/**
 * Where, relative to a matched command, the fault happens:
 * - `before`: the command is not forwarded at all (a cut "between commands");
 * - `{ clientBytes: n }`: after n bytes of the command reached the server (inside its literal);
 * - `sent`: after the whole command reached the server, before any answer is forwarded;
 * - `{ serverBytes: n }`: after n more bytes from the server (inside a FETCH response);
 * - `reply`: instead of forwarding the command's tagged reply (the server did it, the client never learns).
 */
export type FaultPoint = 'before' | 'sent' | 'reply' | { clientBytes: number } | { serverBytes: number };

/**
 * What happens: `cut` closes both sides; `stall` stops forwarding both ways and closes nothing;
 * `respond` (with `before` only) answers the command instead of the server: `{tag}` in the text is
 * replaced by the command's tag, lines are separated by CRLF, and `close` then cuts the connection.
 */
export type FaultAction = 'cut' | 'stall' | { respond: string; close?: boolean };

/** A fault triggered by a client command. */
export interface CommandFault {
  /** The command after its tag: a string matches its start (case-insensitive), a RegExp is tested. */
  command: string | RegExp;
  /**
   * Only commands with a literal (an APPEND's message) for which this returns true. The proxy then
   * holds the command whole before forwarding it: synchronizing literals are acknowledged by the
   * proxy with `+` and sent on as LITERAL+ (`{N+}`), which Dovecot accepts.
   */
  literal?: (data: Buffer) => boolean;
  /** Fire on the nth matching command (1 = the first), counted over all connections. */
  nth?: number;
  /** How many matches fire, from the nth on (default 1; Infinity for all). */
  times?: number;
  at?: FaultPoint;
  action: FaultAction;
}

/** A fault triggered by the byte count of a connection. */
export interface ByteFault {
  /** Bytes in `direction` since the fault was armed (or since the connection opened, if later). */
  bytes: number;
  direction: Direction;
  action: 'cut' | 'stall';
  /** How many connections it hits (default 1). */
  times?: number;
}

/** How new connections are refused. */
export interface RefuseOptions {
  /**
   * `reset`: accept then RST (default); `close`: accept then close; `bye`: send a `* BYE` greeting and
   * close; `unlisten`: stop listening (connection refused), listen again afterwards.
   */
  mode?: 'reset' | 'close' | 'bye' | 'unlisten';
  /** Refuse this many connections (not for `unlisten`). */
  count?: number;
  /** Refuse for this long. With neither count nor forMs, until `accept()`. */
  forMs?: number;
  /** The greeting for `bye` (default `* BYE [UNAVAILABLE] Too many connections, try again later`). */
  line?: string;
}

/** A fault once armed: how often it matched and fired. */
export interface FaultHandle {
  readonly matched: number;
  readonly fired: number;
  /** Resolves when the fault has fired `n` times (default 1). */
  whenFired(n?: number): Promise<void>;
  /** Disarms it. */
  cancel(): void;
}

/** A command the proxy saw, for assertions (LOGIN arguments and AUTHENTICATE responses are not kept). */
export interface SeenCommand {
  connection: number;
  tag: string;
  text: string;
  /** When the proxy read it from the client (`Date.now()`, before any latency). */
  at: number;
}

export interface FaultProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Connections accepted (refused ones included). */
  readonly accepted: number;
  /** When each connection was accepted (`Date.now()`), by its number less one. */
  readonly acceptedAt: readonly number[];
  /** Connections refused by `refuse()`. */
  readonly refused: number;
  /** Connections currently open. */
  readonly open: number;
  /** Commands seen, in order (only on inspected plain-text connections). */
  readonly commands: readonly SeenCommand[];
  /** Current latency per direction; assignable. */
  latency: { toServer: number; toClient: number };
  onCommand(fault: CommandFault): FaultHandle;
  onBytes(fault: ByteFault): FaultHandle;
  /** Refuses new connections (see RefuseOptions); open ones go on. */
  refuse(opts?: RefuseOptions): FaultHandle;
  /** Ends a refusal at once. */
  accept(): void;
  /** Removes these capabilities from every CAPABILITY the server sends (e.g. `STARTTLS`). */
  hideCapabilities(names: string[]): void;
  /** Rewrites every literal the server sends (FETCH bodies): return new bytes, or undefined to keep them. */
  rewriteServerLiterals(fn: ((data: Buffer) => Buffer | undefined) | undefined): void;
  /** Cuts every open connection now. */
  cutAll(): void;
  /** Stalls every open connection now. */
  stallAll(): void;
  /** Removes every fault, refusal, hidden capability and rewrite. */
  clearFaults(): void;
  /** How many seen commands match. */
  count(command: string | RegExp): number;
  /** Closes the listener and every socket the proxy opened or accepted. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// IMAP stream framing

/** A line of an IMAP stream (with the literal it announces, if any), or bytes of a literal. */
export type Piece =
  | { kind: 'line'; data: Buffer; literal?: { size: number; sync: boolean } }
  | { kind: 'literal'; data: Buffer; end: boolean };

/** Longest line held while waiting for its CRLF; beyond it the bytes go on unread. */
const MAX_LINE = 4 * 1024 * 1024;
const LITERAL_AT_END = /~?\{(\d+)(\+)?\}\r?\n$/;

/** Splits one direction of an IMAP stream into lines and literal bytes (also used by gmail-ext-proxy.ts). */
export class ImapFramer {
  private partial: Buffer[] = [];
  private partialLength = 0;
  private literalLeft = 0;
  /** Set when a line was too long to read: the stream is forwarded unread from then on. */
  lost = false;

  push(chunk: Buffer): Piece[] {
    const out: Piece[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.literalLeft > 0) {
        const n = Math.min(this.literalLeft, chunk.length - pos);
        this.literalLeft -= n;
        out.push({ kind: 'literal', data: chunk.subarray(pos, pos + n), end: this.literalLeft === 0 });
        pos += n;
        continue;
      }
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) {
        this.partial.push(chunk.subarray(pos));
        this.partialLength += chunk.length - pos;
        if (this.partialLength > MAX_LINE) {
          this.lost = true;
          out.push({ kind: 'line', data: this.takePartial() });
        }
        break;
      }
      this.partial.push(chunk.subarray(pos, nl + 1));
      this.partialLength += nl + 1 - pos;
      pos = nl + 1;
      const data = this.takePartial();
      const m = LITERAL_AT_END.exec(data.subarray(Math.max(0, data.length - 32)).toString('latin1'));
      if (!m) {
        out.push({ kind: 'line', data });
        continue;
      }
      const size = Number(m[1]);
      out.push({ kind: 'line', data, literal: { size, sync: !m[2] } });
      this.literalLeft = size;
      if (size === 0) out.push({ kind: 'literal', data: Buffer.alloc(0), end: true });
    }
    return out;
  }

  /** The peer will not send the literal announced last (the command was answered before `+`). */
  cancelLiteral(): void {
    this.literalLeft = 0;
  }

  private takePartial(): Buffer {
    const data = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
    this.partial = [];
    this.partialLength = 0;
    return data;
  }
}

// ---------------------------------------------------------------------------------------------
// Faults

class Rule<S> {
  matched = 0;
  fired = 0;
  cancelled = false;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(
    readonly spec: S,
    private readonly nth: number,
    private readonly times: number,
  ) {}

  get active(): boolean {
    return !this.cancelled && this.fired < this.times;
  }

  /** Counts a match; true when this one fires. */
  take(): boolean {
    if (!this.active) return false;
    this.matched++;
    if (this.matched < this.nth) return false;
    this.fired++;
    for (const w of this.waiters.filter((x) => this.fired >= x.n)) w.resolve();
    this.waiters = this.waiters.filter((x) => this.fired < x.n);
    return true;
  }

  handle(onCancel: () => void): FaultHandle {
    const whenFired = (n = 1) =>
      this.fired >= n ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    const counts = () => ({ matched: this.matched, fired: this.fired });
    return {
      get matched() {
        return counts().matched;
      },
      get fired() {
        return counts().fired;
      },
      whenFired,
      cancel: () => {
        this.cancelled = true;
        onCancel();
      },
    };
  }
}

interface Trigger {
  direction: Direction;
  /** Fires when the connection's byte count in `direction` reaches this. */
  at: number;
  fire(): void;
}

interface CommandState {
  tag: string;
  text: string;
  rule?: Rule<CommandFault>;
  /** Rules with a literal test, decided when the command is complete. */
  candidates: Rule<CommandFault>[];
  swallow: boolean;
  /** Pieces held while a literal test is pending. */
  held?: Piece[];
  literals: Buffer[][];
}

function matchesCommand(pattern: string | RegExp, text: string): boolean {
  return typeof pattern === 'string'
    ? text.toUpperCase().startsWith(pattern.toUpperCase())
    : pattern.test(text);
}

function crlf(text: string): Buffer {
  const lines = text.split(/\r?\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
}

// ---------------------------------------------------------------------------------------------
// One proxied connection

class Link {
  private readonly bytes: Record<Direction, number> = { toServer: 0, toClient: 0 };
  private readonly up = new ImapFramer();
  private readonly down = new ImapFramer();
  private triggers: Trigger[] = [];
  private readonly replyWatch = new Map<string, Rule<CommandFault>>();
  private cmd?: CommandState;
  /** The last command this connection recorded (an AUTHENTICATE is followed by its SASL answers). */
  private lastSeen?: SeenCommand;
  private opaque: boolean;
  private halted = false;
  private startTlsTag?: string;
  private heldReply?: { line: Buffer; chunks: Buffer[] };
  closed = false;

  constructor(
    readonly id: number,
    private readonly proxy: Proxy,
    readonly client: net.Socket,
    readonly server: net.Socket,
  ) {
    this.opaque = !proxy.inspect;
    for (const r of proxy.byteRules) this.armByteRule(r, true);
    client.on('data', (d: Buffer) => this.fromClient(d));
    server.on('data', (d: Buffer) => this.fromServer(d));
    const end = () => this.close();
    // A stalled link keeps the client open even when the server gives up: that is the half-open case.
    client.on('close', end);
    server.on('close', () => {
      if (!this.halted) end();
    });
    client.on('error', () => undefined);
    server.on('error', () => undefined);
  }

  armByteRule(rule: Rule<ByteFault>, fromStart: boolean): void {
    const { direction, bytes, action } = rule.spec;
    this.triggers.push({
      direction,
      at: (fromStart ? 0 : this.bytes[direction]) + bytes,
      fire: () => {
        if (rule.take()) this.act(action, direction);
      },
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.server.destroy();
    this.proxy.links.delete(this);
  }

  cut(): void {
    this.act('cut', 'toServer');
  }

  stall(): void {
    this.act('stall', 'toServer');
  }

  // -- client to server

  private fromClient(chunk: Buffer): void {
    if (this.halted || this.closed) return;
    if (!this.opaque && this.bytes.toServer === 0 && chunk[0] === 0x16) this.opaque = true; // a TLS ClientHello
    if (this.opaque || this.up.lost) {
      this.forward('toServer', chunk);
      return;
    }
    for (const p of this.up.push(chunk)) {
      if (this.halted || this.closed) return;
      if (this.opaque) {
        this.forward('toServer', p.data);
        continue;
      }
      if (p.kind === 'line') {
        if (!this.cmd) this.startCommand(p.data);
        if (this.cmd) this.commandLine(this.cmd, p);
      } else if (this.cmd) {
        this.commandLiteral(this.cmd, p);
      } else {
        this.forward('toServer', p.data);
      }
    }
  }

  private startCommand(line: Buffer): void {
    const text = line.toString('latin1').replace(/\r?\n$/, '');
    const space = text.indexOf(' ');
    const tag = space === -1 ? text : text.slice(0, space);
    const rest = space === -1 ? '' : text.slice(space + 1);
    const cmd: CommandState = { tag, text: rest, candidates: [], swallow: false, literals: [] };
    this.cmd = cmd;
    // Credentials stay out of the log: LOGIN keeps its name, AUTHENTICATE its mechanism, and the
    // client's answer to an AUTHENTICATE continuation (one word, base64: no tag and no command)
    // is not a command at all.
    const secret = /^(LOGIN|AUTHENTICATE \S+)/i.exec(rest);
    const saslAnswer =
      space === -1 && this.lastSeen !== undefined && /^AUTHENTICATE /i.test(this.lastSeen.text);
    if (!saslAnswer) {
      this.lastSeen = {
        connection: this.id,
        tag,
        text: secret ? `${secret[1]} ...` : rest.slice(0, 200),
        at: Date.now(),
      };
      this.proxy.seen.push(this.lastSeen);
    }
    for (const rule of this.proxy.commandRules) {
      if (!rule.active || !matchesCommand(rule.spec.command, rest)) continue;
      if (rule.spec.literal) {
        cmd.candidates.push(rule);
        continue;
      }
      if (rule.take()) {
        cmd.rule = rule;
        break;
      }
    }
    if (cmd.rule) {
      cmd.candidates = [];
      this.armCommand(cmd, true);
    } else if (cmd.candidates.length > 0) {
      cmd.held = [];
    }
  }

  /** Applies the fault of a command decided at its start (`head`) or once held whole. */
  private armCommand(cmd: CommandState, head: boolean): void {
    const rule = cmd.rule;
    if (!rule) return;
    const at = rule.spec.at ?? 'before';
    const action = rule.spec.action;
    if (at === 'before') {
      if (typeof action === 'object') {
        cmd.swallow = true;
        if (!head) this.respond(cmd, action);
      } else {
        this.act(action, 'toServer');
      }
    } else if (typeof at === 'object' && 'clientBytes' in at) {
      const a = this.simpleAction(action);
      this.triggers.push({
        direction: 'toServer',
        at: this.bytes.toServer + at.clientBytes,
        fire: () => this.act(a, 'toServer'),
      });
    }
  }

  private simpleAction(action: FaultAction): 'cut' | 'stall' {
    if (typeof action === 'object')
      throw new Error('fault-proxy: respond is only possible with at: "before"');
    return action;
  }

  private commandLine(cmd: CommandState, p: Extract<Piece, { kind: 'line' }>): void {
    if (cmd.swallow) {
      // A synchronizing literal may be answered instead of `+` (RFC 3501 7.5): the client stops there.
      if (!p.literal || p.literal.sync) {
        if (p.literal) this.up.cancelLiteral();
        this.respond(cmd, cmd.rule!.spec.action as { respond: string; close?: boolean });
      }
      return;
    }
    if (cmd.held) {
      cmd.held.push(p);
      if (p.literal) {
        cmd.literals.push([]);
        if (p.literal.sync) this.inject(Buffer.from('+ proxy holds the command\r\n'));
      } else {
        this.releaseHeld(cmd);
      }
      return;
    }
    this.forward('toServer', p.data);
    if (!p.literal) this.endCommand(cmd);
  }

  private commandLiteral(cmd: CommandState, p: Extract<Piece, { kind: 'literal' }>): void {
    if (cmd.swallow) return;
    if (cmd.held) {
      cmd.held.push(p);
      cmd.literals[cmd.literals.length - 1]?.push(p.data);
      return;
    }
    this.forward('toServer', p.data);
  }

  /** The held command is complete: decide its literal faults, then answer it or send it on. */
  private releaseHeld(cmd: CommandState): void {
    const held = cmd.held ?? [];
    cmd.held = undefined;
    const literals = cmd.literals.map((parts) => Buffer.concat(parts));
    for (const rule of cmd.candidates) {
      if (rule.active && literals.some((l) => rule.spec.literal!(l)) && rule.take()) {
        cmd.rule = rule;
        break;
      }
    }
    this.armCommand(cmd, false);
    if (cmd.swallow || this.halted) {
      this.cmd = undefined;
      return;
    }
    for (const p of held) {
      if (p.kind === 'line' && p.literal?.sync) {
        // The client already had its `+` from us; the server must not send another.
        const text = p.data.toString('latin1').replace(/\{(\d+)\}(\r?\n)$/, '{$1+}$2');
        this.forward('toServer', Buffer.from(text, 'latin1'));
      } else {
        this.forward('toServer', p.data);
      }
      if (this.halted) return;
    }
    this.endCommand(cmd);
  }

  private endCommand(cmd: CommandState): void {
    this.cmd = undefined;
    if (/^STARTTLS$/i.test(cmd.text.trim())) this.startTlsTag = cmd.tag;
    const rule = cmd.rule;
    if (!rule || this.halted) return;
    const at = rule.spec.at ?? 'before';
    if (at === 'sent') this.act(this.simpleAction(rule.spec.action), 'toServer');
    else if (at === 'reply') this.replyWatch.set(cmd.tag, rule);
    else if (typeof at === 'object' && 'serverBytes' in at) {
      const a = this.simpleAction(rule.spec.action);
      this.triggers.push({
        direction: 'toClient',
        at: this.bytes.toClient + at.serverBytes,
        fire: () => this.act(a, 'toClient'),
      });
    }
  }

  private respond(cmd: CommandState, action: { respond: string; close?: boolean }): void {
    this.cmd = undefined;
    this.inject(crlf(action.respond.replaceAll('{tag}', cmd.tag)));
    if (action.close) this.act('cut', 'toClient');
  }

  // -- server to client

  private fromServer(chunk: Buffer): void {
    if (this.halted || this.closed) return;
    if (this.opaque || this.down.lost) {
      this.forward('toClient', chunk);
      return;
    }
    for (const p of this.down.push(chunk)) {
      if (this.halted || this.closed) return;
      if (this.opaque) {
        this.forward('toClient', p.data);
        continue;
      }
      if (p.kind === 'literal') {
        if (this.heldReply) {
          this.heldReply.chunks.push(p.data);
          if (p.end) this.releaseLiteral();
        } else {
          this.forward('toClient', p.data);
        }
        continue;
      }
      let data = p.data;
      if (this.proxy.hidden.size > 0 && /CAPABILITY/i.test(data.toString('latin1')))
        data = this.hideCaps(data);
      const text = data.toString('latin1');
      const tag = text.slice(0, Math.max(0, text.indexOf(' ')));
      const watched = this.replyWatch.get(tag);
      if (watched) {
        this.replyWatch.delete(tag);
        this.act(this.simpleAction(watched.spec.action), 'toClient');
        return;
      }
      if (p.literal && this.proxy.rewrite && p.literal.size > 0) {
        this.heldReply = { line: data, chunks: [] };
        continue;
      }
      this.forward('toClient', data);
      if (this.startTlsTag && tag === this.startTlsTag) {
        this.startTlsTag = undefined;
        // After STARTTLS's OK the stream is TLS: nothing more to read.
        if (/^\S+ OK/i.test(text)) this.opaque = true;
      }
    }
  }

  private releaseLiteral(): void {
    const held = this.heldReply!;
    this.heldReply = undefined;
    const data = Buffer.concat(held.chunks);
    const out = this.proxy.rewrite?.(data) ?? data;
    const line = held.line.toString('latin1').replace(/\{\d+\}(\r?\n)$/, `{${out.length}}$1`);
    this.forward('toClient', Buffer.from(line, 'latin1'));
    this.forward('toClient', out);
  }

  private hideCaps(line: Buffer): Buffer {
    let text = line.toString('latin1');
    for (const name of this.proxy.hidden) {
      text = text.replace(
        new RegExp(` ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[ \\]\\r])`, 'gi'),
        '',
      );
    }
    return Buffer.from(text, 'latin1');
  }

  // -- forwarding, byte faults, latency

  /** Sends bytes on, splitting them where a byte trigger falls. */
  private forward(direction: Direction, data: Buffer): void {
    let rest = data;
    for (;;) {
      if (this.halted || this.closed) return;
      const next = this.nextTrigger(direction);
      const left = next ? next.at - this.bytes[direction] : Infinity;
      if (left > rest.length) {
        this.write(direction, rest);
        return;
      }
      const head = rest.subarray(0, Math.max(0, left));
      if (head.length > 0) this.write(direction, head);
      rest = rest.subarray(head.length);
      this.triggers = this.triggers.filter((t) => t !== next);
      next!.fire();
      if (rest.length === 0) return;
    }
  }

  private nextTrigger(direction: Direction): Trigger | undefined {
    let best: Trigger | undefined;
    for (const t of this.triggers) if (t.direction === direction && (!best || t.at < best.at)) best = t;
    return best;
  }

  /** Bytes the proxy itself says to the client (`+`, an answer); they count like the server's. */
  private inject(data: Buffer): void {
    this.write('toClient', data);
  }

  private write(direction: Direction, data: Buffer): void {
    this.bytes[direction] += data.length;
    const [from, to] = direction === 'toServer' ? [this.client, this.server] : [this.server, this.client];
    this.proxy.later(direction, () => {
      if (to.destroyed) return;
      if (!to.write(data) && !from.isPaused()) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
  }

  /** Cuts or stalls, after the bytes already forwarded in `direction` have arrived. */
  private act(action: 'cut' | 'stall', direction: Direction): void {
    if (this.halted) return;
    this.halted = true;
    if (action === 'cut') this.proxy.later(direction, () => this.close());
  }
}

// ---------------------------------------------------------------------------------------------
// The proxy

class Proxy implements FaultProxy {
  readonly host = '127.0.0.1' as const;
  port = 0;
  accepted = 0;
  readonly acceptedAt: number[] = [];
  refused = 0;
  latency: { toServer: number; toClient: number };
  readonly inspect: boolean;
  readonly links = new Set<Link>();
  readonly seen: SeenCommand[] = [];
  commandRules: Rule<CommandFault>[] = [];
  byteRules: Rule<ByteFault>[] = [];
  hidden = new Set<string>();
  rewrite?: (data: Buffer) => Buffer | undefined;
  private refusal?: { rule: Rule<RefuseOptions>; until: number; left: number };
  private relisten?: NodeJS.Timeout;
  private readonly server: net.Server;
  private listening = false;
  private stopped = false;

  constructor(private readonly opts: FaultProxyOptions) {
    const l = opts.latencyMs ?? 0;
    this.latency =
      typeof l === 'number'
        ? { toServer: l, toClient: l }
        : { toServer: l.toServer ?? 0, toClient: l.toClient ?? 0 };
    this.inspect = opts.inspect ?? true;
    this.server = net.createServer((socket) => this.onConnection(socket));
  }

  get open(): number {
    return this.links.size;
  }

  get commands(): readonly SeenCommand[] {
    return this.seen;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
  }

  /** Runs `fn` after the latency of `direction` (in order: equal delays fire first-in first-out). */
  later(direction: Direction, fn: () => void): void {
    const ms = this.latency[direction];
    if (ms > 0) setTimeout(fn, ms);
    else fn();
  }

  private onConnection(client: net.Socket): void {
    this.accepted++;
    this.acceptedAt.push(Date.now());
    client.on('error', () => undefined);
    if (this.stopped) {
      client.destroy();
      return;
    }
    const r = this.refusal;
    if (r && (r.left <= 0 || Date.now() >= r.until)) this.accept();
    else if (r) {
      r.left--;
      this.refused++;
      r.rule.take();
      const mode = r.rule.spec.mode ?? 'reset';
      if (mode === 'bye') {
        client.end(crlf(r.rule.spec.line ?? '* BYE [UNAVAILABLE] Too many connections, try again later'));
      } else if (mode === 'close') {
        client.destroy();
      } else {
        client.resetAndDestroy();
      }
      return;
    }
    client.setNoDelay(true);
    const server = net.connect({ host: this.opts.target.host, port: this.opts.target.port });
    server.setNoDelay(true);
    this.links.add(new Link(this.accepted, this, client, server));
  }

  onCommand(fault: CommandFault): FaultHandle {
    const rule = new Rule(fault, fault.nth ?? 1, fault.times ?? 1);
    this.commandRules.push(rule);
    return rule.handle(() => (this.commandRules = this.commandRules.filter((r) => r !== rule)));
  }

  onBytes(fault: ByteFault): FaultHandle {
    const rule = new Rule(fault, 1, fault.times ?? 1);
    this.byteRules.push(rule);
    for (const link of this.links) link.armByteRule(rule, false);
    return rule.handle(() => (this.byteRules = this.byteRules.filter((r) => r !== rule)));
  }

  refuse(opts: RefuseOptions = {}): FaultHandle {
    this.accept();
    const rule = new Rule(opts, 1, Infinity);
    const until = opts.forMs !== undefined ? Date.now() + opts.forMs : Infinity;
    if (opts.mode === 'unlisten') {
      this.server.close();
      this.listening = false;
      if (opts.forMs !== undefined) this.relisten = setTimeout(() => this.accept(), opts.forMs);
      this.refusal = { rule, until, left: Infinity };
    } else {
      this.refusal = { rule, until, left: opts.count ?? Infinity };
      if (opts.forMs !== undefined && opts.count === undefined) this.refusal.left = Infinity;
    }
    return rule.handle(() => this.accept());
  }

  accept(): void {
    if (this.relisten) clearTimeout(this.relisten);
    this.relisten = undefined;
    const was = this.refusal;
    this.refusal = undefined;
    if (was?.rule.spec.mode === 'unlisten' && !this.listening && !this.stopped) {
      void this.listen(this.port);
    }
  }

  hideCapabilities(names: string[]): void {
    for (const n of names) this.hidden.add(n.toUpperCase());
  }

  rewriteServerLiterals(fn: ((data: Buffer) => Buffer | undefined) | undefined): void {
    this.rewrite = fn;
  }

  cutAll(): void {
    for (const l of [...this.links]) l.cut();
  }

  stallAll(): void {
    for (const l of [...this.links]) l.stall();
  }

  clearFaults(): void {
    this.commandRules = [];
    this.byteRules = [];
    this.hidden.clear();
    this.rewrite = undefined;
    this.accept();
  }

  count(command: string | RegExp): number {
    return this.seen.filter((c) => matchesCommand(command, c.text)).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relisten) clearTimeout(this.relisten);
    for (const l of [...this.links]) l.close();
    if (this.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.listening = false;
  }
}

/**
 * Starts a fault proxy in front of `target`.
 * @returns the proxy, listening on 127.0.0.1; call `stop()` when done.
 */
export async function createFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new Proxy(opts);
  await proxy.listen(opts.port ?? 0);
  return proxy;
}
