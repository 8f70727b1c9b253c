/**
 * The bodies of a folder's batches, fetched a few batches ahead of the one being appended, within
 * the run's byte budget: each batch's bytes are taken before its FETCH is sent and given back once
 * its APPEND is answered (by the caller) or, for batches never taken, by {@link BodyPrefetch.drain}.
 */
import type { Body } from '../core/body.js';
import type { MessageMeta } from '../core/messages.js';
import type { FolderContext } from './folder-context.js';

/** One batch's bodies and the budget bytes they hold. */
export interface FetchedBatch {
  bytes: number;
  bodies: Map<number, Body>;
}

/** Fetches a folder's batches in order, `ahead` of them in flight at most. */
export class BodyPrefetch {
  private readonly fetches: Promise<FetchedBatch>[] = [];
  /** Batches whose fetch has started. */
  private started = 0;
  /** Batches whose FETCH command is queued on the connection. */
  private sent = 0;

  /**
   * @param readsIssued called once every batch's FETCH has been sent: from then on the body reader
   *   may be asked to open the next folder (it does so once these FETCHes have ended).
   */
  constructor(
    private readonly ctx: Pick<FolderContext, 'budget' | 'bodies'>,
    private readonly batches: readonly MessageMeta[][],
    private readonly ahead: number,
    private readonly readsIssued: () => void,
  ) {
    this.fill();
  }

  /**
   * The next batch's bodies; the batches after it start fetching.
   * @throws the body reader's failure (a lost connection)
   */
  async next(): Promise<FetchedBatch> {
    const fetched = await this.fetches.shift()!;
    this.fill();
    return fetched;
  }

  /** Waits for the fetches never taken and gives their bytes back. */
  async drain(): Promise<void> {
    for (const f of this.fetches) await f.then((r) => this.ctx.budget.release(r.bytes)).catch(() => {});
  }

  private fill(): void {
    while (this.started < this.batches.length && this.fetches.length < this.ahead)
      this.fetches.push(this.fetch(this.batches[this.started++]!));
  }

  private fetch(batch: readonly MessageMeta[]): Promise<FetchedBatch> {
    const { budget, bodies } = this.ctx;
    const bytes = batch.reduce((s, m) => s + m.size, 0);
    const p = (async () => {
      await budget.acquire(bytes);
      try {
        const reading = bodies.fetch(batch.map((m) => m.uid)); // queued on the connection now
        if (++this.sent === this.batches.length) this.readsIssued();
        return { bytes, bodies: await reading };
      } catch (err) {
        budget.release(bytes);
        throw err;
      }
    })();
    // A prefetch may fail (connection lost) before anyone awaits it: mark it handled so Node
    // does not kill the process; next() still throws.
    p.catch(() => {});
    return p;
  }
}
