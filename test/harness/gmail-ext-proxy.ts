/**
 * A test-only proxy on 127.0.0.1 that puts Gmail's IMAP extensions (X-GM-EXT-1) in front of a
 * Gmail-shaped Dovecot (gmail-shape.ts), as Google documents them at
 * https://developers.google.com/workspace/gmail/imap/imap-extensions:
 *  - CAPABILITY (the greeting's code, the untagged response and the login's code) gains `X-GM-EXT-1`;
 *    OBJECTID is hidden, since a client that sees both prefers OBJECTID (imapflow does);
 *  - FETCH items `X-GM-MSGID`, `X-GM-THRID` (decimal 64-bit unsigned integers) and `X-GM-LABELS`
 *    (a parenthesised list of astrings, modified UTF-7) are answered from a GmailLabelTable keyed by
 *    Message-ID: the proxy replaces them in the command by `BODY.PEEK[HEADER]`, reads the
 *    Message-ID from Dovecot's answer, drops that header item again (unless the client asked for it)
 *    and splices the X-GM items into each untagged FETCH response, literals untouched;
 *  - SEARCH keys `X-GM-MSGID n` and `X-GM-THRID n` become `HEADER Message-ID` criteria; `X-GM-RAW`
 *    (Gmail's web search syntax) is refused, since no honest emulation of it exists here;
 *  - like Gmail, X-GM-LABELS leaves out the label of the selected folder: in `Klienci/ACME` a message
 *    does not show `Klienci/ACME` (recorded by gmailbuttons issue 10 and fdm pull request 151);
 *    All Mail is no label, so there every label shows.
 * Plain-text connections only (point clients at the Dovecot plain port through it); a TLS stream is
 * forwarded untouched. Not emulated: STORE of X-GM-LABELS, and label changes from APPEND or COPY
 * (the table says what the seed put there).
 */
import net from 'node:net';
import iconv from 'iconv-lite';
import { ImapFramer, type Piece } from './fault-proxy.js';
import {
  formatLabel,
  gmailId,
  messageKey,
  type GmailLabelTable,
  type GmailMessageFacts,
} from './gmail-labels.js';
import {
  formatFetchCommand,
  formatFetchResponse,
  parseFetchCommand,
  parseFetchResponse,
  stringValue,
  type FetchItem,
} from './imap-fetch-text.js';

export interface GmailExtProxyOptions {
  target: { host: string; port: number };
  table: GmailLabelTable;
  /** Leave the selected folder's own label out of X-GM-LABELS, as Gmail does (default true). */
  omitSelectedLabel?: boolean;
  /** `quoted` (`"\\Inbox"`, as recorded from Gmail) or `flag` (`\Inbox`, as in Google's examples). */
  systemLabelStyle?: 'quoted' | 'flag';
  /** Port to listen on; a free one by default. */
  port?: number;
}

export interface GmailExtProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** FETCH responses the proxy answered X-GM items in. */
  readonly splicedResponses: number;
  /** Connections currently open. */
  readonly open: number;
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

type XgmItem = 'X-GM-MSGID' | 'X-GM-THRID' | 'X-GM-LABELS';
const XGM_ITEMS: readonly XgmItem[] = ['X-GM-THRID', 'X-GM-MSGID', 'X-GM-LABELS'];
const HEADER_ITEMS = /^(BODY(\.PEEK)?\[HEADER\]|RFC822\.HEADER)$/i;

/** A FETCH the proxy rewrote, until its tagged completion. */
interface FetchRewrite {
  tag: string;
  want: Set<XgmItem>;
  /** The response item holding the header (`BODY[HEADER]` or `RFC822.HEADER`). */
  headerItem: string;
  /** The proxy added the header item itself: it is removed from the answer again. */
  dropHeader: boolean;
}

function lineText(data: Buffer): string {
  return data.toString('latin1').replace(/\r?\n$/, '');
}

/** A mailbox argument (quoted string or atom, modified UTF-7) as decoded text. */
function mailboxName(arg: string): string {
  const raw = arg.startsWith('"') ? arg.slice(1, -1).replace(/\\(.)/g, '$1') : arg;
  return iconv.decode(Buffer.from(raw, 'latin1'), 'utf-7-imap');
}

/** Adds X-GM-EXT-1 to a CAPABILITY response or response code and hides OBJECTID (RFC 8474). */
function withGmailCapability(text: string): string {
  const add = (caps: string) => {
    const list = caps.split(' ').filter((c) => c.toUpperCase() !== 'OBJECTID');
    if (!list.some((c) => c.toUpperCase() === 'X-GM-EXT-1')) list.push('X-GM-EXT-1');
    return list.join(' ');
  };
  return text
    .replace(/^(\* CAPABILITY )(.*)$/i, (_, head: string, caps: string) => head + add(caps))
    .replace(/\[CAPABILITY ([^\]]*)\]/i, (_, caps: string) => `[CAPABILITY ${add(caps)}]`);
}

class GmailLink {
  private readonly up = new ImapFramer();
  private readonly down = new ImapFramer();
  private upInCommand = false;
  private downInResponse = false;
  private opaque = false;
  private startTlsTag?: string;
  private selected?: string;
  private pendingSelect?: { tag: string; mailbox: string };
  private rewrite?: FetchRewrite;
  private held?: Buffer[];
  closed = false;

  constructor(
    private readonly proxy: Proxy,
    private readonly client: net.Socket,
    private readonly server: net.Socket,
  ) {
    client.on('data', (d: Buffer) => this.fromClient(d));
    server.on('data', (d: Buffer) => this.fromServer(d));
    client.on('close', () => this.close());
    server.on('close', () => this.close());
    client.on('error', () => undefined);
    server.on('error', () => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.server.destroy();
    this.proxy.links.delete(this);
  }

  // -- client to server

  private fromClient(chunk: Buffer): void {
    if (!this.opaque && chunk[0] === 0x16 && !this.upInCommand) this.opaque = true; // a TLS ClientHello
    if (this.opaque || this.up.lost) {
      this.server.write(chunk);
      return;
    }
    for (const p of this.up.push(chunk)) {
      if (p.kind === 'literal' || this.upInCommand) this.server.write(p.data);
      else this.command(p);
      if (p.kind === 'line') this.upInCommand = p.literal !== undefined;
    }
  }

  private command(p: Extract<Piece, { kind: 'line' }>): void {
    const text = lineText(p.data);
    const space = text.indexOf(' ');
    const tag = text.slice(0, Math.max(space, 0));
    const rest = text.slice(space + 1);
    if (space > 0 && !p.literal) {
      if (/^(UID\s+)?FETCH\s/i.test(rest) && /X-GM-/i.test(rest)) {
        const rewritten = this.rewriteFetch(tag, rest);
        if (rewritten) {
          this.server.write(`${tag} ${rewritten}\r\n`);
          return;
        }
      } else if (/^(UID\s+)?SEARCH\s/i.test(rest) && /X-GM-/i.test(rest)) {
        this.rewriteSearch(tag, rest);
        return;
      }
      this.noteState(tag, rest);
    }
    this.server.write(p.data);
  }

  /** Remembers what selects or deselects a folder, and where TLS starts. */
  private noteState(tag: string, rest: string): void {
    const select = /^(?:SELECT|EXAMINE)\s+("(?:[^"\\]|\\.)*"|\S+)/i.exec(rest);
    if (select) {
      // RFC 3501 section 6.3.1: a SELECT first deselects whatever was selected, even when it fails.
      this.selected = undefined;
      this.pendingSelect = { tag, mailbox: mailboxName(select[1]!) };
    } else if (/^(CLOSE|UNSELECT)\b/i.test(rest)) {
      this.selected = undefined;
    } else if (/^STARTTLS\b/i.test(rest)) {
      this.startTlsTag = tag;
    }
  }

  private rewriteFetch(tag: string, rest: string): string | undefined {
    const cmd = parseFetchCommand(rest);
    if (!cmd) return undefined;
    const want = new Set<XgmItem>();
    cmd.items = cmd.items.filter((item) => {
      const upper = item.toUpperCase() as XgmItem;
      if (!XGM_ITEMS.includes(upper)) return true;
      want.add(upper);
      return false;
    });
    const own = cmd.items.find((i) => HEADER_ITEMS.test(i));
    if (!own) cmd.items.push('BODY.PEEK[HEADER]');
    const headerItem = own && /^RFC822/i.test(own) ? 'RFC822.HEADER' : 'BODY[HEADER]';
    this.rewrite = { tag, want, headerItem, dropHeader: !own };
    return formatFetchCommand(cmd);
  }

  private rewriteSearch(tag: string, rest: string): void {
    if (/X-GM-RAW/i.test(rest)) {
      this.client.write(`${tag} BAD X-GM-RAW is not emulated by the test proxy\r\n`);
      return;
    }
    const table = this.proxy.opts.table;
    const criteria = (keys: string[]) => {
      const ids = keys.filter((k) => k.startsWith('<'));
      if (ids.length === 0) return 'HEADER Message-ID "<no-such-message@x-gm-ext.invalid>"';
      const one = (id: string) => `HEADER Message-ID "${id.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      return ids.slice(1).reduce((acc, id) => `OR ${one(id)} ${acc}`, one(ids[0]!));
    };
    const text = rest.replace(/X-GM-(MSGID|THRID)\s+(\d+)/gi, (_, kind: string, n: string) => {
      const id = BigInt(n);
      const keys = table.keysWhere((f) => (kind.toUpperCase() === 'MSGID' ? f.msgid : f.thrid) === id);
      return `(${criteria(keys)})`;
    });
    this.server.write(`${tag} ${text}\r\n`);
  }

  // -- server to client

  private fromServer(chunk: Buffer): void {
    if (this.opaque || this.down.lost) {
      this.client.write(chunk);
      return;
    }
    for (const p of this.down.push(chunk)) {
      if (this.held) {
        this.held.push(p.data);
        if (p.kind === 'line' && !p.literal) this.releaseHeld();
        continue;
      }
      if (p.kind === 'literal' || this.downInResponse) this.client.write(p.data);
      else this.response(p);
      if (p.kind === 'line') this.downInResponse = p.literal !== undefined && !this.held;
    }
  }

  private response(p: Extract<Piece, { kind: 'line' }>): void {
    const text = lineText(p.data);
    if (this.rewrite && /^\* \d+ FETCH \(/i.test(text)) {
      this.held = [p.data];
      if (!p.literal) this.releaseHeld();
      return;
    }
    const tag = text.slice(0, Math.max(text.indexOf(' '), 0));
    if (this.rewrite?.tag === tag) this.rewrite = undefined;
    if (this.pendingSelect?.tag === tag) {
      if (/^\S+ OK/i.test(text)) this.selected = this.pendingSelect.mailbox;
      this.pendingSelect = undefined;
    }
    if (/CAPABILITY/i.test(text)) {
      this.client.write(`${withGmailCapability(text)}\r\n`);
      return;
    }
    this.client.write(p.data);
    if (this.startTlsTag === tag) {
      this.startTlsTag = undefined;
      if (/^\S+ OK/i.test(text)) this.opaque = true;
    }
  }

  /** A whole FETCH response was held: answer the X-GM items in it and send it on. */
  private releaseHeld(): void {
    const data = Buffer.concat(this.held ?? []);
    this.held = undefined;
    this.client.write(this.splice(data) ?? data);
  }

  private splice(data: Buffer): Buffer | undefined {
    const rewrite = this.rewrite;
    if (!rewrite) return undefined;
    let parsed;
    try {
      parsed = parseFetchResponse(data);
    } catch {
      return undefined;
    }
    const header = parsed?.items.find((i) => i.name.toUpperCase() === rewrite.headerItem);
    const headerBytes = header && stringValue(header);
    if (!parsed || !header || !headerBytes) return undefined;
    const facts = this.factsOf(messageKey(headerBytes));
    const kept = parsed.items.filter((i: FetchItem) => !(rewrite.dropHeader && i === header));
    const added = XGM_ITEMS.filter((x) => rewrite.want.has(x)).map((x) => Buffer.from(this.item(x, facts)));
    this.proxy.spliced++;
    return formatFetchResponse(parsed.seq, [...added, ...kept.map((i) => i.raw)]);
  }

  /** What Gmail knows of the message; one the table lacks is only in the selected folder. */
  private factsOf(key: string): GmailMessageFacts {
    const known = this.proxy.opts.table.get(key);
    if (known) return known;
    const id = gmailId(key);
    const here = this.selected && this.proxy.opts.table.labelOfFolder(this.selected);
    return { msgid: id, thrid: id, labels: here ? [here] : [] };
  }

  private item(name: XgmItem, facts: GmailMessageFacts): string {
    if (name === 'X-GM-MSGID') return `X-GM-MSGID ${facts.msgid}`;
    if (name === 'X-GM-THRID') return `X-GM-THRID ${facts.thrid}`;
    const { table, omitSelectedLabel = true, systemLabelStyle = 'quoted' } = this.proxy.opts;
    const hidden = omitSelectedLabel && this.selected ? table.labelOfFolder(this.selected) : undefined;
    const labels = facts.labels.filter((l) => l !== hidden).map((l) => formatLabel(l, systemLabelStyle));
    return `X-GM-LABELS (${labels.join(' ')})`;
  }
}

class Proxy implements GmailExtProxy {
  readonly host = '127.0.0.1' as const;
  port = 0;
  spliced = 0;
  readonly links = new Set<GmailLink>();
  private readonly server: net.Server;

  constructor(readonly opts: GmailExtProxyOptions) {
    this.server = net.createServer((client) => {
      client.on('error', () => undefined);
      const upstream = net.connect(opts.target.port, opts.target.host);
      this.links.add(new GmailLink(this, client, upstream));
    });
  }

  get splicedResponses(): number {
    return this.spliced;
  }

  get open(): number {
    return this.links.size;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
  }

  async stop(): Promise<void> {
    for (const l of [...this.links]) l.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Starts the X-GM-EXT-1 proxy in front of `target`.
 * @returns the proxy, listening on 127.0.0.1; call `stop()` when done.
 */
export async function startGmailExtProxy(opts: GmailExtProxyOptions): Promise<GmailExtProxy> {
  const proxy = new Proxy(opts);
  await proxy.listen(opts.port ?? 0);
  return proxy;
}
