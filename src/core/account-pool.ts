/**
 * One account's workers, for run, verify and anything else that works through an account's folders
 * over a few lanes of connections (connection-caps.ts says how many). The pool does no I/O of its
 * own: it is given the functions that open a lane's connections and the work to do on them.
 *
 * - Setup units (listing the folders...) run first, retried, on connections lane 0 then takes over.
 * - Lanes take jobs from one queue in the order given (the caller puts the biggest first, so the
 *   last lane does not finish long after the others).
 * - A job that fails transiently (connection lost or stalled, server throttling) is retried on new
 *   connections after the server's wait or a backoff, per the plan's `limits.retry` (retry.ts);
 *   attempts count consecutive failures without progress, and any lane's progress resets them.
 * - A throttling server takes one lane away (never the last): that lane stops at its next job.
 * - A lane that must stop (one lane fewer, or the run interrupted) gives the job it took ahead back
 *   to the queue, once that job's preparation has settled, for another lane or the next run.
 * - Any other failure of a job stops the whole account: every lane ends, and `run` rejects with
 *   that first failure. A job's own failures (a folder refused) are its work's to report.
 */
import type { RetryPolicy } from './backoff.js';
import { closeLane, openLane, type Connections, type LaneConnectors } from './lane-connections.js';
import { PoolLane, type LaneHost, type PoolJobs } from './pool-lane.js';
import { retrying, type RetryNotice } from './retry.js';

export type { Lane, PoolJobs, Work } from './pool-lane.js';

/** Where the pool says what it does: a pino logger fits. */
export interface PoolLog {
  warn(fields: object, message: string): void;
}

/** What an account pool is made of. */
export interface AccountPoolOptions<C> {
  /** Named in logs and in the error when retries run out. */
  account: string;
  /** Lanes at most (connection-caps.ts); fewer when there are fewer jobs. */
  lanes: number;
  retry: RetryPolicy;
  /** The run's signal: lanes stop taking jobs once it aborts. */
  signal: AbortSignal;
  /** Opens each connection of a lane. */
  connect: LaneConnectors<C>;
  log: PoolLog;
  /**
   * Connections the pool keeps from the first lane that ends cleanly, for the setup units after the
   * jobs (see {@link AccountPool.withdraw}); closed by {@link AccountPool.close} otherwise.
   */
  keep?: readonly (keyof C)[];
}

/** One account's lanes of connections working through a queue of jobs. */
export class AccountPool<C extends Connections<C>, J, P = never> {
  /** The run's signal, or the account's stop. */
  readonly signal: AbortSignal;
  private readonly stop = new AbortController();
  private open: number;
  private progressed = 0;
  private failure: { err: unknown } | undefined;
  /** Connections the setup opened (or the caller adopted), for lane 0. */
  private handover: Partial<C> = {};
  private readonly queue: J[] = [];
  /** LOGOUTs of lanes that ended with nothing left to do, not waited for by `run` (see retire). */
  private closing: Promise<void>[] = [];

  constructor(private readonly opts: AccountPoolOptions<C>) {
    this.open = Math.max(1, opts.lanes);
    this.signal = AbortSignal.any([opts.signal, this.stop.signal]);
  }

  /** Lanes still allowed to take jobs. */
  get lanes(): number {
    return this.open;
  }

  /**
   * Lets fewer lanes work than the caps allow: connections follow the work, so a small account does
   * not log in on four connections per side to copy twenty messages.
   */
  limitLanes(lanes: number): void {
    this.open = Math.max(1, Math.min(this.open, lanes));
  }

  /** Jobs not done: never taken, handed back, or the one whose failure stopped the account. */
  get left(): readonly J[] {
    return this.queue;
  }

  /**
   * Takes a connection the pool holds (the setup's, or one a lane left, see `keep`) out of it: the
   * caller uses it and closes it.
   */
  withdraw<K extends keyof C>(name: K): C[K] | undefined {
    const conn = this.handover[name];
    delete this.handover[name];
    return conn;
  }

  /** Gives the pool connections opened elsewhere (the first logins): lane 0 takes them over. */
  adopt(conns: Partial<C>): void {
    this.handover = { ...this.handover, ...conns };
  }

  /**
   * Runs one unit of the account's setup on the connections it needs (opened now when missing),
   * retried like a job; those connections stay open for lane 0.
   * @throws the unit's failure (the account-scope error of retry.ts when retries ran out)
   */
  async setup<K extends keyof C, T>(
    unit: string,
    needs: readonly K[],
    fn: (conns: Pick<C, K>) => Promise<T>,
  ): Promise<T> {
    const connect = Object.fromEntries(needs.map((k) => [k, this.opts.connect[k]])) as LaneConnectors<
      Pick<C, K>
    >;
    await this.quiet();
    return this.retrying(
      { unit },
      async () => {
        const conns = await openLane(connect, this.handover);
        this.adopt(conns as Partial<C>);
        return fn(conns);
      },
      () => this.closeSome(needs),
    );
  }

  /**
   * Works through the jobs over the lanes; resolves once every lane has ended (queue empty, run
   * interrupted, or account stopped) and closed its connections, but for the LOGOUT of lanes that
   * ended with nothing left to do: {@link quiet} and {@link close} wait for those.
   * @throws the first failure that stopped the account
   */
  async run(jobs: PoolJobs<C, J, P>): Promise<void> {
    await this.quiet();
    this.queue.push(...jobs.jobs);
    this.open = Math.max(1, Math.min(this.open, this.queue.length));
    const handover = this.handover;
    this.handover = {};
    const host = this.host(jobs);
    let first: Partial<C> = handover;
    // A lane that stops hands its job ahead back; when every other lane has ended by then, the
    // job waits for lanes started anew (lane 0 is never taken away, so this ends).
    while (this.queue.length > 0 && !this.signal.aborted) {
      const lanes = Math.min(this.open, this.queue.length);
      await Promise.allSettled(
        Array.from({ length: lanes }, (_, i) => new PoolLane(host, i, i === 0 ? first : {}).run()),
      );
      first = {};
    }
    await closeLane(first);
    if (this.failure) throw this.failure.err;
  }

  /** Closes the connections the setup opened that no lane took over, and waits for every LOGOUT. */
  async close(): Promise<void> {
    await this.closeSome(Object.keys(this.handover) as (keyof C)[]);
    await this.quiet();
  }

  /**
   * Resolves once the lanes that ended have closed their connections: before anything opens
   * another, so that the account never holds more than its caps.
   */
  async quiet(): Promise<void> {
    await Promise.all(this.closing);
    this.closing = [];
  }

  /** Closes some of the setup's connections (those of a unit that failed: other units go on). */
  private async closeSome(names: readonly (keyof C)[]): Promise<void> {
    const closing: Partial<C> = {};
    for (const k of names) {
      closing[k] = this.handover[k];
      delete this.handover[k];
    }
    await closeLane(closing);
  }

  /** What the lanes may do with the pool. */
  private host(jobs: PoolJobs<C, J, P>): LaneHost<C, J, P> {
    return {
      jobs,
      signal: this.signal,
      connect: this.opts.connect,
      progress: () => void this.progressed++,
      mayContinue: (index) => index < this.open && !this.signal.aborted,
      take: () => this.queue.shift(),
      handBack: (job) => void this.queue.unshift(job),
      fail: (err) => {
        this.failure ??= { err };
        this.stop.abort();
      },
      retrying: (folder, fn, reset) => this.retrying({ folder }, fn, reset),
      retire: (conns, clean) => this.retire(conns, clean),
    };
  }

  /** Keeps what `keep` names of a lane that ended cleanly (once each), closes the rest. */
  private async retire(conns: Partial<C>, clean: boolean): Promise<void> {
    const closing: Partial<C> = { ...conns };
    if (clean && !this.signal.aborted) {
      for (const k of this.opts.keep ?? []) {
        if (conns[k] === undefined || this.handover[k] !== undefined) continue;
        this.handover[k] = conns[k];
        delete closing[k];
      }
    }
    const closed = closeLane(closing);
    // The last lanes' LOGOUTs need not hold up what follows the jobs (the closing check is one
    // round trip on the connection kept): the account waits for them before it ends.
    if (clean && this.queue.length === 0 && !this.signal.aborted) this.closing.push(closed);
    else await closed;
  }

  /** Retries a unit with the plan's policy, taking a lane away when the server throttles. */
  private retrying<T>(
    at: { unit: string } | { folder: string },
    fn: () => Promise<T>,
    reset: () => Promise<void>,
  ): Promise<T> {
    const { account, retry, log } = this.opts;
    return retrying(fn, {
      account,
      policy: retry,
      signal: this.signal,
      progress: () => this.progressed,
      reset,
      onRetry: (n: RetryNotice) => {
        if (n.transient.kind === 'throttled') this.shed();
        const fields = { account, ...at, attempt: n.attempt, delay: n.delay, err: String(n.err) };
        log.warn(fields, 'folder' in at ? 'retrying folder' : 'retrying account setup');
      },
    });
  }

  private shed(): void {
    if (this.open <= 1) return;
    this.open--;
    this.opts.log.warn(
      { account: this.opts.account, connections: this.open },
      'server asks to slow down: fewer connections',
    );
  }
}
