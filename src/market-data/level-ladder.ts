import type { WireLevel } from './book-checksum';

/**
 * One side of a book as the feed shows it: levels kept sorted best first (highest bid, lowest ask), so the top
 * of the book is a slice and an update costs a binary search, whatever the book's depth.
 */
export class LevelLadder {
  private readonly levels: { price: number; level: WireLevel }[] = [];

  constructor(private readonly side: 'buy' | 'sell') {}

  /** Sets a level's absolute quantity; 0 removes it. `price` is the wire string (a decimal). */
  set(price: string, quantity: number): void {
    const value = Number(price);
    const at = this.indexOf(value);
    const found = at < this.levels.length && this.levels[at].price === value;
    if (quantity === 0) {
      if (found) this.levels.splice(at, 1);
    } else if (found) {
      this.levels[at].level[1] = quantity;
    } else {
      this.levels.splice(at, 0, { price: value, level: [price, quantity] });
    }
  }

  /** The best `depth` levels, best first (copies: callers may keep them). */
  top(depth = this.levels.length): WireLevel[] {
    return this.levels.slice(0, depth).map(({ level }) => [level[0], level[1]]);
  }

  /** Where a level with this price is, or would go. */
  private indexOf(price: number): number {
    let low = 0;
    let high = this.levels.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const better = this.side === 'buy' ? this.levels[mid].price > price : this.levels[mid].price < price;
      if (better) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
