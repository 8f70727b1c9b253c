/**
 * A TCP proxy on 127.0.0.1 that delays every chunk by a fixed time in each direction, keeping
 * order, so that a loopback server looks like one in another data centre (15 ms each way is a
 * 30 ms round trip). Bandwidth is not limited: only round trips cost. It also counts the IMAP
 * commands clients send (tagged lines, literals skipped), which gives commands per message.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ImapCommandCounter } from './imap-command-counter.js';

/** Where the proxy forwards to, and how long each chunk waits per direction. */
export interface LatencyProxyOptions {
  target: { host: string; port: number };
  latencyMs: number;
}

/** A running proxy. */
export interface LatencyProxy {
  host: '127.0.0.1';
  port: number;
  /** Commands counted since the start or the last `resetCounts()`, by name (`UID FETCH`, `APPEND`...). */
  commands(): Map<string, number>;
  /** Bytes forwarded client->server and server->client since the last reset, and connections accepted. */
  traffic(): { up: number; down: number; connections: number };
  resetCounts(): void;
  close(): Promise<void>;
}

/** Bytes queued in one direction before the sender is paused (TCP backpressure does the rest). */
const HIGH_WATER = 32 * 1024 * 1024;

/**
 * Chunks are released in 2 ms ticks: all chunks due in one tick leave in one write. Released one
 * by one (a 64 KB socket read every ~0.4 ms), they made the receiving Dovecot wake up and parse
 * once per chunk (its CPU rose from ~6 to ~11 s for the same copy) and cost the proxy more CPU
 * than the latency it models, on the same two cores. A network delivers in bursts too.
 */
const TICK_MS = 2;

/** When a chunk received at `now` leaves: `delayMs` later on average, rounded to a tick (+-1 ms). */
function dueTime(now: number, delayMs: number): number {
  return Math.ceil((now + delayMs - TICK_MS / 2) / TICK_MS) * TICK_MS;
}

/**
 * One direction of a proxied connection: chunks wait `delayMs`, then are written in order.
 * The sender is paused while too much is queued or the receiver is backed up.
 */
class DelayedPipe {
  private readonly queue: { due: number; chunk: Buffer }[] = [];
  private head = 0;
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private waitingForDrain = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayMs: number,
    onData: (chunk: Buffer) => void,
  ) {
    from.on('data', (chunk: Buffer) => {
      onData(chunk);
      this.queue.push({ due: dueTime(performance.now(), delayMs), chunk });
      this.queued += chunk.length;
      if (this.queued > HIGH_WATER) from.pause();
      this.schedule();
    });
    from.on('end', () => {
      this.ended = true;
      this.schedule();
    });
    to.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
    });
  }

  private schedule(): void {
    if (this.timer) return;
    const next = this.queue[this.head];
    if (!next) {
      if (this.ended && !this.to.destroyed && !this.to.writableEnded) this.to.end();
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(0, next.due - performance.now()),
    );
  }

  private flush(): void {
    const now = performance.now();
    // Corked, every chunk due now leaves in one writev instead of one syscall each.
    this.to.cork();
    while (!this.waitingForDrain && this.head < this.queue.length) {
      const item = this.queue[this.head] as { due: number; chunk: Buffer };
      if (item.due > now) break;
      this.head++;
      this.queued -= item.chunk.length;
      if (this.to.destroyed) continue;
      if (!this.to.write(item.chunk)) this.waitingForDrain = true;
    }
    this.to.uncork();
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.queued <= HIGH_WATER / 2 && !this.waitingForDrain && this.from.isPaused()) this.from.resume();
    if (!this.waitingForDrain) this.schedule();
  }
}

/**
 * Starts a proxy on a free port of 127.0.0.1.
 * @returns the proxy; `close()` stops it and cuts every connection.
 */
export async function startLatencyProxy(opts: LatencyProxyOptions): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  let counts = new Map<string, number>();
  let traffic = { up: 0, down: 0, connections: 0 };
  // Half-open sockets: a side that closes has its end passed on after what it sent before (a
  // server's reply to LOGOUT, a client's last command), as a network path delivers a FIN after the
  // data ahead of it. Closing the other side at once, as Node does by default, cut that data off.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    traffic.connections++;
    const upstream = connect({ port: opts.target.port, host: opts.target.host, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      // Either side failing ends the pair, as a real network path would.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const counter = new ImapCommandCounter((name) => counts.set(name, (counts.get(name) ?? 0) + 1));
    new DelayedPipe(client, upstream, opts.latencyMs, (chunk) => {
      traffic.up += chunk.length;
      counter.push(chunk);
    });
    new DelayedPipe(upstream, client, opts.latencyMs, (chunk) => {
      traffic.down += chunk.length;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    commands: () => new Map(counts),
    traffic: () => ({ ...traffic }),
    resetCounts: () => {
      counts = new Map();
      traffic = { up: 0, down: 0, connections: 0 };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
