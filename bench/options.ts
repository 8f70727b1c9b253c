/**
 * The benchmark's command line: which mailbox shapes to measure, the standard corpus's size, the
 * latency, mailshift's plan limits and which runs to make.
 */
import { parseArgs } from 'node:util';
import { PlanSchema } from '../src/plan/schema.js';
import type { CorpusOptions } from '../test/harness/corpus.js';
import { ALL_RUNS, type RunId } from './report.js';
import { SHAPE_IDS, type ShapeId } from './shapes.js';

/** What one invocation measures. */
export interface Options {
  /** Shapes in the order they run (`--shape a,b` or `all`; default the standard corpus alone). */
  shapes: ShapeId[];
  /** Smaller corpora everywhere: checks the machinery in a minute, measures nothing worth comparing. */
  quick: boolean;
  /** The standard corpus (shape `corpus`). */
  corpus: CorpusOptions;
  latencyMs: number;
  dsyncParallel: number;
  limits: Record<string, number>;
  /** `--runs`: only these run ids, in every shape that has them (undefined: each shape's own list). */
  runsAsked?: Set<RunId>;
  skipPeers: boolean;
  /** Also profile (node --cpu-prof) mailshift's runs, outside the measured ones. */
  profile: boolean;
  build: boolean;
  keep: boolean;
  /**
   * `--dovecot`: `default` runs both servers with Dovecot's default process model (a new
   * imap-login and a new imap process per connection); `performance` with Dovecot's documented
   * high-performance login mode and reused imap processes (DOVECOT_PERFORMANCE), as busy servers run.
   */
  dovecot: 'default' | 'performance';
  /** `--inbox-messages`: the size of inbox30k's INBOX (the speed issue's memory target names 60,000). */
  inboxMessages: number;
}

/** inbox30k's INBOX unless `--inbox-messages` says otherwise. */
export const INBOX_MESSAGES = 30_000;

/**
 * Dovecot's high-performance mode: login processes serve many connections
 * (https://doc.dovecot.org/2.3/admin_manual/login_processes/#high-performance-mode), and imap
 * processes are reused for up to 100 connections instead of exec'ed for each (`service_count`,
 * https://doc.dovecot.org/2.3/configuration_manual/service_configuration/#service-count). Measured
 * here: a login with LIST-STATUS costs Dovecot about 2 ms of CPU instead of 34-47 ms.
 */
export const DOVECOT_PERFORMANCE = `service imap-login {
  service_count = 0
  process_min_avail = 2
}
service imap {
  service_count = 100
  process_min_avail = 4
}`;

function wholeNumber(name: string, v: string | undefined, fallback: number): number {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a whole number, got ${v}`);
  return n;
}

function parseShapes(value: string | undefined): ShapeId[] {
  if (value === undefined) return ['corpus'];
  const asked = value.split(',').map((s) => s.trim());
  if (asked.includes('all')) return [...SHAPE_IDS];
  for (const s of asked)
    if (!SHAPE_IDS.includes(s as ShapeId))
      throw new Error(`--shape: unknown shape ${s}; shapes: ${SHAPE_IDS.join(', ')}, all`);
  return asked as ShapeId[];
}

function parseLimits(pairs: string[]): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const kv of pairs) {
    const m = /^(\w+)=(\d+)$/.exec(kv);
    if (!m) throw new Error(`--limit wants key=number (e.g. connectionsPerAccount=2), got ${kv}`);
    limits[m[1] as string] = Number(m[2]);
  }
  return limits;
}

function parseRuns(value: string | undefined): Set<RunId> | undefined {
  if (!value) return undefined;
  const asked = value.split(',').map((s) => s.trim());
  for (const r of asked)
    if (!ALL_RUNS.includes(r as RunId))
      throw new Error(`--runs: unknown run ${r}; runs: ${ALL_RUNS.join(', ')}`);
  return new Set(asked as RunId[]);
}

/**
 * Parses `process.argv`.
 * @throws Error naming the option and what it wants.
 */
export function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      shape: { type: 'string' },
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
      dovecot: { type: 'string', default: 'default' },
      'inbox-messages': { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const limits = parseLimits(values.limit ?? []);
  const accounts = wholeNumber('accounts', values.accounts, quick ? 2 : 5);
  return {
    shapes: parseShapes(values.shape),
    quick,
    corpus: {
      seed: wholeNumber('seed', values.seed, 20250301),
      accounts: Math.max(1, accounts),
      messagesPerAccount: wholeNumber('messages', values.messages, quick ? 300 : 4000),
      // Fewer folders keep a 300-message account from being all per-folder round trips.
      folders: quick ? 10 : 20,
      bigMessageBytes: wholeNumber('big-mb', values['big-mb'], 25) * 1024 * 1024,
    },
    latencyMs: wholeNumber('latency', values.latency, 15),
    // --quick leaves out the parallel dsync variants (with 2 accounts they show little) unless asked.
    dsyncParallel: wholeNumber(
      'dsync-parallel',
      values['dsync-parallel'],
      quick ? 1 : (effectiveLimits(limits).accountsInParallel ?? 4),
    ),
    limits,
    runsAsked: parseRuns(values.runs),
    skipPeers: values['skip-peers'] ?? false,
    profile: values.profile ?? false,
    build: !values['no-build'],
    keep: values.keep ?? false,
    dovecot: dovecotMode(values.dovecot),
    inboxMessages: Math.max(
      1,
      wholeNumber('inbox-messages', values['inbox-messages'], quick ? INBOX_MESSAGES / 10 : INBOX_MESSAGES),
    ),
  };
}

function dovecotMode(v: string | undefined): Options['dovecot'] {
  if (v === undefined || v === 'default' || v === 'performance') return v ?? 'default';
  throw new Error(`--dovecot wants default or performance, got ${v}`);
}

/** The servers' extra configuration for `--dovecot`. */
export function dovecotConfig(opts: Pick<Options, 'dovecot'>): { extraConfig?: string } {
  return opts.dovecot === 'performance' ? { extraConfig: DOVECOT_PERFORMANCE } : {};
}

/** The plan limits mailshift will use: the schema's defaults with the --limit overrides. */
export function effectiveLimits(overrides: Record<string, number>): Record<string, number> {
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
