/**
 * The standard corpus's runs (issue 10): N accounts of about 20 folders, mailshift against dsync
 * on loopback and at 30 ms, one account against mbsync at 30 ms, the no-op re-run and a delta.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyDelta, type DeltaSummary } from './delta.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { DovecotServer } from '../test/harness/dovecot.js';
import {
  address,
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
  sourceCensus,
  stopServer,
  sumFor,
  type Bench,
} from './measure.js';
import type { Options } from './options.js';
import type { RunId } from './report.js';
import { runMailshift } from './run-mailshift.js';

/** The standard corpus's runs, in order; `mailshift-verify` only when `--runs` asks for it. */
const CORPUS_RUNS: RunId[] = [
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
];

/** The runs of the standard corpus that this invocation makes. */
export function corpusRuns(opts: Options): Set<RunId> {
  const runs = new Set<RunId>(
    opts.runsAsked
      ? [...opts.runsAsked].filter((r) =>
          [...CORPUS_RUNS, 'mailshift-verify', 'mailshift-loopback-profiled'].includes(r),
        )
      : CORPUS_RUNS,
  );
  if (opts.skipPeers) for (const r of [...runs]) if (!r.startsWith('mailshift')) runs.delete(r);
  if (opts.profile) runs.add('mailshift-loopback-profiled');
  // The no-op, verify and the delta run continue from the full loopback run's destination and state.
  if (runs.has('mailshift-noop') || runs.has('mailshift-verify') || runs.has('mailshift-delta'))
    runs.add('mailshift-loopback');
  return runs;
}

/** What the standard corpus's runs found besides their records. */
export interface CorpusExtras {
  delta?: DeltaSummary;
  profiles: Record<string, ProfileSummary>;
}

/**
 * The standard corpus's runs (issue 10): mailshift and dsync on loopback and at 30 ms, one account
 * against mbsync at 30 ms, the no-op and the delta on the first run's destination.
 */
export async function runCorpus(b: Bench): Promise<CorpusExtras> {
  const { opts } = b;
  const want = (id: RunId) => b.wanted.has(id);
  const all = b.users.map((u) => u.user);
  const first = all.slice(0, 1);
  const rtt = 2 * opts.latencyMs;
  const whole = sumFor(b, all);
  const one = sumFor(b, first);
  const srcAddr = address(b.src);
  let loopDst: DovecotServer | undefined;
  const loopDir = join(b.work, 'mailshift-loopback');
  const out: CorpusExtras = { profiles: {} };

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
        repeat: NOOP_RUNS,
      },
      loopDir,
      srcAddr,
      address(loopDst),
    );
  }
  if (want('mailshift-verify') && loopDst) {
    await mailshiftCommandStep(
      b,
      {
        id: 'mailshift-verify',
        title: 'mailshift verify, all accounts, loopback',
        rttMs: 0,
        dst: loopDst,
        users: all,
        proxies: [],
        messages: 0,
        bytes: 0,
        rated: false,
      },
      'verify',
      join(loopDir, 'plan.yaml'),
      join(loopDir, 'state'),
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
    const summary = keepProfile(profDir, 'corpus-noop');
    if (summary) out.profiles.noop = summary;
  }
  await dsyncStep(b, 'dsync-loopback', 1, srcAddr, []);
  await dsyncStep(b, 'dsync-loopback-parallel', opts.dsyncParallel, srcAddr, []);
  const needProxy = [...b.wanted].some((r) => r.includes('30ms'));
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
  await mbsyncStep(
    b,
    { id: 'mbsync-30ms-1acct', title: `mbsync, one account (${first[0]}), ${rtt} ms RTT`, users: first },
    true,
  );
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
    const summary = keepProfile(profDir, 'corpus-loopback');
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
