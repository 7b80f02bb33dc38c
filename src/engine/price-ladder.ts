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
 * One side of a book: its levels sorted from worst to best, kept in chunks of a few dozen (a sorted list of
 * sorted arrays, a shallow B+ tree). A flat sorted array moves half the levels on every insert or removal, which
 * costs microseconds once a side has a thousand levels; a chunk moves a few dozen at most. Lookups are two
 * binary searches, the best level is the last element of the last chunk.
 */
export class PriceLadder {
  /** Worst chunk first; inside a chunk, worst level first. No chunk is empty. */
  private readonly chunks: Level[][] = [];
  private readonly sign: number;
  private _size = 0;

  constructor(
    readonly side: Side,
    /** A chunk splits when it grows past twice this, and merges into a neighbour below half of it. */
    private readonly chunkSize = 32,
  ) {
    // Sorting key: ascending price for bids (best = highest = last), descending for asks.
    this.sign = side === 'buy' ? 1 : -1;
  }

  get size(): number {
    return this._size;
  }

  best(): Level | null {
    const last = this.chunks[this.chunks.length - 1];
    return last === undefined ? null : last[last.length - 1];
  }

  /** The best level strictly worse than `price`, whether or not `price` has a level (for walking the side). */
  nextWorse(price: number): Level | null {
    const c = this.chunkFor(price);
    if (c === this.chunks.length) return this.best();
    const i = this.indexIn(this.chunks[c], price);
    if (i > 0) return this.chunks[c][i - 1];
    if (c === 0) return null;
    const previous = this.chunks[c - 1];
    return previous[previous.length - 1];
  }

  /** The level at this price, creating it in place if there is none. */
  levelAt(price: number): Level {
    let c = this.chunkFor(price);
    if (c === this.chunks.length) {
      if (c === 0) {
        const level = new Level(this.side, price);
        this.chunks.push([level]);
        this._size++;
        return level;
      }
      c--; // beyond the best: it goes at the end of the last chunk
    }
    const chunk = this.chunks[c];
    const i = this.indexIn(chunk, price);
    if (i < chunk.length && chunk[i].price === price) return chunk[i];
    const level = new Level(this.side, price);
    chunk.push(level);
    for (let j = chunk.length - 1; j > i; j--) chunk[j] = chunk[j - 1];
    chunk[i] = level;
    this._size++;
    if (chunk.length > 2 * this.chunkSize) this.chunks.splice(c + 1, 0, chunk.splice(this.chunkSize));
    return level;
  }

  remove(level: Level): void {
    const c = this.chunkFor(level.price);
    const chunk = this.chunks[c];
    const i = chunk === undefined ? -1 : this.indexIn(chunk, level.price);
    if (i < 0 || chunk[i] !== level)
      throw new Error(`level ${level.price} is not in the ${this.side} ladder`);
    for (let j = i; j < chunk.length - 1; j++) chunk[j] = chunk[j + 1];
    chunk.pop();
    this._size--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    else if (chunk.length < this.chunkSize >> 1) this.mergeSmall(c);
  }

  /** Levels best first, at most `limit`. */
  bestFirst(limit = Number.MAX_SAFE_INTEGER): Level[] {
    const out: Level[] = [];
    for (let c = this.chunks.length - 1; c >= 0; c--) {
      const chunk = this.chunks[c];
      for (let i = chunk.length - 1; i >= 0; i--) {
        if (out.length >= limit) return out;
        out.push(chunk[i]);
      }
    }
    return out;
  }

  /** Sets the levels of an empty ladder from a best-first list (a restore); throws if they are not in order. */
  restoreLevels(bestFirst: Level[]): void {
    if (this._size > 0) throw new Error('restoreLevels needs an empty ladder');
    let chunk: Level[] = [];
    for (let i = bestFirst.length - 1; i >= 0; i--) {
      const level = bestFirst[i];
      const previous = i + 1 < bestFirst.length ? bestFirst[i + 1] : null;
      if (level.side !== this.side || (previous && this.key(previous.price) >= this.key(level.price))) {
        throw new Error(`snapshot levels out of order at ${this.side} ${level.price}`);
      }
      chunk.push(level);
      if (chunk.length === this.chunkSize) {
        this.chunks.push(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) this.chunks.push(chunk);
    this._size = bestFirst.length;
  }

  /** Structural problems (for validate()). */
  problems(): string[] {
    const problems: string[] = [];
    let previous: Level | null = null;
    let size = 0;
    for (const chunk of this.chunks) {
      if (chunk.length === 0) problems.push(`${this.side} ladder: empty chunk`);
      for (const level of chunk) {
        size++;
        if (previous && this.key(previous.price) >= this.key(level.price)) {
          problems.push(`${this.side} level ${level.price}: out of order`);
        }
        if (level.side !== this.side) problems.push(`${this.side} level ${level.price}: on the wrong side`);
        previous = level;
      }
    }
    if (size !== this._size) problems.push(`${this.side} ladder: size ${this._size}, levels ${size}`);
    return problems;
  }

  private key(price: number): number {
    return price * this.sign;
  }

  /** The first chunk whose last (best) level is at or better than `price`; chunks.length if none is. */
  private chunkFor(price: number): number {
    const chunks = this.chunks;
    const key = this.key(price);
    let hi = chunks.length;
    // Most activity is at the top of the book: try the best chunk before bisecting.
    if (hi > 0 && this.key(chunks[hi - 1][0].price) <= key) {
      const last = chunks[hi - 1];
      return this.key(last[last.length - 1].price) >= key ? hi - 1 : hi;
    }
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid];
      if (this.key(chunk[chunk.length - 1].price) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index in the chunk whose level is at or better than `price`. */
  private indexIn(chunk: Level[], price: number): number {
    const key = this.key(price);
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.key(chunk[mid].price) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Folds a chunk that has shrunk into a neighbour that has room, so chunks stay few and full. */
  private mergeSmall(c: number): void {
    const chunk = this.chunks[c];
    const limit = 2 * this.chunkSize;
    if (c > 0 && this.chunks[c - 1].length + chunk.length <= limit) {
      this.chunks[c - 1].push(...chunk);
      this.chunks.splice(c, 1);
    } else if (c + 1 < this.chunks.length && this.chunks[c + 1].length + chunk.length <= limit) {
      this.chunks[c + 1].unshift(...chunk);
      this.chunks.splice(c, 1);
    }
  }
}
