import Decimal from 'decimal.js';

/** The trades of a trailing time window (24 h for the ticker), with their GPU-hours and value summed as they come and go. */
export class TradeWindow {
  private readonly trades: { time: number; gpuHours: number; value: Decimal }[] = [];
  private head = 0;
  private gpuHours = 0;
  private value = new Decimal(0);

  constructor(private readonly lengthMs: number) {}

  /** Trades arrive in time order. */
  add(time: number, gpuHours: number, value: Decimal): void {
    this.trades.push({ time, gpuHours, value });
    this.gpuHours += gpuHours;
    this.value = this.value.plus(value);
  }

  /** The trades still counted, oldest first: how a follower's copy of the window starts. */
  entries(): [time: number, gpuHours: number, value: string][] {
    return this.trades.slice(this.head).map((t) => [t.time, t.gpuHours, t.value.toString()]);
  }

  /** GPU-hours and value of the trades after `now - length`. */
  totals(now: number): { gpuHours: number; value: Decimal } {
    while (this.head < this.trades.length && this.trades[this.head].time <= now - this.lengthMs) {
      const old = this.trades[this.head++];
      this.gpuHours -= old.gpuHours;
      this.value = this.value.minus(old.value);
    }
    if (this.head > 1024 && this.head * 2 > this.trades.length) {
      this.trades.splice(0, this.head);
      this.head = 0;
    }
    return { gpuHours: this.gpuHours, value: this.value };
  }
}
