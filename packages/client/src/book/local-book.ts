import { str as crc32 } from 'crc-32';
import { WireLevel, checksumText } from './checksum-text';

export type Side = 'buy' | 'sell';
/** What applying a feed message came to: in step, or out of step (the subscription must start over). */
export type BookCheck = 'ok' | 'gap' | 'checksum';

/**
 * A market's book as the feed describes it: a snapshot, then updates that each carry the next sequence number and
 * the checksum of the top 10 levels after them. Prices stay the strings the feed sent (the checksum is over them).
 */
export class LocalBook {
  sequence = -1;
  private readonly bids = new Map<string, number>();
  private readonly asks = new Map<string, number>();

  snapshot(sequence: number, bids: WireLevel[], asks: WireLevel[], checksum: number): BookCheck {
    this.bids.clear();
    this.asks.clear();
    for (const [price, quantity] of bids) this.bids.set(price, quantity);
    for (const [price, quantity] of asks) this.asks.set(price, quantity);
    this.sequence = sequence;
    return this.checksum() === checksum ? 'ok' : 'checksum';
  }

  update(sequence: number, changes: [Side, string, number][], checksum: number): BookCheck {
    if (sequence !== this.sequence + 1) return 'gap';
    for (const [side, price, quantity] of changes) {
      const levels = side === 'buy' ? this.bids : this.asks;
      if (quantity === 0) levels.delete(price);
      else levels.set(price, quantity);
    }
    this.sequence = sequence;
    return this.checksum() === checksum ? 'ok' : 'checksum';
  }

  /** A heartbeat names the sequence the book is at: a different one means an update went missing. */
  heartbeat(sequence: number): BookCheck {
    return sequence === this.sequence ? 'ok' : 'gap';
  }

  /** Bids best (highest) first, or asks best (lowest) first. */
  levels(side: Side, depth = Infinity): WireLevel[] {
    const levels = [...(side === 'buy' ? this.bids : this.asks).entries()];
    levels.sort((a, b) => (side === 'buy' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
    return levels.slice(0, depth);
  }

  get empty(): boolean {
    return this.bids.size === 0 && this.asks.size === 0;
  }

  checksum(): number {
    return crc32(checksumText(this.levels('buy', 10), this.levels('sell', 10))) >>> 0;
  }
}
