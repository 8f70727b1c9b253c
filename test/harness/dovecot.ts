/**
 * Starts real Dovecot servers for tests, the demo and the benchmark: each its own master process
 * (no systemd) on free loopback ports, with config, users, TLS certificate and mail in a temporary
 * folder. Two flavours mimic real providers:
 *  - `source`: a cPanel/Courier-style host, namespace prefix `INBOX.`, separator `.`, no SPECIAL-USE;
 *  - `destination`: a modern host, separator `/`, no prefix, SPECIAL-USE Sent/Drafts/Trash/Junk/Archive.
 * A `namespace` option replaces the flavour's folder layout with a provider's own (gmail-shape.ts,
 * m365-shape.ts): its separator, prefix and mailboxes with their special-use attributes.
 * Options add token logins (an oauth2 passdb asking an authorization server, see oauth-server.ts)
 * and admin logins (master users).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  rmSync,
  existsSync,
  chownSync,
  openSync,
  closeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { ConnectOptions } from '../../src/imap/imap-connection.js';
import { DOVECOT, ensureSystemPackages } from './system-deps.js';

/** Every temporary folder of ours starts with this, so a sweep can find strays. */
export const HARNESS_PREFIX = 'mailshift-dovecot-';

/**
 * Tags the servers of one test run (set by scripts/run-tests.ts), so that its final sweep stops
 * only what this run started, never the servers of another run on the same machine.
 */
function runTag(): string {
  return process.env.MAILSHIFT_HARNESS_RUN ?? 'adhoc';
}

export interface TestUser {
  user: string;
  password: string;
  /** Dovecot quota rule such as `*:storage=100K`; needs `quota: true` on the server. */
  quotaRule?: string;
}

/**
 * An imapflow client logged in to a harness server over plain text (the servers listen on
 * 127.0.0.1 only), for seeding and reading mailboxes in tests, the demo and the benchmark.
 */
export async function connectPlain(
  server: { host: string; port: number },
  user: string,
  pass: string,
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
    disableAutoIdle: true,
  });
  // An 'error' event without a listener would crash the process; failures surface through calls.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * The options of mailshift's own connection (src/imap) for `user` over plain text to a harness
 * server, or to a proxy in front of one: as `connectPlain`, for the project's client.
 */
export function plainOptions(
  at: { host: string; port: number },
  user: { user: string; password: string },
): ConnectOptions {
  return {
    host: at.host,
    port: at.port,
    security: 'none',
    tlsVerify: false,
    user: user.user,
    password: user.password,
    timeoutMs: 10_000,
  };
}

/** Dovecot 2.3's post-login capabilities, for `capabilities` lists that drop a few of them. */
const DOVECOT_CAPABILITIES =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS ' +
  'THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED ' +
  'I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE ' +
  'SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

/** Dovecot's capability list without `drop` (e.g. `MULTIAPPEND`, `LITERAL+`), for `capabilities`. */
export function capabilitiesWithout(...drop: string[]): string {
  return DOVECOT_CAPABILITIES.split(' ')
    .filter((c) => !drop.includes(c))
    .join(' ');
}

/**
 * One mailbox of a provider-shaped layout, written as a Dovecot `mailbox` section inside the
 * namespace: `special_use` is what LIST shows (RFC 6154; `\Important` is RFC 8457, which Dovecot
 * 2.3 knows), `auto = subscribe` creates it on first access and lists it as subscribed.
 */
export interface MailboxSetting {
  /** The name as the client sees it (separator included), UTF-8. */
  name: string;
  specialUse?: string;
  auto?: 'no' | 'create' | 'subscribe';
}

/** A whole namespace laid out like a provider's, replacing the flavour's layout. */
export interface NamespaceLayout {
  separator: string;
  prefix?: string;
  mailboxes: MailboxSetting[];
}

export interface DovecotOptions {
  flavor: 'source' | 'destination';
  /** Replaces the flavour's namespace with this layout (maildir, LAYOUT=fs). */
  namespace?: NamespaceLayout;
  /** The text of the greeting (`* OK [CAPABILITY ...] <greeting>`), as a provider words it. */
  greeting?: string;
  users: TestUser[];
  /** Replaces the capability list sent after login (e.g. to drop MULTIAPPEND or LITERAL+). */
  capabilities?: string;
  /** Enables the quota plugin (QUOTA capability, per-user rules from `quotaRule`). */
  quota?: boolean;
  /** Largest message accepted, advertised as APPENDLIMIT (needs `quota`). */
  maxMailSize?: string;
  /** fsync as a production server does; off by default to keep tests quick. */
  fsync?: boolean;
  /** Extra raw config appended at the end. */
  extraConfig?: string;
  /** Also accept OAuth2 bearer tokens (AUTHENTICATE XOAUTH2 and OAUTHBEARER), checked by introspection. */
  oauth2?: DovecotOAuth2;
  /** Admin logins (Dovecot master users): SASL PLAIN with an authorization identity, or `user*admin`. */
  masterUsers?: MasterUser[];
  /**
   * Answer refused logins at once: no `auth_failure_delay` (2 s) and no per-IP penalty (up to 15 s
   * after repeated failures), for tests that try many wrong credentials.
   * https://doc.dovecot.org/2.3/configuration_manual/authentication/auth_penalty/
   */
  noAuthDelay?: boolean;
}

/**
 * Dovecot 2.3's oauth2 passdb asking an authorization server about each token (RFC 7662): it posts
 * `token`, `client_id` and `client_secret`, then requires `active` to be `true`, the
 * `usernameAttribute` member to equal the login name and, with `scope`, that scope in the answer's
 * `scope`. https://doc.dovecot.org/2.3/configuration_manual/authentication/oauth2/
 */
export interface DovecotOAuth2 {
  /**
   * The introspection endpoint, or one per mailbox. Dovecot 2.3.19 (Debian 12) does not tell the
   * endpoint which mailbox is being opened (later versions post it as `user`), so an endpoint that
   * decides per mailbox (an app's token opens only the mailboxes it was given) needs a URL per
   * mailbox: each user then gets its own oauth2 passdb (`username_filter`) with its own URL.
   */
  introspectionUrl: string | ((mailbox: string) => string);
  /** Dovecot's credentials at the introspection endpoint (sent in the body, client_secret_post). */
  clientId: string;
  clientSecret: string;
  /** A scope the token must carry (Dovecot's `scope`); none checked when absent. */
  scope?: string;
  /** The introspection member naming the mailbox (Dovecot's `username_attribute`; default `email`). */
  usernameAttribute?: string;
}

/**
 * An admin who may log in as other users (a passdb with `master = yes`):
 * https://doc.dovecot.org/2.3/configuration_manual/authentication/master_users/
 */
export interface MasterUser {
  user: string;
  password: string;
  /** The mailboxes it may open; every user of the server when absent. */
  mailboxes?: string[];
}

export interface DovecotServer {
  flavor: 'source' | 'destination';
  host: '127.0.0.1';
  /** Plain IMAP port (STARTTLS offered). */
  port: number;
  /** Implicit TLS port. */
  tlsPort: number;
  dir: string;
  users: TestUser[];
  logPath: string;
  /** The user's maildir root on disk. */
  mailDir(user: string): string;
  /** The server's log so far. */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<DovecotServer>();
let exitHookInstalled = false;

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    // The kernel may hand a just-closed port out again: never give one twice in this process.
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

const handedOut = new Set<number>();

/** Starts the daemon; returns what went wrong, or undefined when it started. */
function launch(dir: string, conf: string): string | undefined {
  // The daemon keeps inherited pipes open, so its output goes to a file, not to us.
  const startLog = join(dir, 'start.log');
  const out = openSync(startLog, 'w');
  const res = spawnSync('/usr/sbin/dovecot', ['-c', conf], { stdio: ['ignore', out, out] });
  closeSync(out);
  if (res.status === 0) return undefined;
  const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '';
  return `dovecot failed to start (${res.status}): ${readFileSync(startLog, 'utf8')}\n${log}`;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function makeCertificate(dir: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '2',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
}

function namespaceConfig(flavor: DovecotOptions['flavor']): string {
  if (flavor === 'source') {
    return `namespace inbox {
  inbox = yes
  separator = .
  prefix = INBOX.
}
mail_location = maildir:~/Maildir`;
  }
  const special = (name: string, use: string) =>
    `  mailbox ${name} {\n    special_use = ${use}\n    auto = subscribe\n  }\n`;
  return `namespace inbox {
  inbox = yes
  separator = /
  prefix =
${special('Sent', '\\Sent')}${special('Drafts', '\\Drafts')}${special('Trash', '\\Trash')}${special('Junk', '\\Junk')}${special('Archive', '\\Archive')}}
mail_location = maildir:~/Maildir:LAYOUT=fs`;
}

/** A Dovecot config string: quoted, with `\\` and `"` escaped (folder names may hold spaces). */
function configString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function customNamespace(layout: NamespaceLayout): string {
  const mailboxes = layout.mailboxes.map((m) => {
    const lines = [`  mailbox ${configString(m.name)} {`];
    if (m.specialUse) lines.push(`    special_use = ${m.specialUse}`);
    lines.push(`    auto = ${m.auto ?? 'subscribe'}`, '  }');
    return lines.join('\n');
  });
  return `namespace inbox {
  inbox = yes
  separator = ${layout.separator}
  prefix = ${layout.prefix ?? ''}
${mailboxes.join('\n')}
}
mail_location = maildir:~/Maildir:LAYOUT=fs`;
}

function buildConfig(dir: string, port: number, tlsPort: number, opts: DovecotOptions): string {
  const root = isRoot();
  const runUser = root ? 'mail' : (process.env.USER ?? 'nobody');
  const uid = root ? 8 : process.getuid?.();
  const gid = root ? 8 : process.getgid?.();
  const plugins = opts.quota ? 'quota' : '';
  return `# generated by test/harness/dovecot.ts
instance_name = ${HARNESS_PREFIX}${opts.flavor}-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
listen = 127.0.0.1
protocols = imap
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
auth_verbose = yes
mail_debug = no
default_login_user = ${root ? 'dovenull' : runUser}
default_internal_user = ${root ? 'dovecot' : runUser}
first_valid_uid = ${root ? 8 : uid}
first_valid_gid = ${root ? 8 : gid}
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login${opts.oauth2 ? ' xoauth2 oauthbearer' : ''}
${opts.greeting ? `login_greeting = ${opts.greeting}\n` : ''}${opts.noAuthDelay ? 'auth_failure_delay = 0\n' : ''}mail_fsync = ${opts.fsync ? 'optimized' : 'never'}
maildir_very_dirty_syncs = yes
${masterPassdb(dir, opts)}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
${opts.oauth2 ? '  mechanisms = plain login\n' : ''}}
${oauth2Passdbs(dir, opts)}userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
  default_fields = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service imap {
  process_limit = 64
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
service anvil {
  chroot =
${opts.noAuthDelay ? '  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n' : ''}}
mail_plugins = ${plugins}
protocol imap {
  mail_plugins = ${opts.quota ? '$mail_plugins imap_quota' : '$mail_plugins'}
  mail_max_userip_connections = 40
${opts.capabilities ? `  imap_capability = ${opts.capabilities}\n` : ''}}
${
  opts.quota
    ? `plugin {
  quota = maildir:User quota
${opts.maxMailSize ? `  quota_max_mail_size = ${opts.maxMailSize}\n` : ''}}`
    : ''
}
${opts.namespace ? customNamespace(opts.namespace) : namespaceConfig(opts.flavor)}
${opts.extraConfig ?? ''}
`;
}

/**
 * The master passdb: its lines are keyed by mailbox and admin (`%{login_user}/%u`), so an admin
 * opens only the mailboxes listed for it, and `result_success = continue` makes Dovecot check in the
 * users' passdb that the mailbox exists before letting the admin in.
 */
function masterPassdb(dir: string, opts: DovecotOptions): string {
  if (!opts.masterUsers?.length) return '';
  return `auth_master_user_separator = *
passdb {
  driver = passwd-file
  master = yes
  args = scheme=PLAIN username_format=%{login_user}/%u ${dir}/master-users
  result_success = continue
  mechanisms = plain login
}
`;
}

function masterUsersFile(opts: DovecotOptions): string {
  return (opts.masterUsers ?? [])
    .flatMap((m) =>
      (m.mailboxes ?? opts.users.map((u) => u.user)).map((box) => `${box}/${m.user}:{PLAIN}${m.password}`),
    )
    .join('\n');
}

/** One oauth2 passdb config file: for every mailbox, or (`filter`) for one. */
interface OAuth2File {
  name: string;
  filter?: string;
  content: string;
}

/** The oauth2 passdb files: one, or one per user when the introspection URL depends on the mailbox. */
function oauth2Files(opts: DovecotOptions): OAuth2File[] {
  const oauth2 = opts.oauth2;
  if (!oauth2) return [];
  const url = oauth2.introspectionUrl;
  if (typeof url === 'string') return [{ name: 'dovecot-oauth2.conf.ext', content: oauth2File(oauth2, url) }];
  return opts.users.map((u, i) => ({
    name: `dovecot-oauth2-${i}.conf.ext`,
    filter: u.user,
    content: oauth2File(oauth2, url(u.user)),
  }));
}

/** The oauth2 passdbs, for the token mechanisms only (the users' passdb keeps the password ones). */
function oauth2Passdbs(dir: string, opts: DovecotOptions): string {
  return oauth2Files(opts)
    .map(
      (f) => `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
${f.filter ? `  username_filter = ${f.filter}\n` : ''}  args = ${dir}/${f.name}
}
`,
    )
    .join('');
}

/** dovecot-oauth2.conf.ext: introspection by POST (RFC 7662 section 2.1). */
function oauth2File(oauth2: DovecotOAuth2, introspectionUrl: string): string {
  return [
    'introspection_mode = post',
    `introspection_url = ${introspectionUrl}`,
    `client_id = ${oauth2.clientId}`,
    `client_secret = ${oauth2.clientSecret}`,
    `username_attribute = ${oauth2.usernameAttribute ?? 'email'}`,
    // RFC 7662 section 2.2: an expired, revoked or unknown token is answered {"active": false}.
    'active_attribute = active',
    'active_value = true',
    ...(oauth2.scope ? [`scope = ${oauth2.scope}`] : []),
    'timeout_msecs = 10000',
  ].join('\n');
}

function usersFile(users: TestUser[]): string {
  return users
    .map((u) => {
      const extra = u.quotaRule ? `userdb_quota_rule=${u.quotaRule}` : '';
      return `${u.user}:{PLAIN}${u.password}::::::${extra}`;
    })
    .join('\n');
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous kill on any exit path, so a failing or interrupted test leaves no server behind,
  // and no folder: each test run left two, and interrupted benchmarks over a gigabyte each.
  const killAll = () => {
    // The process is going away and cannot wait: SIGKILL the whole group (test data only).
    for (const s of running) {
      killMaster(s.dir, 'SIGKILL');
      removeFolder(s.dir);
    }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Removes a server's folder (its mail, config and logs), unless MAILSHIFT_KEEP_SERVERS asks to keep it. */
function removeFolder(dir: string): void {
  if (process.env.MAILSHIFT_KEEP_SERVERS) return;
  try {
    // Retries: a killed server's children may still be closing files in it.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch {
    /* left for the next sweep */
  }
}

function masterPid(dir: string): number | undefined {
  const pidFile = join(dir, 'run', 'master.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

function killMaster(dir: string, signal: NodeJS.Signals = 'SIGTERM'): void {
  const pid = masterPid(dir);
  if (pid === undefined) return;
  try {
    // The daemonised master leads its own process group. Signalled alone, it waits seconds for its
    // auth, stats and log children; signalling the group stops them all at once.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // The daemonised master is not our child: where PID 1 does not reap orphans (containers), it
  // stays a zombie that signal 0 still finds. A zombie has exited.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Starts one Dovecot master process with the given flavour and users.
 * @returns the running server; call `stop()` (tests do it in `after`).
 */
export async function startDovecot(opts: DovecotOptions): Promise<DovecotServer> {
  ensureSystemPackages(DOVECOT);
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `${HARNESS_PREFIX}${runTag()}-${opts.flavor}-`));
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  makeCertificate(dir);
  writeFileSync(join(dir, 'users'), usersFile(opts.users) + '\n');
  if (opts.masterUsers?.length) writeFileSync(join(dir, 'master-users'), masterUsersFile(opts) + '\n');
  for (const f of oauth2Files(opts)) writeFileSync(join(dir, f.name), f.content + '\n');
  if (isRoot()) {
    // Mail is owned by the unprivileged `mail` user; the folders must be reachable for it.
    spawnSync('chmod', ['755', dir]);
    chownSync(join(dir, 'mail'), 8, 8);
  }
  // A port found free can be taken by another test process before Dovecot binds it: try again.
  let port = 0;
  let tlsPort = 0;
  const conf = join(dir, 'dovecot.conf');
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    tlsPort = await freePort();
    writeFileSync(conf, buildConfig(dir, port, tlsPort, opts));
    const failure = launch(dir, conf);
    if (failure === undefined) break;
    if (!/Address already in use/.test(failure) || attempt >= 5) throw new Error(failure);
  }
  const server: DovecotServer = {
    flavor: opts.flavor,
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    users: opts.users,
    logPath: join(dir, 'dovecot.log'),
    mailDir: (user) => join(dir, 'mail', user, 'Maildir'),
    log: () => (existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : ''),
    stop: async () => {
      const pid = masterPid(dir);
      killMaster(dir);
      const deadline = Date.now() + 5000;
      while (pid !== undefined && alive(pid) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      running.delete(server);
      removeFolder(dir);
    },
  };
  running.add(server);
  await waitForPort(port, 10_000);
  await waitForPort(tlsPort, 10_000);
  // The master may listen before it writes its pid file, and stopping it (also from the exit hook)
  // needs that file: wait for it too.
  const deadline = Date.now() + 10_000;
  while (masterPid(dir) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (masterPid(dir) === undefined) throw new Error(`dovecot in ${dir} wrote no master.pid within 10 s`);
  return server;
}

/**
 * Stops every Dovecot master this run's harness may have left behind. Used after the suite, whose
 * runner then removes the run's temporary folder with every server folder in it (run-tests.ts).
 * @returns how many masters were still running
 */
export function sweepStrayServers(): number {
  const mine = `${HARNESS_PREFIX}${runTag()}-`;
  const res = spawnSync('pgrep', ['-f', `dovecot -c .*${mine}`], { encoding: 'utf8' });
  const pids = res.stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return pids.length;
}
