/**
 * One side's control connection of a copy lane: mailshift's own (folder-control.ts) for what a copy
 * asks on every folder, imapflow for the rest. A lane holds one control connection per side, as the
 * plan's connection caps count it: the first call the own connection cannot answer closes it and
 * opens imapflow, which then answers everything for the life of the lane's connections (a re-run
 * that brings flag changes over, resolves an interrupted batch or reads a destination someone else
 * filled). Calls run one at a time, so that no own command is under way while the switch happens.
 */
import PQueue from 'p-queue';
import type { FolderControl } from './folder-control.js';
import { connectionLost } from './store-errors.js';

/** An own-connection call's answer that asks for imapflow instead (a listing the burst cannot read). */
export const ASK_IMAPFLOW = Symbol('ask imapflow');

/** The control connection of one side of a lane (see the file comment). */
export class ControlSwitch<F extends { readonly capabilities: ReadonlySet<string>; close(): Promise<void> }> {
  private own: Promise<FolderControl> | undefined;
  private flow: Promise<F> | undefined;
  private readonly queue = new PQueue({ concurrency: 1 });
  private known: ReadonlySet<string> | undefined;
  private closed = false;

  constructor(
    private readonly openOwn: () => Promise<FolderControl>,
    private readonly openFlow: () => Promise<F>,
  ) {}

  /** Logs in on the own connection now, which makes the server's capabilities known. */
  async connect(): Promise<void> {
    await this.ownConnection();
  }

  /**
   * The server's capabilities as the connection open now (or the last one) read them.
   * @throws Error when no connection was opened yet: a call comes first
   */
  get capabilities(): ReadonlySet<string> {
    if (!this.known) throw new Error('the control connection was asked its capabilities before it logged in');
    return this.known;
  }

  /** Runs `own` on the own connection while imapflow is not in use, else `flow` on imapflow. */
  run<T>(
    own: (c: FolderControl) => Promise<T | typeof ASK_IMAPFLOW>,
    flow: (f: F) => Promise<T>,
  ): Promise<T> {
    return this.queue.add(async () => {
      if (!this.flow) {
        const answer = await own(await this.ownConnection());
        if (answer !== ASK_IMAPFLOW) return answer;
      }
      return flow(await this.flowConnection());
    });
  }

  /** Runs `flow` on imapflow, switching to it first. */
  imapflow<T>(flow: (f: F) => Promise<T>): Promise<T> {
    return this.queue.add(async () => flow(await this.flowConnection()));
  }

  /** Closes whichever connection is open; never rejects. A call under way meets a lost connection. */
  async close(): Promise<void> {
    this.closed = true;
    const [own, flow] = await Promise.all([
      this.own?.catch(() => undefined),
      this.flow?.catch(() => undefined),
    ]);
    await Promise.allSettled([own?.close(), flow?.close()]);
  }

  private ownConnection(): Promise<FolderControl> {
    if (this.closed) return Promise.reject(connectionLost('the control connection'));
    this.own ??= this.opening(this.openOwn, (p) => {
      if (this.own === p) this.own = undefined;
    });
    return this.own;
  }

  private async flowConnection(): Promise<F> {
    if (!this.flow) {
      const own = await this.own?.catch(() => undefined);
      this.own = undefined;
      await own?.close();
      if (this.closed) throw connectionLost('the control connection');
      this.flow = this.opening(this.openFlow, (p) => {
        if (this.flow === p) this.flow = undefined;
      });
    }
    return this.flow;
  }

  /** Logs in, noting the capabilities; a failed login is forgotten, so the next call tries again. */
  private opening<C extends { readonly capabilities: ReadonlySet<string> }>(
    open: () => Promise<C>,
    forget: (failed: Promise<C>) => void,
  ): Promise<C> {
    const opening = open().then((c) => {
      this.known = c.capabilities;
      return c;
    });
    opening.catch(() => forget(opening));
    return opening;
  }
}
