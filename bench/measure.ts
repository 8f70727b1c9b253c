/**
 * One shape's measuring session: its source server and corpus, and the measured steps every shape
 * is made of (a mailshift command, dsync, mbsync), each timed from spawn to exit with the CPU of
 * every process on the machine, then checked complete against the source before it counts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CorpusSummary } from '../test/harness/corpus.js';
import { startDovecot, type DovecotServer, type TestUser } from '../test/harness/dovecot.js';
import { censusMessages, compareCensus, takeCensus, type Census } from './census.js';
import { summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.js';
import { dovecotConfig, type Options } from './options.js';
import {
  allProcessesCpuSeconds,
  dovecotMasterPid,
  machineBusySeconds,
  treeCpuSeconds,
  type Measured,
} from './processes.js';
import type { RunId, RunRecord } from './report.js';
import { runDsync } from './run-dsync.js';
import { runMbsync } from './run-mbsync.js';
import {
  runMailshift,
  runMailshiftCommand,
  writeBenchPlan,
  type Address,
  type MailshiftCommand,
} from './run-mailshift.js';
import type { ShapeId } from './shapes.js';

const REPO = resolve(import.meta.dirname, '..');
/** Where results and kept profiles go. */
export const RESULTS = join(REPO, 'bench', 'results');

const t0 = performance.now();

/** A progress line on stderr, with the seconds since the benchmark started. */
export function log(text: string): void {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}\n`);
}

/** A file-name-safe timestamp. */
export function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
}

/** Everything one shape's runs share. */
export interface Bench {
  opts: Options;
  shape: ShapeId;
  /** The runs this shape makes (its own list, `--runs`, `--skip-peers` and `--profile` applied). */
  wanted: Set<RunId>;
  /** This shape's work folder (plans, states, events); removed after the shape. */
  work: string;
  src: DovecotServer;
  srcProxy?: LatencyProxy;
  users: TestUser[];
  corpus: CorpusSummary;
  sourceCensus: Map<string, Census>;
  /** Servers and proxies running now (all shapes): stopped on any exit. */
  servers: DovecotServer[];
  proxies: LatencyProxy[];
  records: RunRecord[];
}

/** The host and port of a server or proxy. */
export function address(x: { host: string; port: number }): Address {
  return { host: x.host, port: x.port };
}

/** Starts an empty destination server (fsync on, like the source) with the shape's users. */
export async function freshDestination(b: Bench): Promise<DovecotServer> {
  const dst = await startDovecot({
    flavor: 'destination',
    users: b.users,
    fsync: true,
    ...dovecotConfig(b.opts),
  });
  b.servers.push(dst);
  return dst;
}

/** Stops a server and removes its folder. */
export async function stopServer(b: Pick<Bench, 'servers'>, s: DovecotServer): Promise<void> {
  b.servers.splice(b.servers.indexOf(s), 1);
  const t = performance.now();
  await s.stop();
  log(`stopped ${s.flavor} server in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** A latency proxy (`--latency` each way) in front of a server. */
export async function proxyTo(b: Bench, target: { host: string; port: number }): Promise<LatencyProxy> {
  const p = await startLatencyProxy({ target: address(target), latencyMs: b.opts.latencyMs });
  b.proxies.push(p);
  return p;
}

/** Closes proxies this shape no longer needs. */
export async function closeProxies(b: Bench, proxies: LatencyProxy[]): Promise<void> {
  for (const p of proxies) {
    const i = b.proxies.indexOf(p);
    if (i >= 0) b.proxies.splice(i, 1);
    await p.close();
  }
}

function cpuOf(server: DovecotServer): number {
  const pid = dovecotMasterPid(server.dir);
  return pid === undefined ? 0 : treeCpuSeconds(pid);
}

/** What one measured step is. */
export interface RunSpec {
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
  /** false: the destination is not compared with the source (plan and report run before the copy). */
  census?: boolean;
  notes?: string[];
  /**
   * Runs the step this many times (default 1) and keeps the median run: a sub-second step (the
   * no-op re-run) is timed once otherwise, and one slow start decides its target.
   */
  repeat?: number;
}

/** Censuses of some accounts of a server, four logins at a time. */
async function censusOf(
  b: Pick<Bench, 'users'>,
  server: { host: string; port: number },
  users: string[],
): Promise<Map<string, Census>> {
  const out = new Map<string, Census>();
  const queue = [...users];
  const worker = async () => {
    for (let user = queue.shift(); user !== undefined; user = queue.shift()) {
      const password = b.users.find((u) => u.user === user)?.password ?? '';
      out.set(user, await takeCensus({ host: server.host, port: server.port, user, password }));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return out;
}

/** Takes the census of every account on the source (again after the source changed). */
export async function sourceCensus(b: Bench): Promise<void> {
  b.sourceCensus = await censusOf(
    b,
    b.src,
    b.users.map((u) => u.user),
  );
}

/** Runs one measured step, checks the destination against the source, and records it. */
export async function measure(
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
  const tries: Awaited<ReturnType<typeof exec>>[] = [];
  for (let i = 0; i < (spec.repeat ?? 1); i++) tries.push(await exec());
  const { measured, reported } = medianRun(tries);
  const processes = (allProcessesCpuSeconds() - processesBefore) / tries.length;
  const machineBusy = (machineBusySeconds() - machineBefore) / tries.length;
  const bench = process.cpuUsage(benchBefore);
  // The servers' and the machine's counters span every run: their mean per run is kept.
  const n = tries.length;
  const srcCpu = (cpuOf(b.src) - srcBefore) / n;
  const dstCpu = (cpuOf(spec.dst) - dstBefore) / n;
  const benchCpu = (bench.user + bench.system) / 1e6 / n;
  const problems: string[] = [];
  if (measured.code !== 0 && !(spec.tool === 'dsync' && measured.code === 2)) {
    problems.push(
      `exit ${measured.code ?? measured.signal}: ${measured.stderrTail.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  if (spec.census !== false) {
    const got = await censusOf(b, spec.dst, spec.users);
    for (const user of spec.users) {
      const expected = b.sourceCensus.get(user);
      if (expected) problems.push(...compareCensus(expected, got.get(user) ?? new Map(), user));
    }
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
    ...(tries.length > 1 ? { samplesS: tries.map((t) => t.measured.wallMs / 1000) } : {}),
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
  b.records.push(record);
  const rate =
    record.msgPerS === null ? '' : ` = ${record.msgPerS.toFixed(0)} msg/s, ${record.mbPerS?.toFixed(1)} MB/s`;
  const median = record.samplesS
    ? ` (median of ${record.samplesS.map((w) => w.toFixed(3)).join(', ')} s)`
    : '';
  log(
    `${spec.id}: ${spec.messages} messages in ${wallS.toFixed(2)} s${median}${rate}; client CPU ${record.client.cpuS.toFixed(2)} s, ` +
      `peak RSS ${record.client.peakRssMb.toFixed(0)} MiB; ${record.complete ? 'complete' : `INCOMPLETE:\n  ${problems.slice(0, 10).join('\n  ')}`}`,
  );
  return record;
}

/** How many times a no-op re-run is timed: its figure is their median. */
export const NOOP_RUNS = 3;

/** The run of median wall time (the later of the two middle ones for an even count). */
function medianRun<T extends { measured: Measured }>(tries: T[]): T {
  const sorted = [...tries].sort((x, y) => x.measured.wallMs - y.measured.wallMs);
  return sorted[Math.floor(sorted.length / 2)] as T;
}

/** Messages (the source's census) and bytes (as generated) of some accounts. */
export function sumFor(b: Bench, users: string[]): { messages: number; bytes: number } {
  let messages = 0;
  let bytes = 0;
  for (const u of users) {
    const c = b.sourceCensus.get(u);
    if (c) messages += censusMessages(c);
    bytes += b.corpus.accounts.find((a) => a.user === u)?.bytes ?? 0;
  }
  return { messages, bytes };
}

/** The plan in `planDir` (written for these servers on first use): its path. */
export function benchPlan(b: Bench, planDir: string, source: Address, destination: Address): string {
  return existsSync(join(planDir, 'plan.yaml'))
    ? join(planDir, 'plan.yaml')
    : writeBenchPlan({ dir: planDir, source, destination, users: b.users, limits: b.opts.limits });
}

/** A mailshift run: plan in its own folder, state in `planDir/state` unless `extra.stateDir`. */
export async function mailshiftStep(
  b: Bench,
  spec: Omit<RunSpec, 'tool'>,
  planDir: string,
  source: Address,
  destination: Address,
  extra: { accounts?: string[]; cpuProfileDir?: string; stateDir?: string } = {},
): Promise<RunRecord> {
  const planPath = benchPlan(b, planDir, source, destination);
  const { stateDir = join(planDir, 'state'), ...rest } = extra;
  return measure(b, { ...spec, tool: 'mailshift' }, async () => {
    const run = await runMailshift({
      planPath,
      stateDir,
      eventsFile: join(planDir, `${spec.id}.ndjson`),
      ...rest,
    });
    return { measured: run.measured, reported: run.totals as unknown as Record<string, number> | undefined };
  });
}

/**
 * `mailshift plan`, `report` or `verify` with an existing plan and state; its output goes to
 * `<planDir>/<id>.out`. Complete when it exits 0 (and, unless `spec.census` is false, when the
 * destination still equals the source).
 */
export async function mailshiftCommandStep(
  b: Bench,
  spec: Omit<RunSpec, 'tool'>,
  command: MailshiftCommand,
  planPath: string,
  stateDir: string,
): Promise<RunRecord> {
  return measure(b, { ...spec, tool: 'mailshift' }, async () => ({
    measured: await runMailshiftCommand({
      command,
      planPath,
      stateDir,
      outFile: join(planPath, '..', `${spec.id}.out`),
    }),
  }));
}

/** mailshift to a fresh destination, both servers behind latency proxies; the destination is stopped after. */
export async function mailshiftAtLatency(
  b: Bench,
  srcProxy: LatencyProxy,
  spec: Pick<RunSpec, 'id' | 'title' | 'users' | 'messages' | 'bytes'> & { notes?: string[] },
  extra: { accounts?: string[]; cpuProfileDir?: string } = {},
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
  await closeProxies(b, [dstProxy]);
}

/**
 * dsync over all accounts, `parallel` doveadm processes at a time. One at a time is how
 * `doveadm backup -A` (and PERFORMANCE.md's reference figure) runs it; the parallel variant is the
 * stronger baseline an administrator could script.
 */
export async function dsyncStep(
  b: Bench,
  id: RunId,
  parallel: number,
  source: Address,
  proxies: LatencyProxy[],
): Promise<void> {
  if (!b.wanted.has(id) || (id.endsWith('-parallel') && parallel < 2)) return;
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
export function keepProfile(dir: string, name: string): ProfileSummary | undefined {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) return undefined;
  mkdirSync(RESULTS, { recursive: true });
  const kept = join(RESULTS, `profile-${name}-${stamp()}.cpuprofile`);
  writeFileSync(kept, readFileSync(join(dir, file)));
  const summary = summariseProfile(kept);
  summary.file = relative(REPO, kept);
  return summary;
}

/**
 * mbsync of some accounts to a fresh destination: through latency proxies to both servers when
 * `latency` (the source's proxy is the shape's own), else on loopback.
 */
export async function mbsyncStep(
  b: Bench,
  spec: { id: RunId; title: string; users: string[] },
  latency: boolean,
): Promise<void> {
  if (!b.wanted.has(spec.id)) return;
  const dst = await freshDestination(b);
  const dstProxy = latency ? await proxyTo(b, dst) : undefined;
  const source = latency ? (b.srcProxy ??= await proxyTo(b, b.src)) : b.src;
  const proxies = latency && dstProxy ? [b.srcProxy as LatencyProxy, dstProxy] : [];
  await measure(
    b,
    {
      ...spec,
      tool: 'mbsync',
      rttMs: latency ? 2 * b.opts.latencyMs : 0,
      dst,
      proxies,
      ...sumFor(b, spec.users),
      rated: true,
    },
    async () => ({
      measured: await runMbsync({
        dir: join(b.work, spec.id),
        source: address(source),
        destination: address(dstProxy ?? dst),
        users: b.users.filter((u) => spec.users.includes(u.user)),
      }),
    }),
  );
  await stopServer(b, dst);
  if (dstProxy) await closeProxies(b, [dstProxy]);
}
