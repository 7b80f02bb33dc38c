/** Slots per page: 32 keeps a page of one lonely order small (about 300 bytes) and a dense run cheap. */
const PAGE = 32;

/**
 * Values by non-negative integer id, for ids handed out in sequence (order ids): pages of consecutive ids in a
 * Map by page number. Setting a million ids touches the Map thirty thousand times instead of a million (V8's
 * Map grows by rehashing: a rebuild of a million open orders spent most of its time there), and a lookup is a
 * Map lookup and an array read. A page goes when its last value does.
 */
export class IdIndex<T> {
  private readonly pages = new Map<number, { slots: (T | undefined)[]; used: number }>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): T | undefined {
    return this.pages.get(Math.floor(id / PAGE))?.slots[id % PAGE];
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, value: T): void {
    const key = Math.floor(id / PAGE);
    let page = this.pages.get(key);
    if (page === undefined) {
      page = { slots: new Array<T | undefined>(PAGE).fill(undefined), used: 0 };
      this.pages.set(key, page);
    }
    const slot = id % PAGE;
    if (page.slots[slot] === undefined) {
      page.used++;
      this.count++;
    }
    page.slots[slot] = value;
  }

  delete(id: number): boolean {
    const key = Math.floor(id / PAGE);
    const page = this.pages.get(key);
    const slot = id % PAGE;
    if (page === undefined || page.slots[slot] === undefined) return false;
    page.slots[slot] = undefined;
    this.count--;
    if (--page.used === 0) this.pages.delete(key);
    return true;
  }

  /** Every value, in an order fixed by the sequence of sets and deletes (not by id). */
  *values(): IterableIterator<T> {
    for (const { slots } of this.pages.values()) {
      for (const value of slots) if (value !== undefined) yield value;
    }
  }
}
