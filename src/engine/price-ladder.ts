import type { BookOrder } from './book-order';
import { Side } from './types';

/** One price on one side: a FIFO of orders (a doubly linked list through the orders) and its total. */
export class Level {
  total = 0;
  count = 0;
  head: BookOrder | null = null;
  tail: BookOrder | null = null;
  /** The command (epoch) that last touched this level, and the level's total before that command. */
  touchedEpoch = -1;
  totalBefore = 0;

  constructor(
    readonly side: Side,
    readonly price: number,
  ) {}

  append(order: BookOrder): void {
    order.level = this;
    order.prev = this.tail;
    order.next = null;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.count++;
    this.total += order.remaining;
  }

  /** Takes the order out of the FIFO, with whatever quantity it still has. */
  unlink(order: BookOrder): void {
    if (order.prev === null) this.head = order.next;
    else order.prev.next = order.next;
    if (order.next === null) this.tail = order.prev;
    else order.next.prev = order.prev;
    order.prev = order.next = order.level = null;
    this.count--;
    this.total -= order.remaining;
  }
}

/**
 * One side of a book: levels in an array sorted from worst to best, so the best level is the last element
 * (matching consumes it with `pop`, and most inserts land near the end). Lookups are binary searches.
 */
export class PriceLadder {
  /** Worst first, best last. */
  readonly levels: Level[] = [];
  private readonly sign: number;

  constructor(readonly side: Side) {
    // Sorting key: ascending price for bids (best = highest = last), descending for asks.
    this.sign = side === 'buy' ? 1 : -1;
  }

  best(): Level | null {
    const n = this.levels.length;
    return n === 0 ? null : this.levels[n - 1];
  }

  /** The level at this price, creating it in place if there is none. */
  levelAt(price: number): Level {
    const index = this.search(price);
    const found = this.levels[index];
    if (found !== undefined && found.price === price) return found;
    const level = new Level(this.side, price);
    if (index === this.levels.length) this.levels.push(level);
    else this.levels.splice(index, 0, level);
    return level;
  }

  /** Sets the levels of an empty ladder from a best-first list (a restore); throws if they are not in order. */
  restoreLevels(bestFirst: Level[]): void {
    if (this.levels.length > 0) throw new Error('restoreLevels needs an empty ladder');
    for (let i = bestFirst.length - 1; i >= 0; i--) {
      const level = bestFirst[i];
      const previous = this.levels[this.levels.length - 1];
      if (level.side !== this.side || (previous && previous.price * this.sign >= level.price * this.sign)) {
        throw new Error(`snapshot levels out of order at ${this.side} ${level.price}`);
      }
      this.levels.push(level);
    }
  }

  remove(level: Level): void {
    const last = this.levels.length - 1;
    if (this.levels[last] === level) {
      this.levels.pop();
      return;
    }
    this.levels.splice(this.search(level.price), 1);
  }

  /** First index whose key is >= the price's key. */
  private search(price: number): number {
    const key = price * this.sign;
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length;
    // Most activity is at the top of the book: check the best level before bisecting.
    if (hi > 0 && levels[hi - 1].price * this.sign < key) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (levels[mid].price * this.sign < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
