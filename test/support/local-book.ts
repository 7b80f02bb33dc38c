import { crc32 } from 'node:zlib';

type Level = [string, number];

/** A subscriber's own copy of a book, rebuilt from a snapshot and absolute level updates. */
export class LocalBook {
  bids = new Map<string, number>();
  asks = new Map<string, number>();
  sequence = -1;
  gaps = 0;
  checksumMismatches = 0;

  apply(m: Record<string, unknown>): void {
    if (m.type === 'snapshot') {
      this.bids = new Map(m.bids as Level[]);
      this.asks = new Map(m.asks as Level[]);
    } else {
      if (m.sequence !== this.sequence + 1) this.gaps++;
      for (const [side, price, qty] of m.changes as [string, string, number][]) {
        const levels = side === 'buy' ? this.bids : this.asks;
        if (qty === 0) levels.delete(price);
        else levels.set(price, qty);
      }
    }
    this.sequence = m.sequence as number;
    if (this.checksum() !== m.checksum) this.checksumMismatches++;
  }

  side(s: 'buy' | 'sell'): Level[] {
    return [...(s === 'buy' ? this.bids : this.asks).entries()].sort((a, b) =>
      s === 'buy' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]),
    );
  }

  /** Computed here independently of the server's code. */
  checksum(): number {
    const part = (levels: Level[]) =>
      levels
        .slice(0, 10)
        .map(([p, q]) => p.replace('.', '').replace(/^0+/, '') + String(q).replace(/^0+/, ''))
        .join('');
    return crc32(part(this.side('sell')) + part(this.side('buy'))) >>> 0;
  }
}
