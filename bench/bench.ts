/**
 * `npm run bench`: mailshift against its peers on one corpus, side by side, on this machine.
 *
 * Starts a source Dovecot (cPanel-style, fsync on) and writes a deterministic corpus into its
 * maildirs, then measures each run against a fresh destination Dovecot (fsync on); a run counts
 * only when the destination's per-folder message, unseen and flagged counts equal the source's:
 *  - mailshift-loopback: full migration; mailshift-noop: the same again with nothing new;
 *  - dsync-loopback(-parallel): `doveadm backup -R` from imapc, one account at a time (and N at a time);
 *  - mailshift-30ms, dsync-30ms(-parallel): the same through latency proxies (15 ms each way);
 *  - mailshift-30ms-1acct, mbsync-30ms-1acct: one account through the proxies;
 *  - mailshift-delta: 1% new and 1% re-flagged messages, on the first run's destination and state
 *    (last, since it changes the source);
 *  - with --profile: a loopback run and a no-op run under `node --cpu-prof`, summarised, not compared.
 * Prints the tables, the targets of issue 10 (PASS/MISS, never the exit code; only an incomplete
 * mailshift copy makes it exit 1) and writes bench/results/<timestamp>.json (fields in
 * bench/results/README.md).
 *
 * Options: --quick (2 accounts x 300 messages in 10 folders) | --accounts N --messages M --seed S
 *          --big-mb N (the one large message, default 25; 0 for none)
 *          --latency MS (each way, default 15) | --dsync-parallel N (default: mailshift's accountsInParallel)
 *          --limit key=value (plan limits, repeatable) | --runs id,id | --skip-peers | --profile
 *          --no-build | --keep (leave the work and server folders in /tmp)
 * Everything listens on 127.0.0.1 only; every server, proxy and process is stopped at the end,
 * on failure and on Ctrl-C too.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { PlanSchema } from '../src/plan/schema.js';
import { corpusUsers, writeCorpus, type CorpusOptions, type CorpusSummary } from '../test/harness/corpus.js';
import { startDovecot, type DovecotServer } from '../test/harness/dovecot.js';
import { ISYNC, ensureSystemPackages } from '../test/harness/system-deps.js';
import { censusMessages, compareCensus, takeCensus, type Census } from './census.js';
import { formatProfile, summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { applyDelta, type DeltaSummary } from './delta.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';
import {
  allProcessesCpuSeconds,
  dovecotMasterPid,
  killTracked,
  machineBusySeconds,
  treeCpuSeconds,
  type Measured,
} from './processes.js';
import {
  evaluateTargets,
  ratiosTable,
  runsTable,
  targetsTable,
  type RunId,
  type RunRecord,
  type TargetResult,
} from './report.js';
import { runDsync } from './run-dsync.js';
import { CLI, runMailshift, writeBenchPlan, type Address } from './run-mailshift.js';
import { runMbsync } from './run-mbsync.js';

const REPO = resolve(import.meta.dirname, '..');
const RESULTS = join(REPO, 'bench', 'results');
const ALL_RUNS: RunId[] = [
  'mailshift-loopback',
  'mailshift-noop',
  'dsync-loopback',
  'dsync-loopback-parallel',
  'mailshift-30ms',
  'dsync-30ms',
  'dsync-30ms-parallel',
  'mailshift-30ms-1acct',
  'mbsync-30ms-1acct',
  'mailshift-delta',
  'mailshift-loopback-profiled',
];

interface Options {
  quick: boolean;
  corpus: CorpusOptions;
  latencyMs: number;
  dsyncParallel: number;
  limits: Record<string, number>;
  runs: Set<RunId>;
  /** Also profile (node --cpu-prof) a full loopback run and a no-op run, outside the measured ones. */
  profile: boolean;
  build: boolean;
  keep: boolean;
}

const t0 = performance.now();

function log(text: string): void {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}\n`);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      accounts: { type: 'string' },
      messages: { type: 'string' },
      seed: { type: 'string', default: '20250301' },
      'big-mb': { type: 'string', default: '25' },
      latency: { type: 'string', default: '15' },
      'dsync-parallel': { type: 'string' },
      limit: { type: 'string', multiple: true, default: [] },
      runs: { type: 'string' },
      'skip-peers': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, v: string | undefined, fallback: number) => {
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a whole number, got ${v}`);
    return n;
  };
  const limits: Record<string, number> = {};
  for (const kv of values.limit ?? []) {
    const m = /^(\w+)=(\d+)$/.exec(kv);
    if (!m) throw new Error(`--limit wants key=number (e.g. connectionsPerAccount=2), got ${kv}`);
    limits[m[1] as string] = Number(m[2]);
  }
  let runs = new Set<RunId>(ALL_RUNS.filter((r) => r !== 'mailshift-loopback-profiled'));
  if (values.runs) {
    const asked = values.runs.split(',').map((s) => s.trim());
    for (const r of asked)
      if (!ALL_RUNS.includes(r as RunId))
        throw new Error(`--runs: unknown run ${r}; runs: ${ALL_RUNS.join(', ')}`);
    runs = new Set(asked as RunId[]);
  }
  if (values['skip-peers']) for (const r of [...runs]) if (!r.startsWith('mailshift')) runs.delete(r);
  if (values.profile) runs.add('mailshift-loopback-profiled');
  // The no-op and the delta run continue from the full loopback run's destination and state.
  if (runs.has('mailshift-noop') || runs.has('mailshift-delta')) runs.add('mailshift-loopback');
  const quick = values.quick ?? false;
  const accounts = int('accounts', values.accounts, quick ? 2 : 5);
  const effective = effectiveLimits(limits);
  return {
    quick,
    corpus: {
      seed: int('seed', values.seed, 20250301),
      accounts: Math.max(1, accounts),
      messagesPerAccount: int('messages', values.messages, quick ? 300 : 4000),
      // Fewer folders keep a 300-message account from being all per-folder round trips.
      folders: quick ? 10 : 20,
      bigMessageBytes: int('big-mb', values['big-mb'], 25) * 1024 * 1024,
    },
    latencyMs: int('latency', values.latency, 15),
    // --quick leaves out the parallel dsync variants (with 2 accounts they show little) unless asked.
    dsyncParallel: int(
      'dsync-parallel',
      values['dsync-parallel'],
      quick ? 1 : (effective.accountsInParallel ?? 4),
    ),
    limits,
    runs,
    profile: values.profile ?? false,
    build: !values['no-build'],
    keep: values.keep ?? false,
  };
}

/** The plan limits mailshift will use: the schema's defaults with the --limit overrides. */
function effectiveLimits(overrides: Record<string, number>): Record<string, number> {
  const server = { host: '127.0.0.1', port: 1, security: 'none' };
  const plan = PlanSchema.parse({
    version: 1,
    name: 'x',
    source: server,
    destination: server,
    limits: overrides,
  });
  return plan.limits as unknown as Record<string, number>;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
}

function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: REPO,
    encoding: 'utf8',
  }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], {
    cwd: REPO,
    encoding: 'utf8',
  }).stdout.trim();
  const imapflow = JSON.parse(readFileSync(join(REPO, 'node_modules/imapflow/package.json'), 'utf8')) as {
    version: string;
  };
  return {
    node: process.version,
    dovecot: firstLine('dovecot', ['--version']),
    mbsync: existsSync('/usr/bin/mbsync') ? firstLine('mbsync', ['--version']) : 'not installed',
    mailshift: `${pkg.version} (${rev || 'no git'}${dirty ? ', uncommitted changes in src/' : ''})`,
    imapflow: imapflow.version,
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Compiles mailshift unless dist/ is newer than every source file (`npm run bench` builds first). */
function build(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(REPO, 'src'))) return;
  log('building mailshift (tsc -p tsconfig.json)');
  const res = spawnSync(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  );
  if (res.status !== 0) {
    // tsc still emits on type errors; a tree others are editing may have some outside the engine.
    log(
      `WARNING: the build reported errors; measuring what it emitted:\n${res.stdout.split('\n').slice(0, 10).join('\n')}`,
    );
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing after the build`);
}

/** Everything the runs share. */
interface Bench {
  opts: Options;
  work: string;
  src: DovecotServer;
  srcProxy?: LatencyProxy;
  users: { user: string; password: string }[];
  corpus: CorpusSummary;
  sourceCensus: Map<string, Census>;
  servers: DovecotServer[];
  proxies: LatencyProxy[];
  runs: RunRecord[];
}

function address(x: { host: string; port: number }): Address {
  return { host: x.host, port: x.port };
}

async function freshDestination(b: Bench): Promise<DovecotServer> {
  const dst = await startDovecot({ flavor: 'destination', users: b.users, fsync: true });
  b.servers.push(dst);
  return dst;
}

async function stopServer(b: Bench, s: DovecotServer): Promise<void> {
  b.servers.splice(b.servers.indexOf(s), 1);
  const t = performance.now();
  await s.stop();
  log(`stopped ${s.flavor} server in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function proxyTo(b: Bench, target: { host: string; port: number }): Promise<LatencyProxy> {
  const p = await startLatencyProxy({ target: address(target), latencyMs: b.opts.latencyMs });
  b.proxies.push(p);
  return p;
}

function cpuOf(server: DovecotServer): number {
  const pid = dovecotMasterPid(server.dir);
  return pid === undefined ? 0 : treeCpuSeconds(pid);
}

interface RunSpec {
  id: RunId;
  tool: RunRecord['tool'];
  title: string;
  rttMs: number;
  dst: DovecotServer;
  /** Accounts the run copies (and that are checked on the destination). */
  users: string[];
  proxies: LatencyProxy[];
  /** Messages and bytes the run has to move. */
  messages: number;
  bytes: number;
  /** Whether messages/s means anything (not for a no-op). */
  rated: boolean;
  notes?: string[];
}

/** Runs one measured step, checks the destination against the source, and records it. */
async function measure(
  b: Bench,
  spec: RunSpec,
  exec: () => Promise<{ measured: Measured; reported?: Record<string, number> }>,
): Promise<RunRecord> {
  log(`${spec.id}: ${spec.title}`);
  // Every run starts with no dirty pages waiting: otherwise the fsyncs of the first run after
  // the corpus was written (or after a destination was deleted) pay for flushing them.
  spawnSync('sync');
  for (const p of spec.proxies) p.resetCounts();
  const srcBefore = cpuOf(b.src);
  const dstBefore = cpuOf(spec.dst);
  const benchBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const processesBefore = allProcessesCpuSeconds();
  const { measured, reported } = await exec();
  const processes = allProcessesCpuSeconds() - processesBefore;
  const machineBusy = machineBusySeconds() - machineBefore;
  const bench = process.cpuUsage(benchBefore);
  const srcCpu = cpuOf(b.src) - srcBefore;
  const dstCpu = cpuOf(spec.dst) - dstBefore;
  const benchCpu = (bench.user + bench.system) / 1e6;
  const problems: string[] = [];
  if (measured.code !== 0 && !(spec.tool === 'dsync' && measured.code === 2)) {
    problems.push(
      `exit ${measured.code ?? measured.signal}: ${measured.stderrTail.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  for (const user of spec.users) {
    const expected = b.sourceCensus.get(user);
    const password = b.users.find((u) => u.user === user)?.password ?? '';
    const got = await takeCensus({ host: spec.dst.host, port: spec.dst.port, user, password });
    if (expected) problems.push(...compareCensus(expected, got, user));
  }
  const wallS = measured.wallMs / 1000;
  const byName: Record<string, number> = {};
  for (const p of spec.proxies) for (const [k, v] of p.commands()) byName[k] = (byName[k] ?? 0) + v;
  const total = Object.values(byName).reduce((s, n) => s + n, 0);
  const record: RunRecord = {
    id: spec.id,
    tool: spec.tool,
    title: spec.title,
    rttMs: spec.rttMs,
    accounts: spec.users.length,
    messages: spec.messages,
    bytes: spec.bytes,
    wallS,
    msgPerS: spec.rated && wallS > 0 ? spec.messages / wallS : null,
    mbPerS: spec.rated && wallS > 0 ? spec.bytes / 1e6 / wallS : null,
    client: {
      userS: measured.userS,
      sysS: measured.sysS,
      cpuS: measured.userS + measured.sysS,
      peakRssMb: measured.maxRssMb,
    },
    servers: { sourceCpuS: srcCpu, destinationCpuS: dstCpu },
    machine: {
      busyCpuS: machineBusy,
      otherProcessesCpuS: Math.max(
        0,
        processes - measured.userS - measured.sysS - srcCpu - dstCpu - benchCpu,
      ),
      kernelCpuS: Math.max(0, machineBusy - processes),
    },
    ...(spec.proxies.length > 0
      ? {
          proxyCpuS: benchCpu,
          commands: { total, perMessage: spec.messages > 0 ? total / spec.messages : null, byName },
        }
      : {}),
    exitCode: measured.code,
    complete: problems.length === 0,
    problems,
    notes: spec.notes ?? [],
    ...(reported ? { reported } : {}),
  };
  b.runs.push(record);
  const rate =
    record.msgPerS === null ? '' : ` = ${record.msgPerS.toFixed(0)} msg/s, ${record.mbPerS?.toFixed(1)} MB/s`;
  log(
    `${spec.id}: ${spec.messages} messages in ${wallS.toFixed(2)} s${rate}; client CPU ${record.client.cpuS.toFixed(2)} s, ` +
      `peak RSS ${record.client.peakRssMb.toFixed(0)} MiB; ${record.complete ? 'complete' : `INCOMPLETE:\n  ${problems.slice(0, 10).join('\n  ')}`}`,
  );
  return record;
}

function sumFor(b: Bench, users: string[]): { messages: number; bytes: number } {
  let messages = 0;
  let bytes = 0;
  for (const u of users) {
    const c = b.sourceCensus.get(u);
    if (c) messages += censusMessages(c);
    bytes += b.corpus.accounts.find((a) => a.user === u)?.bytes ?? 0;
  }
  return { messages, bytes };
}

async function sourceCensus(b: Bench): Promise<void> {
  for (const u of b.users) {
    b.sourceCensus.set(u.user, await takeCensus({ host: b.src.host, port: b.src.port, ...u }));
  }
}

/** A mailshift run: plan in its own folder, state in `stateDir`. */
async function mailshiftStep(
  b: Bench,
  spec: Omit<RunSpec, 'tool'>,
  planDir: string,
  source: Address,
  destination: Address,
  extra: { accounts?: string[]; cpuProfileDir?: string } = {},
): Promise<RunRecord> {
  const planPath = existsSync(join(planDir, 'plan.yaml'))
    ? join(planDir, 'plan.yaml')
    : writeBenchPlan({ dir: planDir, source, destination, users: b.users, limits: b.opts.limits });
  return measure(b, { ...spec, tool: 'mailshift' }, async () => {
    const run = await runMailshift({
      planPath,
      stateDir: join(planDir, 'state'),
      eventsFile: join(planDir, `${spec.id}.ndjson`),
      ...extra,
    });
    return { measured: run.measured, reported: run.totals as unknown as Record<string, number> | undefined };
  });
}

/** mailshift to a fresh destination, both servers behind latency proxies; the destination is stopped after. */
async function mailshiftAtLatency(
  b: Bench,
  srcProxy: LatencyProxy,
  spec: Pick<RunSpec, 'id' | 'title' | 'users' | 'messages' | 'bytes'>,
  extra: { accounts?: string[] } = {},
): Promise<void> {
  const dst = await freshDestination(b);
  const dstProxy = await proxyTo(b, dst);
  await mailshiftStep(
    b,
    { ...spec, rttMs: 2 * b.opts.latencyMs, dst, proxies: [srcProxy, dstProxy], rated: true },
    join(b.work, spec.id),
    address(srcProxy),
    address(dstProxy),
    extra,
  );
  await stopServer(b, dst);
}

/**
 * dsync over all accounts, `parallel` doveadm processes at a time. One at a time is how
 * `doveadm backup -A` (and PERFORMANCE.md's reference figure) runs it; the parallel variant is the
 * stronger baseline an administrator could script.
 */
async function dsyncStep(
  b: Bench,
  id: RunId,
  parallel: number,
  source: Address,
  proxies: LatencyProxy[],
): Promise<void> {
  if (!b.opts.runs.has(id) || (id.endsWith('-parallel') && parallel < 2)) return;
  const rtt = proxies.length > 0 ? 2 * b.opts.latencyMs : 0;
  const dst = await freshDestination(b);
  const where = rtt ? `${rtt} ms RTT to the source` : 'loopback';
  await measure(
    b,
    {
      id,
      tool: 'dsync',
      title: `dsync (doveadm backup -R from imapc), ${parallel === 1 ? 'one account at a time' : `${parallel} accounts at a time`}, ${where}`,
      rttMs: rtt,
      dst,
      users: b.users.map((u) => u.user),
      proxies,
      ...sumFor(
        b,
        b.users.map((u) => u.user),
      ),
      rated: true,
      notes: [
        'client CPU includes writing the destination (dsync runs on the destination host)',
        ...(rtt ? ['only the source is behind the proxy'] : []),
      ],
    },
    async () => runDsync({ destination: dst, source, users: b.users, parallel }),
  );
  await stopServer(b, dst);
}

/** Moves the one profile written in `dir` to bench/results and summarises it. */
function keepProfile(dir: string, name: string): ProfileSummary | undefined {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) return undefined;
  mkdirSync(RESULTS, { recursive: true });
  const kept = join(RESULTS, `profile-${name}-${stamp()}.cpuprofile`);
  writeFileSync(kept, readFileSync(join(dir, file)));
  const summary = summariseProfile(kept);
  summary.file = relative(REPO, kept);
  return summary;
}

interface Extras {
  delta?: DeltaSummary;
  profiles: Record<string, ProfileSummary>;
}

async function runAll(b: Bench): Promise<Extras> {
  const { opts } = b;
  const want = (id: RunId) => opts.runs.has(id);
  const all = b.users.map((u) => u.user);
  const first = all.slice(0, 1);
  const rtt = 2 * opts.latencyMs;
  const whole = sumFor(b, all);
  const one = sumFor(b, first);
  const srcAddr = address(b.src);
  let loopDst: DovecotServer | undefined;
  const loopDir = join(b.work, 'mailshift-loopback');
  const out: Extras = { profiles: {} };

  if (want('mailshift-loopback')) {
    loopDst = await freshDestination(b);
    await mailshiftStep(
      b,
      {
        id: 'mailshift-loopback',
        title: 'mailshift, all accounts, loopback',
        rttMs: 0,
        dst: loopDst,
        users: all,
        proxies: [],
        ...whole,
        rated: true,
      },
      loopDir,
      srcAddr,
      address(loopDst),
    );
  }
  if (want('mailshift-noop') && loopDst) {
    await mailshiftStep(
      b,
      {
        id: 'mailshift-noop',
        title: 'mailshift again, nothing new (wall includes process start)',
        rttMs: 0,
        dst: loopDst,
        users: all,
        proxies: [],
        messages: 0,
        bytes: 0,
        rated: false,
      },
      loopDir,
      srcAddr,
      address(loopDst),
    );
  }
  if (opts.profile && want('mailshift-noop') && loopDst) {
    // Not a measured run: the same no-op again under the profiler, to see where its time goes.
    const profDir = join(b.work, 'profile-noop');
    mkdirSync(profDir, { recursive: true });
    log('profiling a no-op run (not measured)');
    await runMailshift({
      planPath: join(loopDir, 'plan.yaml'),
      stateDir: join(loopDir, 'state'),
      eventsFile: join(loopDir, 'noop-profiled.ndjson'),
      cpuProfileDir: profDir,
    });
    const summary = keepProfile(profDir, 'noop');
    if (summary) out.profiles.noop = summary;
  }
  await dsyncStep(b, 'dsync-loopback', 1, srcAddr, []);
  await dsyncStep(b, 'dsync-loopback-parallel', opts.dsyncParallel, srcAddr, []);
  const needProxy = [...opts.runs].some((r) => r.includes('30ms'));
  if (needProxy) b.srcProxy = await proxyTo(b, b.src);
  const srcProxy = b.srcProxy;
  if (want('mailshift-30ms') && srcProxy) {
    await mailshiftAtLatency(b, srcProxy, {
      id: 'mailshift-30ms',
      title: `mailshift, all accounts, ${rtt} ms RTT to both servers`,
      users: all,
      ...whole,
    });
  }
  if (srcProxy) {
    await dsyncStep(b, 'dsync-30ms', 1, address(srcProxy), [srcProxy]);
    await dsyncStep(b, 'dsync-30ms-parallel', opts.dsyncParallel, address(srcProxy), [srcProxy]);
  }
  if (want('mailshift-30ms-1acct') && srcProxy) {
    await mailshiftAtLatency(
      b,
      srcProxy,
      {
        id: 'mailshift-30ms-1acct',
        title: `mailshift, one account (${first[0]}), ${rtt} ms RTT`,
        users: first,
        ...one,
      },
      { accounts: first },
    );
  }
  if (want('mbsync-30ms-1acct') && srcProxy) {
    const dst = await freshDestination(b);
    const dstProxy = await proxyTo(b, dst);
    await measure(
      b,
      {
        id: 'mbsync-30ms-1acct',
        tool: 'mbsync',
        title: `mbsync, one account (${first[0]}), ${rtt} ms RTT`,
        rttMs: rtt,
        dst,
        users: first,
        proxies: [srcProxy, dstProxy],
        ...one,
        rated: true,
      },
      async () => ({
        measured: await runMbsync({
          dir: join(b.work, 'mbsync'),
          source: address(srcProxy),
          destination: address(dstProxy),
          users: b.users.filter((u) => first.includes(u.user)),
        }),
      }),
    );
    await stopServer(b, dst);
  }
  if (want('mailshift-loopback-profiled')) {
    const dst = await freshDestination(b);
    const profDir = join(b.work, 'profile');
    mkdirSync(profDir, { recursive: true });
    await mailshiftStep(
      b,
      {
        id: 'mailshift-loopback-profiled',
        title: 'mailshift, all accounts, loopback, under node --cpu-prof (not compared)',
        rttMs: 0,
        dst,
        users: all,
        proxies: [],
        ...whole,
        rated: true,
        notes: ['profiling slows the process; not used by any target'],
      },
      join(b.work, 'mailshift-profiled'),
      srcAddr,
      address(dst),
      { cpuProfileDir: profDir },
    );
    await stopServer(b, dst);
    const summary = keepProfile(profDir, 'loopback');
    if (summary) out.profiles.loopback = summary;
  }
  // Last: the delta changes the source, and every other run copies the same corpus.
  if (want('mailshift-delta') && loopDst) {
    log('delta: adding 1% new messages and re-flagging 1% on the source');
    const deltas = await Promise.all(
      b.users.map((u, i) =>
        applyDelta(
          { host: b.src.host, port: b.src.port, ...u },
          opts.corpus,
          i,
          opts.corpus.messagesPerAccount,
          0.01,
        ),
      ),
    );
    out.delta = deltas.reduce((s, d) => ({
      added: s.added + d.added,
      addedBytes: s.addedBytes + d.addedBytes,
      flagsChanged: s.flagsChanged + d.flagsChanged,
    }));
    await sourceCensus(b);
    await mailshiftStep(
      b,
      {
        id: 'mailshift-delta',
        title: `mailshift delta on run 1's destination: ${out.delta.added} new, ${out.delta.flagsChanged} re-flagged`,
        rttMs: 0,
        dst: loopDst,
        users: all,
        proxies: [],
        messages: out.delta.added,
        bytes: out.delta.addedBytes,
        rated: false,
        notes: [`${out.delta.flagsChanged} flag changes to bring over as well`],
      },
      loopDir,
      srcAddr,
      address(loopDst),
    );
  }
  return out;
}

/** Removes a folder, retrying while processes that just died may still have created files in it. */
function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch (err) {
    process.stderr.write(`[bench] could not remove ${dir}: ${String(err)}\n`);
  }
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const started = new Date();
  const work = mkdtempSync(join(tmpdir(), 'mailshift-bench-'));
  const servers: DovecotServer[] = [];
  const proxies: LatencyProxy[] = [];
  // Our own harness run tag: another session's test-suite sweep of its stray servers leaves ours alone.
  process.env.MAILSHIFT_HARNESS_RUN ??= `bench-${process.pid}`;
  // The harness removes a stopped server's folder unless this is set.
  if (opts.keep) process.env.MAILSHIFT_KEEP_SERVERS = '1';
  // Synchronous last resort for any exit (Ctrl-C included): kill what we started, remove its files.
  process.on('exit', () => {
    killTracked();
    for (const s of servers) {
      const pid = dovecotMasterPid(s.dir);
      // The whole server group at once, and for good: nothing may still write while its folder goes.
      for (const target of pid === undefined ? [] : [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (!opts.keep) removeQuietly(s.dir);
    }
    if (!opts.keep) removeQuietly(work);
  });
  // A closed stdout (`| head`) must not cut the run short: the results file is still written.
  process.stdout.on('error', () => {});
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));

  if (opts.build) build();
  const peers = [...opts.runs].some((r) => !r.startsWith('mailshift'));
  if ([...opts.runs].some((r) => r.startsWith('mbsync'))) ensureSystemPackages([ISYNC]);
  const env = {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    versions: versions(),
  };
  log(
    `${env.cores} cores, ${env.cpuModel}; ${Object.entries(env.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}`,
  );

  const users = corpusUsers(opts.corpus);
  const src = await startDovecot({ flavor: 'source', users, fsync: true });
  servers.push(src);
  let exitCode = 0;
  try {
    log(
      `writing the corpus: ${opts.corpus.accounts} accounts x ${opts.corpus.messagesPerAccount} messages, seed ${opts.corpus.seed}`,
    );
    const corpus = writeCorpus(src, opts.corpus);
    log(
      `corpus: ${corpus.messages} messages, ${(corpus.bytes / 1e6).toFixed(0)} MB (median ${(corpus.medianBytes / 1000).toFixed(1)} KB, ` +
        `${corpus.overOneMb} of 1 MB or more, largest ${(corpus.largest / 1e6).toFixed(1)} MB), ` +
        `written in ${(corpus.writeMs / 1000).toFixed(1)} s, indexed in ${(corpus.indexMs / 1000).toFixed(1)} s`,
    );
    const b: Bench = { opts, work, src, users, corpus, sourceCensus: new Map(), servers, proxies, runs: [] };
    await sourceCensus(b);
    const extra = await runAll(b);
    const targets: TargetResult[] = evaluateTargets(b.runs);
    const limits = effectiveLimits(opts.limits);
    const text = [
      '',
      `## mailshift benchmark, ${started.toISOString()}`,
      '',
      `${env.cores} cores (${env.cpuModel}), ${env.memoryGb} GiB; ${Object.entries(env.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}`,
      `corpus: ${opts.corpus.accounts} accounts x ${opts.corpus.messagesPerAccount} messages = ${corpus.messages} messages, ` +
        `${(corpus.bytes / 1e6).toFixed(0)} MB, seed ${opts.corpus.seed}; both servers Dovecot with fsync; ` +
        `mailshift limits ${Object.entries(limits)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(
            ' ',
          )}; dsync one account at a time${opts.dsyncParallel > 1 ? ` and ${opts.dsyncParallel} at a time` : ''}`,
      '',
      runsTable(b.runs),
      '',
      ratiosTable(b.runs),
      '',
      targetsTable(targets),
      ...(opts.quick
        ? [
            '',
            'Quick corpus: the targets are for the full corpus (`npm run bench`); here start-up dominates.',
          ]
        : []),
      ...Object.values(extra.profiles).flatMap((p) => ['', '```', formatProfile(p), '```']),
      '',
    ].join('\n');
    process.stdout.write(text);
    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, `${stamp()}.json`);
    const result = {
      format: 'mailshift-bench',
      version: 1,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      quick: opts.quick,
      machine: env,
      settings: {
        latencyMsEachWay: opts.latencyMs,
        dsyncParallel: opts.dsyncParallel,
        mailshiftLimits: limits,
        fsync: true,
      },
      corpus: {
        seed: opts.corpus.seed,
        accounts: opts.corpus.accounts,
        messagesPerAccount: opts.corpus.messagesPerAccount,
        messages: corpus.messages,
        bytes: corpus.bytes,
        medianBytes: corpus.medianBytes,
        largestBytes: corpus.largest,
        overOneMb: corpus.overOneMb,
        writeS: corpus.writeMs / 1000,
        indexS: corpus.indexMs / 1000,
      },
      delta: extra.delta ?? null,
      runs: b.runs,
      targets,
      profiles: extra.profiles,
    };
    // Formatted as the repository's Prettier would, so `npm run lint` passes with results present.
    const options = (await resolveConfig(file)) ?? {};
    writeFileSync(file, await format(JSON.stringify(result), { ...options, parser: 'json' }));
    log(`results written to ${relative(REPO, file)}`);
    const broken = b.runs.filter((r) => !r.complete);
    for (const r of broken) log(`${r.id} did not complete: ${r.problems.slice(0, 5).join('; ')}`);
    // A mailshift copy that is not complete is a bug; a peer's is only reported.
    if (broken.some((r) => r.tool === 'mailshift')) exitCode = 1;
    if (!peers) log('peers skipped: no ratios');
  } finally {
    killTracked();
    await Promise.allSettled(proxies.map((p) => p.close()));
    const left = [...servers];
    servers.length = 0;
    if (opts.keep) log(`kept the work folder ${work} and the servers' folders`);
    await Promise.allSettled(left.map((s) => s.stop()));
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
