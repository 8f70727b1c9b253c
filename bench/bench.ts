/**
 * `npm run bench`: mailshift against its peers on one or more mailbox shapes, side by side, on
 * this machine.
 *
 * For each shape (`--shape`, default `corpus`; `all` for every one) it starts a source Dovecot
 * (cPanel-style, fsync on), writes a deterministic corpus into its maildirs, and measures each run
 * against a fresh destination Dovecot (fsync on); a run counts only when the destination's
 * per-folder message, unseen and flagged counts equal the source's (and a mailshift command only
 * when it exits 0). Shapes (bench/shapes.ts):
 *  - corpus: N accounts of about 20 folders, the runs of issue 10 (bench/corpus-runs.ts);
 *  - inbox30k: one INBOX of 30,000 messages, loopback, against dsync;
 *  - folders200: an accountant's 200 small folders, 30 ms RTT, against mbsync;
 *  - folders24: one account of 24 folders and 1,500 messages, 30 ms RTT, against mbsync;
 *  - accounts150: 150 accounts of 20 messages, loopback, against dsync one account at a time;
 *    each with its no-op re-run and `mailshift verify` (and `plan`, `report` for accounts150),
 *    bench/shape-runs.ts. With --profile, mailshift's run again under `node --cpu-prof`, summarised.
 * Prints each shape's tables, ratios and targets (PASS/MISS, never the exit code; only an
 * incomplete mailshift run makes it exit 1) and writes bench/results/<timestamp>.json (fields in
 * bench/results/README.md). Each shape's servers and files are removed before the next starts.
 *
 * Options: --shape corpus|inbox30k|folders200|folders24|accounts150|all (comma-separated)
 *          --quick (every corpus scaled down) | corpus: --accounts N --messages M --big-mb N
 *          --seed S | --inbox-messages N (inbox30k's INBOX, default 30,000) | --latency MS (each
 *          way, default 15) | --dsync-parallel N (default: mailshift's
 *          accountsInParallel) | --limit key=value (plan limits, repeatable) | --runs id,id
 *          | --skip-peers | --profile | --no-build | --keep (leave the work and server folders in /tmp)
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
import { format, resolveConfig } from 'prettier';
import { corpusUsers, writeCorpus, writeLayout, type CorpusSummary } from '../test/harness/corpus.js';
import { startDovecot, type DovecotServer } from '../test/harness/dovecot.js';
import { ISYNC, ensureSystemPackages } from '../test/harness/system-deps.js';
import { corpusRuns, runCorpus } from './corpus-runs.js';
import { formatProfile, type ProfileSummary } from './cpu-profile.js';
import type { DeltaSummary } from './delta.js';
import type { LatencyProxy } from './latency-proxy.js';
import { RESULTS, closeProxies, log, sourceCensus, stamp, stopServer, type Bench } from './measure.js';
import { dovecotConfig, effectiveLimits, parseOptions, type Options } from './options.js';
import { dovecotMasterPid, killTracked } from './processes.js';
import {
  CORPUS_RATIOS,
  ratiosTable,
  runsTable,
  targetsTable,
  type RunId,
  type RunRecord,
  type TargetResult,
} from './report.js';
import { CLI } from './run-mailshift.js';
import { runShape, shapeRatios, shapeRuns } from './shape-runs.js';
import { SHAPES, type LayoutArgs, type ShapeId } from './shapes.js';
import { evaluateTargets } from './targets.js';

const REPO = resolve(import.meta.dirname, '..');

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

/**
 * Bundles mailshift (scripts/build.mjs, what `npm run build` ends with) unless dist/ is newer than
 * every source file (`npm run bench` builds first). Not `tsc -p tsconfig.json`: that would emit
 * one file per module over the bundle, and a no-op run would measure module loading.
 */
function build(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestMtime(join(REPO, 'src'))) return;
  log('building mailshift (scripts/build.mjs)');
  const res = spawnSync(process.execPath, [join(REPO, 'scripts/build.mjs')], { cwd: REPO, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`the build failed:\n${res.stdout}${res.stderr}`);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing after the build`);
}

/** Removes a folder, retrying while processes that just died may still have created files in it. */
function removeQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch (err) {
    process.stderr.write(`[bench] could not remove ${dir}: ${String(err)}\n`);
  }
}

/** The runs a shape makes in this invocation. */
function wantedRuns(shape: ShapeId, opts: Options): Set<RunId> {
  return shape === 'corpus' ? corpusRuns(opts) : shapeRuns(SHAPES[shape], opts);
}

/** What one shape measured, as printed and written to the results file. */
interface ShapeResult {
  shape: ShapeId;
  title: string;
  corpus: {
    seed: number;
    accounts: number;
    folders: number;
    messages: number;
    bytes: number;
    medianBytes: number;
    largestBytes: number;
    overOneMb: number;
    writeS: number;
    indexS: number;
  };
  delta: DeltaSummary | null;
  runs: RunRecord[];
  targets: TargetResult[];
  profiles: Record<string, ProfileSummary>;
}

/** What a shape's corpus and title depend on, from the command line. */
function layoutArgs(opts: Options): LayoutArgs {
  return { seed: opts.corpus.seed, quick: opts.quick, inboxMessages: opts.inboxMessages };
}

function shapeTitle(shape: ShapeId, opts: Options): string {
  if (shape !== 'corpus') return SHAPES[shape].title(layoutArgs(opts));
  const c = opts.corpus;
  return `${c.accounts} accounts x ${c.messagesPerAccount} messages in ${c.folders} folders`;
}

/** The corpus as the results file records it. */
function corpusFacts(seed: number, corpus: CorpusSummary): ShapeResult['corpus'] {
  return {
    seed,
    accounts: corpus.accounts.length,
    folders: corpus.accounts.reduce((s, a) => s + a.folders.length, 0),
    messages: corpus.messages,
    bytes: corpus.bytes,
    medianBytes: corpus.medianBytes,
    largestBytes: corpus.largest,
    overOneMb: corpus.overOneMb,
    writeS: corpus.writeMs / 1000,
    indexS: corpus.indexMs / 1000,
  };
}

/** Shared by every shape: where servers and proxies are registered for the exit hook. */
interface Session {
  opts: Options;
  work: string;
  servers: DovecotServer[];
  proxies: LatencyProxy[];
}

/**
 * One shape: source server and corpus, its runs, its targets. The source server, its proxy and
 * the shape's work folder are gone when it returns (unless --keep).
 */
async function measureShape(s: Session, shape: ShapeId): Promise<ShapeResult> {
  const { opts } = s;
  const seed = opts.corpus.seed;
  const layout = shape === 'corpus' ? undefined : SHAPES[shape].layout(layoutArgs(opts));
  const users = corpusUsers({ accounts: layout ? layout.accounts.length : opts.corpus.accounts });
  log(`shape ${shape}: ${shapeTitle(shape, opts)}${opts.quick ? ' (--quick: scaled down)' : ''}`);
  const src = await startDovecot({ flavor: 'source', users, fsync: true, ...dovecotConfig(opts) });
  s.servers.push(src);
  const work = join(s.work, shape);
  mkdirSync(work, { recursive: true });
  let b: Bench | undefined;
  try {
    const corpus = layout ? writeLayout(src, layout) : writeCorpus(src, opts.corpus);
    const facts = corpusFacts(seed, corpus);
    log(
      `corpus: ${facts.accounts} accounts, ${facts.folders} folders, ${corpus.messages} messages, ${(corpus.bytes / 1e6).toFixed(0)} MB ` +
        `(median ${(corpus.medianBytes / 1000).toFixed(1)} KB, ${corpus.overOneMb} of 1 MB or more, largest ${(corpus.largest / 1e6).toFixed(1)} MB), ` +
        `written in ${(corpus.writeMs / 1000).toFixed(1)} s, indexed in ${(corpus.indexMs / 1000).toFixed(1)} s`,
    );
    b = {
      opts,
      shape,
      wanted: wantedRuns(shape, opts),
      work,
      src,
      users,
      corpus,
      sourceCensus: new Map(),
      servers: s.servers,
      proxies: s.proxies,
      records: [],
    };
    await sourceCensus(b);
    let delta: DeltaSummary | null = null;
    let profiles: Record<string, ProfileSummary>;
    if (shape === 'corpus') {
      const extra = await runCorpus(b);
      delta = extra.delta ?? null;
      profiles = extra.profiles;
    } else {
      profiles = await runShape(b, SHAPES[shape]);
    }
    return {
      shape,
      title: shapeTitle(shape, opts),
      corpus: facts,
      delta,
      runs: b.records,
      targets: evaluateTargets(shape, b.records),
      profiles,
    };
  } finally {
    if (b?.srcProxy) await closeProxies(b, [b.srcProxy]);
    await stopServer(s, src);
    if (!opts.keep) removeQuietly(work);
  }
}

/** A shape's section of the printed report. */
function shapeText(r: ShapeResult, opts: Options): string {
  const c = r.corpus;
  const pairs = r.shape === 'corpus' ? CORPUS_RATIOS : shapeRatios(SHAPES[r.shape]);
  return [
    `### ${r.shape}: ${r.title}`,
    '',
    `corpus: ${c.accounts} accounts, ${c.folders} folders, ${c.messages} messages, ${(c.bytes / 1e6).toFixed(0)} MB ` +
      `(median ${(c.medianBytes / 1000).toFixed(1)} KB, largest ${(c.largestBytes / 1e6).toFixed(1)} MB), seed ${c.seed}; ` +
      `written in ${c.writeS.toFixed(1)} s, indexed in ${c.indexS.toFixed(1)} s`,
    '',
    runsTable(r.runs),
    '',
    ratiosTable(r.runs, pairs),
    '',
    targetsTable(r.targets),
    ...(opts.quick
      ? ['', 'Quick corpus: the targets are for the full corpora (`npm run bench`); here start-up dominates.']
      : []),
    ...Object.values(r.profiles).flatMap((p) => ['', '```', formatProfile(p), '```']),
    '',
  ].join('\n');
}

/** Writes the results file (again after each shape, so a failure later keeps what was measured). */
async function writeResults(
  file: string,
  head: Record<string, unknown>,
  shapes: ShapeResult[],
): Promise<void> {
  const result = { ...head, finishedAt: new Date().toISOString(), shapes };
  // Formatted as the repository's Prettier would, so `npm run lint` passes with results present.
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(JSON.stringify(result), { ...options, parser: 'json' }));
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const started = new Date();
  const session: Session = {
    opts,
    work: mkdtempSync(join(tmpdir(), 'mailshift-bench-')),
    servers: [],
    proxies: [],
  };
  // Our own harness run tag: another session's test-suite sweep of its stray servers leaves ours alone.
  process.env.MAILSHIFT_HARNESS_RUN ??= `bench-${process.pid}`;
  // The harness removes a stopped server's folder unless this is set.
  if (opts.keep) process.env.MAILSHIFT_KEEP_SERVERS = '1';
  // Synchronous last resort for any exit (Ctrl-C included): kill what we started, remove its files.
  process.on('exit', () => {
    killTracked();
    for (const s of session.servers) {
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
    if (!opts.keep) removeQuietly(session.work);
  });
  // A closed stdout (`| head`) must not cut the run short: the results file is still written.
  process.stdout.on('error', () => {});
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));

  if (opts.build) build();
  const wanted = opts.shapes.flatMap((shape) => [...wantedRuns(shape, opts)]);
  const peers = wanted.some((r) => !r.startsWith('mailshift'));
  if (wanted.some((r) => r.startsWith('mbsync'))) ensureSystemPackages([ISYNC]);
  const env = {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    versions: versions(),
  };
  const versionText = Object.entries(env.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
  log(`${env.cores} cores, ${env.cpuModel}; ${versionText}`);
  const limits = effectiveLimits(opts.limits);
  process.stdout.write(
    [
      '',
      `## mailshift benchmark, ${started.toISOString()}: ${opts.shapes.join(', ')}`,
      '',
      `${env.cores} cores (${env.cpuModel}), ${env.memoryGb} GiB; ${versionText}`,
      `both servers Dovecot with fsync${opts.dovecot === 'performance' ? ' in high-performance mode (--dovecot performance: login and imap processes reused)' : ", a login and an imap process per connection (Dovecot's default)"}; latency proxies ${opts.latencyMs} ms each way; mailshift limits ${Object.entries(
        limits,
      )
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(
          ' ',
        )}; dsync one account at a time${opts.dsyncParallel > 1 ? ` (corpus: also ${opts.dsyncParallel} at a time)` : ''}`,
      '',
      '',
    ].join('\n'),
  );
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${stamp()}.json`);
  const head = {
    format: 'mailshift-bench',
    version: 2,
    startedAt: started.toISOString(),
    quick: opts.quick,
    machine: env,
    settings: {
      latencyMsEachWay: opts.latencyMs,
      dsyncParallel: opts.dsyncParallel,
      mailshiftLimits: limits,
      fsync: true,
      dovecot: opts.dovecot,
    },
  };
  const results: ShapeResult[] = [];
  let exitCode = 0;
  try {
    for (const shape of opts.shapes) {
      const result = await measureShape(session, shape);
      results.push(result);
      process.stdout.write(shapeText(result, opts));
      await writeResults(file, head, results);
      log(`results written to ${relative(REPO, file)}`);
    }
    if (results.length > 1) {
      const all = results.flatMap((r) => r.targets.map((t) => ({ ...t, target: `${r.shape}: ${t.target}` })));
      process.stdout.write(`\n### all targets\n\n${targetsTable(all)}\n`);
    }
    const broken = results.flatMap((r) => r.runs.filter((run) => !run.complete).map((run) => ({ r, run })));
    for (const { r, run } of broken)
      log(`${r.shape} ${run.id} did not complete: ${run.problems.slice(0, 5).join('; ')}`);
    // A mailshift run that is not complete is a bug; a peer's is only reported.
    if (broken.some(({ run }) => run.tool === 'mailshift')) exitCode = 1;
    if (!peers) log('peers skipped: no ratios');
  } finally {
    killTracked();
    await Promise.allSettled(session.proxies.map((p) => p.close()));
    const left = [...session.servers];
    session.servers.length = 0;
    if (opts.keep) log(`kept the work folder ${session.work} and the servers' folders`);
    await Promise.allSettled(left.map((s) => s.stop()));
    if (!opts.keep) rmSync(session.work, { recursive: true, force: true });
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
