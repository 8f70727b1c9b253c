/**
 * Counts the connections a run holds open, per side, and says so with a `connections` event each
 * time one opens or closes: the dashboard shows the number, and a person can see that the run keeps
 * within the servers' caps. Every connection goes through the account's connectors, so wrapping
 * them sees all of them, whatever opens them (setup, lanes, retries).
 */
import type { Reporter } from '../core/events.js';
import type { AccountConnectors } from '../core/ports.js';

type Side = 'source' | 'destination';

/** The open connections of one run. */
export class ConnectionCount {
  private readonly open: Record<Side, number> = { source: 0, destination: 0 };

  constructor(private readonly reporter: Reporter) {}

  /** The same connectors, each connection they open counted until it is closed. */
  wrap(c: AccountConnectors): AccountConnectors {
    return {
      source: () => this.opened('source', c.source()),
      bodies: () => this.opened('source', c.bodies()),
      destination: () => this.opened('destination', c.destination()),
      appender: () => this.opened('destination', c.appender()),
      // Closed before it resolves: nothing stays open to count.
      ...(c.listing ? { listing: c.listing.bind(c) } : {}),
    };
  }

  /** Connections open now, per side. */
  get now(): Readonly<Record<Side, number>> {
    return this.open;
  }

  private async opened<T extends { close(): Promise<void> }>(side: Side, connecting: Promise<T>): Promise<T> {
    const conn = await connecting;
    this.change(side, 1);
    let closed = false;
    const close = () => {
      if (!closed) {
        closed = true;
        this.change(side, -1);
      }
      return conn.close();
    };
    // A proxy rather than a copy: stores are class instances whose methods need their own `this`.
    return new Proxy(conn, {
      get: (target, prop) => {
        if (prop === 'close') return close;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private change(side: Side, delta: number): void {
    this.open[side] += delta;
    const { source, destination } = this.open;
    this.reporter.emit({ type: 'connections', source, destination, open: source + destination });
  }
}
