/**
 * Counts events per key in fixed windows of time (new connections per address, failed sign-ins per address).
 * A window's count starts over when the window has passed; keys left idle for a window are swept away, so the
 * memory held follows the keys seen lately.
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one event for `key`; false when that goes over the limit for the current window. */
  hit(key: string, now: number): boolean {
    this.sweep(now);
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return this.limit >= 1;
    }
    window.count++;
    return window.count <= this.limit;
  }

  /** Whether `key` is over the limit now, without counting anything. */
  over(key: string, now: number): boolean {
    const window = this.windows.get(key);
    return window !== undefined && now - window.start < this.windowMs && window.count >= this.limit;
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows)
      if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
