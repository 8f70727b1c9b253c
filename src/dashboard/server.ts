/**
 * `mailshift dashboard`: a local web page of a plan's migration, live while a run or a sync goes
 * on. It reads the state database read-only and follows the events file; it never opens an IMAP
 * connection (this folder cannot import src/imap) and never writes (GET and HEAD only, a read-only
 * database connection).
 *
 * Bound to 127.0.0.1 by default, where it also checks the Host header (a web page elsewhere cannot
 * reach it through a DNS name pointing at 127.0.0.1). Bound to any other address it asks for a token:
 * the printed address carries it once, the page then keeps it in an HttpOnly, SameSite cookie.
 * Every response forbids loading anything from elsewhere (Content-Security-Policy), so the page
 * also works offline.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Lang } from '../core/units.js';
import { CheckpointStore } from '../state/checkpoint-store.js';
import { ScheduleStore } from '../state/schedule-store.js';
import { lockHolder, type StateDir } from '../state/state-dir.js';
import { EVENTS_FILE } from '../report/event-file-reporter.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './assets.js';
import { EventTail } from './event-tail.js';
import { LiveModel } from './live-model.js';
import { liveHtml, pageHtml, pageTitle } from './page.js';
import { buildSnapshot, type DashboardSnapshot } from './snapshot.js';

/** What the dashboard shows and where it listens. */
export interface DashboardOptions {
  state: StateDir;
  plan: { name: string; client?: string; accounts: readonly string[] };
  lang: Lang;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free one; the URL says which). */
  port?: number;
  /**
   * A token to ask for. Bound beyond loopback one is always asked for (default: a random one);
   * given here it is asked for on loopback too (a machine shared with other users).
   */
  token?: string;
  /** How often the state and the events are looked at (default 1000 ms). */
  pollMs?: number;
  /** Told about a failure to read the state (the page then shows what it had). */
  onError?: (err: Error) => void;
}

/** A running dashboard. */
export interface Dashboard {
  /** The address to open, with the token when one is needed. */
  url: string;
  /** The token, when bound beyond loopback. */
  token?: string;
  /** The numbers now (also at /api/snapshot). */
  snapshot(): DashboardSnapshot;
  close(): Promise<void>;
}

const COOKIE = 'mailshift_dashboard';

/** Nothing from anywhere but this server; no inline script or style; no framing; no forms. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return undefined;
}

/** Rebuilt at least this often even when no file changed: the rate, the time left and the lock move. */
const STALE_MS = 10_000;

/** Size and time of the files a snapshot comes from: when none changed, nothing is read again. */
function fingerprint(state: StateDir, events: string): string {
  return [state.db, `${state.db}-wal`, events, state.lock]
    .map((p) => {
      try {
        const s = statSync(p);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

/** The state, the events and their fold, read again on every poll. */
class Source {
  private readonly tail: EventTail;
  private readonly model = new LiveModel();
  private store: CheckpointStore | undefined;
  private schedule: ScheduleStore | undefined;
  private reported = false;

  constructor(private readonly opts: DashboardOptions) {
    this.tail = new EventTail(opts.state.dir);
  }

  snapshot(): DashboardSnapshot {
    for (const e of this.tail.read()) this.model.apply(e);
    this.openStores();
    const now = Date.now();
    try {
      return buildSnapshot({
        plan: this.opts.plan,
        ...(this.store ? { store: this.store } : {}),
        ...(this.schedule ? { schedule: this.schedule } : {}),
        live: this.model.view(now),
        running: lockHolder(this.opts.state) !== undefined,
        now,
      });
    } catch (err) {
      // The database was replaced or went away: open it again next time.
      this.closeStores();
      this.report(err as Error);
      return buildSnapshot({ plan: this.opts.plan, live: this.model.view(now), running: false, now });
    }
  }

  private openStores(): void {
    if (this.store || !existsSync(this.opts.state.db)) return;
    try {
      this.store = CheckpointStore.openReadOnly(this.opts.state.db).store;
      this.schedule = ScheduleStore.open(this.opts.state.db, { readonly: true });
    } catch (err) {
      this.closeStores();
      this.report(err as Error);
    }
  }

  private report(err: Error): void {
    if (this.reported) return;
    this.reported = true;
    this.opts.onError?.(err);
  }

  closeStores(): void {
    this.store?.close();
    this.schedule?.close();
    this.store = undefined;
    this.schedule = undefined;
  }
}

/**
 * Starts the dashboard.
 * @throws Error when the address cannot be listened on (in use, not local)
 */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  const token = opts.token ?? (loopback ? undefined : randomBytes(18).toString('base64url'));
  const source = new Source(opts);
  const clients = new Set<ServerResponse>();
  let current = source.snapshot();
  let currentHtml = liveHtml(current, opts.lang);
  const eventsFile = join(opts.state.dir, EVENTS_FILE);
  let seen = fingerprint(opts.state, eventsFile);
  let builtAt = Date.now();
  let port = 0;

  const send = (res: ServerResponse) =>
    res.write(
      `event: snapshot\ndata: ${JSON.stringify({ html: currentHtml, title: pageTitle(current, opts.lang), generatedAt: current.generatedAt })}\n\n`,
    );

  const refresh = () => {
    const now = fingerprint(opts.state, eventsFile);
    if (now === seen && Date.now() - builtAt < STALE_MS) return;
    seen = now;
    builtAt = Date.now();
    current = source.snapshot();
    const html = liveHtml(current, opts.lang);
    // Only the time changed: nothing to send (the page says when it was last updated).
    const changed =
      html.replace(/data-total="generated">[^<]*/, '') !==
      currentHtml.replace(/data-total="generated">[^<]*/, '');
    currentHtml = html;
    if (changed) for (const c of clients) send(c);
  };

  const allowed = (req: IncomingMessage, url: URL, res: ServerResponse): boolean => {
    if (loopback) {
      const names = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`];
      if (!names.includes(req.headers.host ?? '')) {
        reply(res, 421, 'text/plain', 'this dashboard answers only to its local address\n');
        return false;
      }
      if (!token) return true;
    }
    const given = url.searchParams.get('token');
    if (given !== null && token && sameSecret(given, token)) {
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        location: url.pathname,
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return false;
    }
    const cookie = cookieToken(req);
    if (cookie && token && sameSecret(cookie, token)) return true;
    reply(res, 401, 'text/plain', 'open the address mailshift printed (it carries the token)\n');
    return false;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'text/plain', 'the dashboard only reads\n', { allow: 'GET, HEAD' });
      return;
    }
    if (!allowed(req, url, res)) return;
    switch (url.pathname) {
      case '/':
      case '/index.html':
        return reply(res, 200, 'text/html; charset=utf-8', pageHtml(current, opts.lang));
      case '/dashboard.css':
        return reply(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      case '/dashboard.js':
        return reply(res, 200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
      case '/api/snapshot':
        return reply(res, 200, 'application/json', `${JSON.stringify(current, null, 2)}\n`);
      case '/favicon.ico':
        return reply(res, 204, 'image/x-icon', '');
      case '/events': {
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': 'text/event-stream',
          connection: 'keep-alive',
        });
        send(res);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      default:
        return reply(res, 404, 'text/plain', 'not found\n');
    }
  });

  const poll = setInterval(refresh, opts.pollMs ?? 1000);
  // A comment line now and then keeps proxies and browsers from closing an idle stream.
  const ping = setInterval(() => {
    for (const c of clients) c.write(': ping\n\n');
  }, 15_000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}/${token ? `?token=${token}` : ''}`;
  return {
    url,
    ...(token ? { token } : {}),
    snapshot: () => current,
    close: async () => {
      clearInterval(poll);
      clearInterval(ping);
      for (const c of clients) c.end();
      clients.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      source.closeStores();
    },
  };
}

function reply(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
