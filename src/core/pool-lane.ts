/**
 * One lane of an account pool (account-pool.ts): its connections, the job it works on and the one
 * it took ahead. It connects when a job starts, closes everything before a retry (so the retry runs
 * on new connections), and when it must stop gives its job ahead back to the queue, once that
 * job's preparation has ended.
 */
import { closeLane, openLane, type Connections, type LaneConnectors } from './lane-connections.js';

/** What a job works with: its lane's connections and the lane's few controls. */
export interface Lane<C, J, P> {
  /** This attempt's connections (new ones after a retry). */
  readonly conns: C;
  /** Aborted when the run is interrupted or the account stops: stop between units. */
  readonly signal: AbortSignal;
  /** Counts progress (a batch committed): a later failure starts its attempts afresh. */
  progress(): void;
  /**
   * Takes the next job off the queue while this one ends, to prepare it on these connections; it
   * is this lane's next job. `prepare` may return nothing (the job is kept, prepared later). Does
   * nothing when a job is already ahead, the queue is empty, or the lane is about to stop.
   */
  prepareNext(prepare: (job: J) => Promise<P> | undefined): void;
}

/**
 * Does one job. `prepared` is what an earlier `prepareNext` started for it on the same
 * connections, given once; after a reconnect the job is prepared afresh.
 * @throws a transient StoreError to be retried; anything else stops the account.
 */
export type Work<C, J, P> = (job: J, lane: Lane<C, J, P>, prepared: Promise<P> | undefined) => Promise<void>;

/** The jobs of one account and what to do with each. */
export interface PoolJobs<C, J, P> {
  jobs: readonly J[];
  work: Work<C, J, P>;
  /** Names a job in logs (its folder). */
  name(job: J): string;
}

/** The part of the pool its lanes use. */
export interface LaneHost<C, J, P> {
  jobs: PoolJobs<C, J, P>;
  signal: AbortSignal;
  connect: LaneConnectors<C>;
  progress(): void;
  /** Whether lane `index` may take another job (its lane not shed, the run not stopped). */
  mayContinue(index: number): boolean;
  take(): J | undefined;
  /** Puts a job back at the front of the queue. */
  handBack(job: J): void;
  /** Stops every lane of the account: the first failure is the account's. */
  fail(err: unknown): void;
  retrying(folder: string, fn: () => Promise<void>, reset: () => Promise<void>): Promise<void>;
  /**
   * Takes a lane's connections as it ends: the pool keeps those it has a use for (a lane that
   * ended cleanly only) and closes the others.
   */
  retire(conns: Partial<C>, clean: boolean): Promise<void>;
}

/** A job taken, with what was prepared for it ahead and on which connections. */
interface Turn<J, P> {
  job: J;
  prepared?: Promise<P>;
  /** The lane's connection generation the job was taken (and prepared) on. */
  generation: number;
}

/** One lane: its connections, its current job and the one it took ahead. */
export class PoolLane<C extends Connections<C>, J, P> implements Lane<C, J, P> {
  private held: Partial<C>;
  private current: C | undefined;
  /** Grows each time the connections are closed: a preparation is only good on its own. */
  private generation = 0;
  private ahead: Turn<J, P> | undefined;

  constructor(
    private readonly host: LaneHost<C, J, P>,
    private readonly index: number,
    handover: Partial<C>,
  ) {
    this.held = handover;
  }

  get conns(): C {
    if (!this.current) throw new Error('a lane has connections only while it works');
    return this.current;
  }

  get signal(): AbortSignal {
    return this.host.signal;
  }

  progress(): void {
    this.host.progress();
  }

  prepareNext(prepare: (job: J) => Promise<P> | undefined): void {
    if (this.ahead) return;
    const turn = this.take();
    if (!turn) return;
    const prepared = prepare(turn.job);
    prepared?.catch(() => {}); // awaited when its turn comes
    this.ahead = prepared ? { ...turn, prepared } : turn;
  }

  /**
   * Takes jobs until none is left or this lane must stop; always hands its connections to the pool,
   * which keeps or closes them.
   */
  async run(): Promise<void> {
    let turn = this.take();
    let clean = false;
    try {
      for (; turn; turn = await this.following()) await this.runJob(turn);
      clean = true;
    } catch (err) {
      this.host.fail(err);
      if (turn) await this.giveBack(turn);
      if (this.ahead) await this.giveBack(this.ahead);
      this.ahead = undefined;
    } finally {
      await this.host.retire(this.held, clean);
    }
  }

  private async runJob(turn: Turn<J, P>): Promise<void> {
    let prepared = turn.prepared;
    await this.host.retrying(
      this.host.jobs.name(turn.job),
      async () => {
        await this.connect();
        // Used once, on the connections that prepared it; otherwise prepared afresh by the work,
        // once the old preparation has ended.
        const usable = turn.generation === this.generation ? prepared : undefined;
        if (!usable) await settled(prepared);
        prepared = undefined;
        await this.host.jobs.work(turn.job, this, usable);
      },
      () => this.disconnect(),
    );
  }

  /** The job after this one: the one taken ahead, unless this lane must stop (then it goes back). */
  private async following(): Promise<Turn<J, P> | undefined> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (!ahead) return this.take();
    if (this.host.mayContinue(this.index)) return ahead;
    await this.giveBack(ahead);
    return undefined;
  }

  private take(): Turn<J, P> | undefined {
    const job = this.host.mayContinue(this.index) ? this.host.take() : undefined;
    return job === undefined ? undefined : { job, generation: this.generation };
  }

  /** Hands a job back to the queue once what was prepared for it has ended. */
  private async giveBack(turn: Turn<J, P>): Promise<void> {
    await settled(turn.prepared);
    this.host.handBack(turn.job);
  }

  private async connect(): Promise<void> {
    this.current ??= await openLane(this.host.connect, this.held);
    this.held = this.current;
  }

  private async disconnect(): Promise<void> {
    const held = this.held;
    this.held = {};
    this.current = undefined;
    this.generation++;
    await closeLane(held);
  }
}

/** Waits for a preparation to end, whichever way. */
async function settled(p: Promise<unknown> | undefined): Promise<void> {
  await p?.catch(() => undefined);
}
