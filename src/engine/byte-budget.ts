/**
 * Bounds the bytes of message bodies held in memory at once, across every account. A message
 * larger than the whole budget is admitted alone, when nothing else is held.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: { bytes: number; resolve: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Waits until `bytes` fit, then takes them. */
  async acquire(bytes: number): Promise<void> {
    if (this.fits(bytes) && this.waiters.length === 0) {
      this.used += bytes;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ bytes, resolve }));
  }

  /** Gives bytes back and admits waiters in order. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const w = this.waiters.shift()!;
      this.used += w.bytes;
      w.resolve();
    }
  }

  /** Bytes currently held. */
  get inUse(): number {
    return this.used;
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }
}
