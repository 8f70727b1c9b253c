/**
 * The runs of one of issue 20's shapes, on loopback or through the latency proxies as the shape
 * says: `mailshift plan` and `report` (where the shape times them), the run, its no-op re-run,
 * `mailshift verify`, all on one destination and state; then the peer (dsync one account at a
 * time, or mbsync) on a fresh destination; with `--profile`, the run again under the profiler.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DovecotServer } from '../test/harness/dovecot.js';
import type { ProfileSummary } from './cpu-profile.js';
import {
  address,
  benchPlan,
  closeProxies,
  dsyncStep,
  freshDestination,
  keepProfile,
  log,
  mailshiftAtLatency,
  mailshiftCommandStep,
  mailshiftStep,
  mbsyncStep,
  NOOP_RUNS,
  proxyTo,
  stopServer,
  sumFor,
  type Bench,
  type RunSpec,
} from './measure.js';
import type { Options } from './options.js';
import type { RunId } from './report.js';
import type { Shape } from './shapes.js';

/** The ids of a shape's runs, by role. */
interface ShapeRunIds {
  run: RunId;
  noop: RunId;
  verify: RunId;
  peer: RunId;
  profiled: RunId;
}

function idsOf(shape: Shape): ShapeRunIds {
  if (shape.latency) {
    return {
      run: 'mailshift-30ms',
      noop: 'mailshift-noop-30ms',
      verify: 'mailshift-verify-30ms',
      peer: shape.peer === 'dsync' ? 'dsync-30ms' : 'mbsync-30ms',
      profiled: 'mailshift-30ms-profiled',
    };
  }
  return {
    run: 'mailshift-loopback',
    noop: 'mailshift-noop',
    verify: 'mailshift-verify',
    peer: shape.peer === 'dsync' ? 'dsync-loopback' : 'mbsync-loopback',
    profiled: 'mailshift-loopback-profiled',
  };
}

/** The runs of a shape this invocation makes (`--runs`, `--skip-peers` and `--profile` applied). */
export function shapeRuns(shape: Shape, opts: Options): Set<RunId> {
  const ids = idsOf(shape);
  const own: RunId[] = [
    ...(shape.planAndReport ? (['mailshift-plan', 'mailshift-report'] as const) : []),
    ids.run,
    ids.noop,
    ...(shape.noopAtLatency ? (['mailshift-noop-30ms'] as const) : []),
    ids.verify,
    ids.peer,
  ];
  const runs = new Set<RunId>(opts.runsAsked ? own.filter((r) => opts.runsAsked?.has(r)) : own);
  if (opts.skipPeers) runs.delete(ids.peer);
  if (opts.profile || opts.runsAsked?.has(ids.profiled)) runs.add(ids.profiled);
  // The no-ops and verify continue from the run's destination and state.
  if ([ids.noop, ids.verify, 'mailshift-noop-30ms'].some((r) => runs.has(r as RunId))) runs.add(ids.run);
  return runs;
}

/**
 * Makes a shape's runs.
 * @returns the CPU profiles taken (with `--profile`), by name.
 */
export async function runShape(b: Bench, shape: Shape): Promise<Record<string, ProfileSummary>> {
  const ids = idsOf(shape);
  const want = (id: RunId) => b.wanted.has(id);
  const all = b.users.map((u) => u.user);
  const rtt = 2 * b.opts.latencyMs;
  const where = shape.latency ? `${rtt} ms RTT to both servers` : 'loopback';
  const profiles: Record<string, ProfileSummary> = {};

  const dst = await freshDestination(b);
  const dstProxy = shape.latency ? await proxyTo(b, dst) : undefined;
  if (shape.latency) b.srcProxy ??= await proxyTo(b, b.src);
  const srcAddr = address(shape.latency && b.srcProxy ? b.srcProxy : b.src);
  const dstAddr = address(dstProxy ?? dst);
  const dir = join(b.work, 'mailshift');
  const planPath = benchPlan(b, dir, srcAddr, dstAddr);
  const stateDir = join(dir, 'state');
  const base: Omit<RunSpec, 'tool' | 'id' | 'title'> = {
    rttMs: shape.latency ? rtt : 0,
    dst,
    users: all,
    proxies: shape.latency && b.srcProxy && dstProxy ? [b.srcProxy, dstProxy] : [],
    messages: 0,
    bytes: 0,
    rated: false,
  };
  const before = { ...base, census: false };
  if (want('mailshift-plan'))
    await mailshiftCommandStep(
      b,
      { ...before, id: 'mailshift-plan', title: `mailshift plan, ${where}` },
      'plan',
      planPath,
      stateDir,
    );
  if (want('mailshift-report'))
    await mailshiftCommandStep(
      b,
      { ...before, id: 'mailshift-report', title: `mailshift report (dry run), ${where}` },
      'report',
      planPath,
      stateDir,
    );
  if (want(ids.run)) {
    await mailshiftStep(
      b,
      { ...base, ...sumFor(b, all), rated: true, id: ids.run, title: `mailshift run, ${where}` },
      dir,
      srcAddr,
      dstAddr,
    );
  }
  if (want(ids.noop)) {
    await mailshiftStep(
      b,
      {
        ...base,
        id: ids.noop,
        title: `mailshift again, nothing new, ${where} (wall includes process start)`,
        repeat: NOOP_RUNS,
      },
      dir,
      srcAddr,
      dstAddr,
    );
  }
  if (shape.noopAtLatency && !shape.latency && want('mailshift-noop-30ms')) {
    await noopThroughProxies(b, dst, stateDir);
  }
  if (want(ids.verify))
    await mailshiftCommandStep(
      b,
      { ...base, id: ids.verify, title: `mailshift verify, ${where}` },
      'verify',
      planPath,
      stateDir,
    );
  await stopServer(b, dst);
  if (dstProxy) await closeProxies(b, [dstProxy]);

  if (shape.peer === 'dsync') {
    // dsync runs on the destination host: only the source is behind the proxy.
    await dsyncStep(b, ids.peer, 1, srcAddr, shape.latency && b.srcProxy ? [b.srcProxy] : []);
  } else {
    await mbsyncStep(b, { id: ids.peer, title: `mbsync, ${where}`, users: all }, shape.latency);
  }

  if (want(ids.profiled)) {
    const profDir = join(b.work, 'profile');
    mkdirSync(profDir, { recursive: true });
    await profiledRun(b, shape, ids.profiled, profDir, where);
    const summary = keepProfile(profDir, `${shape.id}-run`);
    if (summary) profiles[`${shape.id} run`] = summary;
  }
  return profiles;
}

/**
 * The loopback run's no-op again, through latency proxies to both servers: a second plan file
 * naming the proxies, the same state (the state knows accounts by user, not by server address).
 */
async function noopThroughProxies(b: Bench, dst: DovecotServer, stateDir: string): Promise<void> {
  b.srcProxy ??= await proxyTo(b, b.src);
  const dstProxy = await proxyTo(b, dst);
  await mailshiftStep(
    b,
    {
      id: 'mailshift-noop-30ms',
      title: `mailshift again, nothing new, ${2 * b.opts.latencyMs} ms RTT to both servers (same state)`,
      rttMs: 2 * b.opts.latencyMs,
      dst,
      users: b.users.map((u) => u.user),
      proxies: [b.srcProxy, dstProxy],
      messages: 0,
      bytes: 0,
      rated: false,
      repeat: NOOP_RUNS,
    },
    join(b.work, 'mailshift-via-proxies'),
    address(b.srcProxy),
    address(dstProxy),
    { stateDir },
  );
  await closeProxies(b, [dstProxy]);
}

/** The shape's run again under `node --cpu-prof`, on a fresh destination (measured, not compared). */
async function profiledRun(b: Bench, shape: Shape, id: RunId, profDir: string, where: string): Promise<void> {
  const all = b.users.map((u) => u.user);
  const spec = {
    id,
    title: `mailshift run, ${where}, under node --cpu-prof (not compared)`,
    users: all,
    ...sumFor(b, all),
    notes: ['profiling slows the process; not used by any target'],
  };
  log(`profiling the ${shape.id} run`);
  if (shape.latency) {
    b.srcProxy ??= await proxyTo(b, b.src);
    await mailshiftAtLatency(b, b.srcProxy, spec, { cpuProfileDir: profDir });
    return;
  }
  const dst = await freshDestination(b);
  await mailshiftStep(
    b,
    { ...spec, rttMs: 0, dst, proxies: [], rated: true },
    join(b.work, 'mailshift-profiled'),
    address(b.src),
    address(dst),
    { cpuProfileDir: profDir },
  );
  await stopServer(b, dst);
}

/** The comparisons a shape prints: its run against its peer. */
export function shapeRatios(shape: Shape): [RunId, RunId][] {
  const ids = idsOf(shape);
  return [[ids.run, ids.peer]];
}
