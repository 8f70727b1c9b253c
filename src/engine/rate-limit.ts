/**
 * Optional caps on how fast one account appends, in messages and bytes per second, for providers
 * that throttle by rate rather than by connection count (`limits.maxMessagesPerSecond`,
 * `limits.maxBytesPerSecond`). A leaky bucket without burst: each batch reserves the time its size
 * costs at the capped rate, and the next one waits until that time has passed. The workers of one
 * account share one limiter, so the cap holds whatever the number of connections.
 */

/** Caps per second; an absent cap is no cap. */
export interface RateCaps {
  maxMessagesPerSecond?: number;
  maxBytesPerSecond?: number;
}

/** One account's append rate limiter. */
export class RateLimit {
  private readyAt = 0;

  private constructor(
    private readonly caps: RateCaps,
    private readonly now: () => number,
  ) {}

  /** A limiter for these caps, or undefined when there is none. */
  static from(caps: RateCaps, now: () => number = Date.now): RateLimit | undefined {
    if (!caps.maxMessagesPerSecond && !caps.maxBytesPerSecond) return undefined;
    return new RateLimit(caps, now);
  }

  /**
   * How long to wait before sending `messages` totalling `bytes`; reserves that slot, so the caller
   * must then wait it out (see {@link take}).
   */
  reserve(messages: number, bytes: number): number {
    const { maxMessagesPerSecond: mps, maxBytesPerSecond: bps } = this.caps;
    const cost = Math.max(mps ? messages / mps : 0, bps ? bytes / bps : 0) * 1000;
    const now = this.now();
    const start = Math.max(now, this.readyAt);
    this.readyAt = start + cost;
    return start - now;
  }

  /** Waits until `messages` totalling `bytes` may be sent (or the signal aborts). */
  async take(messages: number, bytes: number, signal: AbortSignal): Promise<void> {
    const wait = this.reserve(messages, bytes);
    if (wait <= 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, wait);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
