/**
 * The connection of mailshift's own IMAP clients (append-pipeline.ts, fetch-pipeline.ts): socket,
 * TLS or STARTTLS, login, tags, continuation requests and the inactivity timeout. Unlike imapflow it
 * lets the caller write many commands without waiting for their replies, and hands back one promise
 * per command.
 */
import net from 'node:net';
import tls from 'node:tls';
import { StoreError, type StoreErrorKind } from '../core/errors.js';
import { isThrottling } from './store-errors.js';
import {
  ImapResponseParser,
  parseCapabilities,
  type ImapResponse,
  type LiteralSink,
  type TaggedResponse,
} from './imap-response-parser.js';
import { bodyChunks, bodyLength } from '../core/body.js';
import { astring, type CommandPart } from './imap-syntax.js';

/** How to reach and log in to the destination server. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** `tls`: implicit TLS (port 993); `starttls`: upgrade a plain connection, refusing servers that do not offer it; `none`: plain text. */
  security: 'tls' | 'starttls' | 'none';
  /** Check the certificate chain and host name; false only for servers you trust (self-signed test servers). */
  tlsVerify: boolean;
  /** TLS server name (SNI and certificate check); defaults to `host` unless that is an IP address. */
  servername?: string;
  user: string;
  password: string;
  /** An OAuth2 access token: log in with AUTHENTICATE XOAUTH2 (Gmail, Microsoft 365) instead of the password. */
  accessToken?: string;
  /**
   * Act as this user while authenticating as `user` with `password` (an admin): SASL PLAIN with an
   * authorization identity (RFC 4616), as Dovecot master users and Cyrus admins accept.
   */
  authzid?: string;
  /** Longest silence accepted from the server while anything is awaited (connect, greeting, a reply). */
  timeoutMs: number;
  /**
   * Where a debug log gets the login, each command the server refuses (its words as it said them)
   * and how the connection ended; it must scrub the secret (connect.ts `imapLogger`).
   */
  log?: { debug(fields: object, message: string): void };
}

interface PendingCommand {
  tag: string;
  promise: Promise<TaggedResponse>;
  resolve(r: TaggedResponse): void;
  response?: TaggedResponse;
}

/** Literals at most this long may be non-synchronizing under LITERAL- (RFC 7888). */
const LITERAL_MINUS_MAX = 4096;

/** Socket errors that say the network failed, not the TLS handshake. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * One logged-in IMAP connection that can pipeline commands.
 * Every failure (socket error or close, timeout, `* BYE`, unparsable reply) is final: it rejects all
 * that is awaited with the same {@link StoreError} and destroys the socket.
 */
export class ImapConnection {
  /** The server's capabilities, upper-cased; after login, the post-login list. */
  capabilities: ReadonlySet<string> = new Set();
  private capabilityUpdates = 0;
  private socket!: net.Socket;
  private readonly parser: ImapResponseParser;
  /** Called with every untagged response after the greeting (EXISTS, FETCH data, OK [UIDVALIDITY]...). */
  onUntagged?: (r: ImapResponse & { kind: 'untagged' }) => void;
  /**
   * Called with every tagged reply as it is read, before its promise settles: a client that
   * pipelines commands learns which command the untagged responses that follow belong to.
   */
  onTagged?: (r: TaggedResponse) => void;
  private pending = new Map<string, PendingCommand>();
  private continuation?: { entry: PendingCommand; resolve(v: 'continue' | TaggedResponse): void };
  private greeting?: (r: ImapResponse) => void;
  private upgrading?: PendingCommand;
  private tlsHandshake = false;
  private nextTag = 1;
  private writeChain: Promise<void> = Promise.resolve();
  private waiting = 0;
  private bye?: ImapResponse & { kind: 'untagged' };
  private closing = false;
  private failure?: StoreError;
  private readonly failed: Promise<never>;
  private rejectFailed!: (e: StoreError) => void;

  private constructor(
    private readonly opts: ConnectOptions,
    keepLiterals: LiteralSink | undefined,
  ) {
    this.parser = new ImapResponseParser(keepLiterals);
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => undefined);
  }

  /**
   * Connects, upgrades with STARTTLS when asked, logs in and reads the post-login capabilities.
   * @param keepLiterals hand untagged responses' literals to `onUntagged` (message bodies), in buffers
   *   it allocates, instead of skipping them.
   * @throws StoreError `connection`, `tls` (certificate refused, STARTTLS not offered), `auth`.
   */
  static async open(opts: ConnectOptions, keepLiterals?: LiteralSink): Promise<ImapConnection> {
    const conn = new ImapConnection(opts, keepLiterals);
    try {
      await conn.start();
      return conn;
    } catch (e) {
      conn.destroy();
      throw e;
    }
  }

  /** `host:port`, for messages. */
  get address(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  /** The error that ended this connection, if it has ended. */
  get error(): StoreError | undefined {
    return this.failure;
  }

  /** False makes every literal synchronizing, whatever the server advertises (the most conservative wire form). */
  nonSyncAllowed = true;

  /** Whether a literal of this size may be sent without waiting for `+` (LITERAL+ or LITERAL-, as advertised). */
  nonSyncLiteral(size: number): boolean {
    if (!this.nonSyncAllowed) return false;
    if (this.capabilities.has('LITERAL+')) return true;
    return this.capabilities.has('LITERAL-') && size <= LITERAL_MINUS_MAX;
  }

  /**
   * Writes the commands back to back, in one corked write where no literal needs a `+` first, and
   * returns one promise per command, settled by its tagged reply. A synchronizing literal the server
   * answers with a tagged reply instead of `+` ends that command there (RFC 3501 section 7.5).
   * @returns promises rejecting with the connection's {@link StoreError} if it ends first.
   */
  send(commands: CommandPart[][]): Promise<TaggedResponse>[] {
    return this.sendTagged(commands).map((c) => c.reply);
  }

  /** {@link send}, also naming each command's tag (to match with {@link onTagged}). */
  sendTagged(commands: CommandPart[][]): { tag: string; reply: Promise<TaggedResponse> }[] {
    return this.register(commands).map((e) => ({ tag: e.tag, reply: this.guard(e.promise) }));
  }

  /** Sends one command; resolves with its tagged reply. */
  command(parts: CommandPart[]): Promise<TaggedResponse> {
    const [reply] = this.send([parts]);
    return reply as Promise<TaggedResponse>;
  }

  /** Sends LOGOUT (waiting at most the timeout) and closes the socket. Never throws. */
  async close(): Promise<void> {
    if (this.failure) return this.destroy();
    this.closing = true;
    try {
      await this.command(['LOGOUT']);
    } catch {
      /* the server may close before answering */
    }
    this.destroy();
  }

  /** Ends the connection at once; everything awaited rejects with a `connection` error. */
  destroy(): void {
    this.fail(this.makeError('connection', `connection to ${this.address} closed by the client`));
  }

  private async start(): Promise<void> {
    const { host, port, security } = this.opts;
    const greeting = new Promise<ImapResponse>((resolve) => {
      this.greeting = resolve;
    });
    if (security === 'tls') {
      this.tlsHandshake = true;
      this.attach(tls.connect(this.readingInto({ host, port, ...this.tlsOptions() })));
      this.socket.once('secureConnect', () => {
        this.tlsHandshake = false;
      });
    } else {
      // The plain phase of STARTTLS keeps 'data' events: the TLS socket takes over its stream.
      this.attach(net.connect(security === 'none' ? this.readingInto({ host, port }) : { host, port }));
    }
    const hello = await this.guard(greeting);
    if (hello.kind === 'untagged' && hello.keyword === 'BYE') {
      throw this.fail(
        this.makeError(
          isThrottling(hello.code?.name, hello.text) ? 'throttled' : 'connection',
          `${this.address} refused the connection: ${hello.text}`,
          undefined,
          hello.code?.name ?? 'BYE',
        ),
      );
    }
    const preauth = hello.kind === 'untagged' && hello.keyword === 'PREAUTH';
    if (security === 'starttls') {
      if (preauth) {
        throw this.makeError(
          'tls',
          `${this.address} logged us in before STARTTLS (PREAUTH); refusing to go on in plain text`,
        );
      }
      await this.refreshCapabilities();
      if (!this.capabilities.has('STARTTLS')) {
        throw this.makeError(
          'tls',
          `${this.address} does not offer STARTTLS; refusing to log in over plain text`,
        );
      }
      await this.startTls();
      this.capabilities = new Set();
    }
    if (!preauth) await this.login();
  }

  private tlsOptions(): tls.ConnectionOptions {
    const { host, servername, tlsVerify } = this.opts;
    const name = servername ?? (net.isIP(host) ? undefined : host);
    return { host, rejectUnauthorized: tlsVerify, ...(name ? { servername: name } : {}) };
  }

  private async startTls(): Promise<void> {
    const [entry] = this.register([['STARTTLS']]);
    // Dispatch must know this entry, to stop reading plain text the moment its OK arrives.
    this.upgrading = entry;
    const r = await this.guard((entry as PendingCommand).promise);
    if (r.status !== 'OK') {
      this.upgrading = undefined;
      throw this.makeError('tls', `${this.address} refused STARTTLS: ${r.text}`, undefined, r.code?.name);
    }
    const plain = this.socket;
    this.detach(plain);
    plain.on('error', () => undefined);
    this.tlsHandshake = true;
    const secure = tls.connect(this.readingInto({ socket: plain, ...this.tlsOptions() }));
    const ready = new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
    this.attach(secure);
    this.upgrading = undefined;
    await this.guard(ready);
    this.tlsHandshake = false;
  }

  private async login(): Promise<void> {
    const { host, user, password, authzid } = this.opts;
    await this.refreshCapabilities();
    if (this.capabilities.has('LOGINDISABLED')) {
      throw this.makeError(
        'auth',
        `${this.address} does not allow login on this connection (LOGINDISABLED); use TLS`,
      );
    }
    const before = this.capabilityUpdates;
    const secret = this.opts.accessToken ?? password;
    const r =
      this.opts.accessToken !== undefined
        ? await this.authenticateXoauth2(this.opts.accessToken)
        : authzid !== undefined
          ? await this.authenticatePlain(authzid)
          : this.capabilities.has('AUTH=PLAIN') && this.capabilities.has('SASL-IR')
            ? await this.command([
                `AUTHENTICATE PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`,
              ])
            : await this.command(['LOGIN ', ...astring(user), ' ', ...astring(password)]);
    if (r.status !== 'OK') {
      // Never echo the password, even if a server were to put it in its reply.
      const text = secret ? r.text.split(secret).join('***') : r.text;
      const as = authzid !== undefined ? `"${authzid}" through admin "${user}"` : `"${user}"`;
      throw this.makeError(
        'auth',
        `login to ${host}:${this.opts.port} as ${as} was refused: ${text}`,
        undefined,
        r.code?.name,
      );
    }
    // Dovecot sends the post-login list in the OK's CAPABILITY code; others need the command.
    if (this.capabilityUpdates === before) this.capabilities = new Set();
    await this.refreshCapabilities();
    this.opts.log?.debug(
      { address: this.address, capabilities: [...this.capabilities].join(' ') },
      'logged in',
    );
  }

  /**
   * AUTHENTICATE PLAIN with an authorization identity: `authzid NUL authcid NUL password` (RFC 4616
   * section 2), the admin's name and password acting as `authzid`. LOGIN has no place for it.
   */
  private authenticatePlain(authzid: string): Promise<TaggedResponse> {
    if (!this.capabilities.has('AUTH=PLAIN')) {
      throw this.makeError(
        'auth',
        `${this.address} does not offer AUTH=PLAIN, needed to log in as an admin with an authorization identity; use adminLogin: separator if it has master users`,
      );
    }
    const { user, password } = this.opts;
    return this.authenticate('PLAIN', Buffer.from(`${authzid}\0${user}\0${password}`).toString('base64'));
  }

  /**
   * AUTHENTICATE XOAUTH2 (Gmail, Microsoft 365). A refused token is first answered with
   * `+ <base64 JSON error>`, to which the client sends an empty line before the tagged NO (as for
   * OAUTHBEARER, RFC 7628 section 3.2.3).
   */
  private authenticateXoauth2(token: string): Promise<TaggedResponse> {
    if (!this.capabilities.has('AUTH=XOAUTH2')) {
      throw this.makeError(
        'auth',
        `${this.address} does not offer AUTH=XOAUTH2, needed to log in with a token`,
      );
    }
    const ir = Buffer.from(`user=${this.opts.user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
    return this.authenticate('XOAUTH2', ir);
  }

  /**
   * One SASL exchange whose client speaks once: with SASL-IR (RFC 4959) the response rides on the
   * command; otherwise it answers the server's first, empty `+`. Any further `+` is the server's
   * error report (XOAUTH2), answered with an empty response so that the tagged NO follows.
   */
  private async authenticate(mechanism: string, response: string): Promise<TaggedResponse> {
    const initial = this.capabilities.has('SASL-IR');
    const [entry] = this.register([
      [initial ? `AUTHENTICATE ${mechanism} ${response}` : `AUTHENTICATE ${mechanism}`],
    ]) as [PendingCommand];
    let pending = !initial;
    const answer = (v: 'continue' | TaggedResponse) => {
      if (v !== 'continue') return;
      this.socket.write(pending ? `${response}\r\n` : '\r\n');
      if (pending) {
        pending = false;
        this.continuation = { entry, resolve: answer };
      }
    };
    this.continuation = { entry, resolve: answer };
    try {
      return await this.guard(entry.promise);
    } finally {
      if (this.continuation?.entry === entry) this.continuation = undefined;
    }
  }

  private async refreshCapabilities(): Promise<void> {
    if (this.capabilities.size > 0) return;
    const r = await this.command(['CAPABILITY']);
    if (r.status !== 'OK' || this.capabilities.size === 0) {
      throw this.fail(this.makeError('protocol', `${this.address} did not list its capabilities: ${r.text}`));
    }
  }

  /** Gives each command a tag and queues its writing after the commands already queued. */
  private register(commands: CommandPart[][]): PendingCommand[] {
    const entries = commands.map(() => {
      const tag = `M${this.nextTag++}`;
      let resolve!: (r: TaggedResponse) => void;
      const promise = new Promise<TaggedResponse>((res) => {
        resolve = res;
      });
      const entry: PendingCommand = { tag, promise, resolve };
      this.pending.set(tag, entry);
      return entry;
    });
    const written = this.writeChain.then(() => this.write(entries, commands));
    this.writeChain = written.catch((e: unknown) => {
      this.fail(
        e instanceof StoreError ? e : this.makeError('protocol', `writing to ${this.address} failed`, e),
      );
    });
    return entries;
  }

  private async write(entries: PendingCommand[], commands: CommandPart[][]): Promise<void> {
    const socket = this.socket;
    let corked = false;
    const cork = (on: boolean) => {
      if (on === corked) return;
      if (on) socket.cork();
      else socket.uncork();
      corked = on;
    };
    try {
      for (const [i, entry] of entries.entries()) {
        if (this.failure) return;
        cork(true);
        let text = `${entry.tag} `;
        let refused = false;
        for (const part of commands[i] ?? []) {
          if (typeof part === 'string') {
            text += part;
            continue;
          }
          const size = bodyLength(part.literal);
          const sync = !this.nonSyncLiteral(size);
          socket.write(`${text}{${size}${sync ? '' : '+'}}\r\n`);
          text = '';
          if (sync) {
            cork(false);
            const answer = await this.waitContinuation(entry);
            if (answer !== 'continue') {
              refused = true;
              break;
            }
            cork(true);
          }
          for (const piece of bodyChunks(part.literal)) if (piece.length > 0) socket.write(piece);
        }
        if (!refused) socket.write(`${text}\r\n`);
      }
    } finally {
      cork(false);
    }
  }

  private waitContinuation(entry: PendingCommand): Promise<'continue' | TaggedResponse> {
    if (entry.response) return Promise.resolve(entry.response);
    return this.guard(
      new Promise<'continue' | TaggedResponse>((resolve) => {
        this.continuation = { entry, resolve };
      }),
    );
  }

  /** Races `p` against the end of the connection; while any guard is open, silence counts toward the timeout. */
  private guard<T>(p: Promise<T>): Promise<T> {
    this.waiting++;
    return Promise.race([p, this.failed]).finally(() => {
      this.waiting--;
    });
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('timeout', this.onTimeout);
    socket.setTimeout(this.opts.timeoutMs);
    // Writes are already grouped by cork/uncork; Nagle would hold back the short `{n}` line before
    // each synchronizing literal until the server's delayed ACK (tens of ms per message).
    socket.setNoDelay(true);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.off('timeout', this.onTimeout);
    socket.setTimeout(0);
  }

  /**
   * Every read lands in this one buffer (socket `onread`), is parsed at once and the buffer reused:
   * no garbage buffer per socket read, which at 150 MB/s kept ~60 MiB of dead chunks waiting for V8
   * to collect them.
   */
  private readonly reader = {
    buffer: Buffer.allocUnsafe(64 * 1024),
    callback: (n: number, buf: Uint8Array): boolean => {
      this.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
      return true;
    },
  };

  /**
   * `options` with {@link reader} as `onread`. tls.connect takes every socket.connect option (Node's
   * documentation of tls.connect) and then hands over the decrypted bytes; @types/node omits it there.
   */
  private readingInto<T extends object>(options: T): T {
    return Object.assign(options, { onread: this.reader });
  }

  /**
   * Whatever the server sends that this client refuses (a line or literal over its limits, a UID out
   * of range) ends the connection with a protocol error, never the process: this runs in a socket
   * callback, where a throw would be an uncaught exception.
   */
  private readonly onData = (chunk: Buffer): void => {
    try {
      this.receive(chunk);
    } catch (e) {
      this.fail(
        e instanceof StoreError
          ? e
          : this.makeError('protocol', `${this.address}: ${(e as Error).message}`, e),
      );
    }
  };

  private receive(chunk: Buffer): void {
    const responses = this.parser.push(chunk);
    for (const [i, r] of responses.entries()) {
      if (this.failure) return;
      this.dispatch(r);
      if (
        this.upgrading?.response?.status === 'OK' &&
        (i < responses.length - 1 || this.parser.buffered > 0)
      ) {
        // Anything after STARTTLS's OK was sent in plain text by someone: refuse it (CVE-2011-0411 class).
        this.fail(
          this.makeError(
            'tls',
            `${this.address} sent data after the STARTTLS reply; refusing the connection`,
          ),
        );
        return;
      }
    }
  }

  private dispatch(r: ImapResponse): void {
    switch (r.kind) {
      case 'continuation': {
        const waiter = this.continuation;
        if (!waiter) {
          this.fail(
            this.makeError(
              'protocol',
              `${this.address} sent a continuation request nobody asked for: ${r.text}`,
            ),
          );
          return;
        }
        this.continuation = undefined;
        waiter.resolve('continue');
        return;
      }
      case 'tagged': {
        const entry = this.pending.get(r.tag);
        if (!entry) {
          this.fail(
            this.makeError('protocol', `${this.address} answered an unknown tag "${r.tag}": ${r.text}`),
          );
          return;
        }
        this.pending.delete(r.tag);
        if (r.status !== 'OK') {
          const fields = { address: this.address, status: r.status, code: r.code?.name, response: r.text };
          this.opts.log?.debug(fields, 'IMAP command refused');
        }
        if (r.code?.name === 'CAPABILITY') this.setCapabilities(r.code.args);
        entry.response = r;
        this.onTagged?.(r);
        if (this.upgrading === entry && r.status === 'OK') this.socket.pause();
        entry.resolve(r);
        if (this.continuation?.entry === entry) {
          const waiter = this.continuation;
          this.continuation = undefined;
          waiter.resolve(r);
        }
        return;
      }
      case 'untagged': {
        if (r.keyword === 'CAPABILITY') this.setCapabilities(r.text);
        else if (r.code?.name === 'CAPABILITY') this.setCapabilities(r.code.args);
        if (r.keyword === 'BYE') this.bye = r;
        const greeting = this.greeting;
        this.greeting = undefined;
        if (greeting) greeting(r);
        else this.onUntagged?.(r);
        return;
      }
      case 'malformed':
        this.fail(
          this.makeError(
            'protocol',
            `${this.address} sent a line this client cannot parse: ${r.line.slice(0, 200)}`,
          ),
        );
    }
  }

  private setCapabilities(text: string): void {
    this.capabilities = parseCapabilities(text);
    this.capabilityUpdates++;
  }

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    const code = err.code;
    if (this.tlsHandshake && !(code && NETWORK_CODES.has(code))) {
      this.fail(
        this.makeError(
          'tls',
          `TLS with ${this.address} failed: ${err.message}${code ? ` (${code})` : ''}`,
          err,
          code,
        ),
      );
    } else {
      this.fail(
        this.makeError('connection', `connection to ${this.address} failed: ${err.message}`, err, code),
      );
    }
  };

  private readonly onClose = (): void => {
    if (this.closing) {
      this.fail(this.makeError('connection', `connection to ${this.address} closed by the client`));
    } else if (this.bye) {
      const code = this.bye.code?.name ?? 'BYE';
      this.fail(
        this.makeError(
          // "BYE Too many connections" (Dovecot, Gmail) asks for fewer connections, not a new one.
          isThrottling(code, this.bye.text) ? 'throttled' : 'connection',
          `${this.address} closed the connection: BYE ${this.bye.text}`,
          undefined,
          code,
          this.bye.text,
        ),
      );
    } else {
      this.fail(this.makeError('connection', `${this.address} closed the connection`));
    }
  };

  private readonly onTimeout = (): void => {
    if (this.waiting === 0) return;
    this.fail(
      this.makeError(
        'connection',
        `no answer from ${this.address} within ${this.opts.timeoutMs} ms`,
        undefined,
        'TIMEOUT',
      ),
    );
  };

  private makeError(
    kind: StoreErrorKind,
    message: string,
    cause?: unknown,
    code?: string,
    serverText?: string,
  ): StoreError {
    return new StoreError(message, {
      kind,
      responseCode: code,
      cause,
      ...(serverText ? { serverText } : {}),
    });
  }

  /** Ends the connection with `err` (the first failure wins) and returns it, for `throw this.fail(...)`. */
  private fail(err: StoreError): StoreError {
    if (this.failure) return this.failure;
    this.failure = err;
    if (!this.closing)
      this.opts.log?.debug({ address: this.address, err: err.message }, 'IMAP connection ended');
    this.rejectFailed(err);
    this.pending.clear();
    this.continuation = undefined;
    this.socket?.destroy();
    return err;
  }
}
