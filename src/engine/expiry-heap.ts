import type { BookOrder } from './book-order';

/**
 * An indexed binary min-heap of orders by (expiresAt, id): O(log n) insert and removal of any order (each order
 * knows its `heapIndex`), O(1) peek. The id tie-break makes the expiry order independent of insertion history.
 */
export class ExpiryHeap {
  private readonly items: BookOrder[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): BookOrder | null {
    return this.items.length === 0 ? null : this.items[0];
  }

  push(order: BookOrder): void {
    order.heapIndex = this.items.length;
    this.items.push(order);
    this.up(order.heapIndex);
  }

  /** Fills an empty heap with these orders in O(n). */
  build(orders: BookOrder[]): void {
    if (this.items.length > 0) throw new Error('build needs an empty heap');
    orders.forEach((order, i) => {
      order.heapIndex = i;
      this.items.push(order);
    });
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  remove(order: BookOrder): void {
    const index = order.heapIndex;
    if (index < 0) return;
    const last = this.items.pop() as BookOrder;
    order.heapIndex = -1;
    if (last === order) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  /** Invariant violations (for validate()). */
  problems(): string[] {
    const problems: string[] = [];
    this.items.forEach((item, i) => {
      if (item.heapIndex !== i)
        problems.push(`heap index of order ${item.id} is ${item.heapIndex}, not ${i}`);
      if (i > 0 && this.less(item, this.items[(i - 1) >> 1])) problems.push(`heap order broken at ${i}`);
    });
    return problems;
  }

  private less(a: BookOrder, b: BookOrder): boolean {
    const ta = a.expiresAt as number;
    const tb = b.expiresAt as number;
    return ta < tb || (ta === tb && a.id < b.id);
  }

  private up(start: number): void {
    const items = this.items;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(items[right], items[left]) ? right : left;
      if (!this.less(items[child], items[i])) break;
      this.swap(i, child);
      i = child;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i];
    const b = this.items[j];
    this.items[i] = b;
    this.items[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }
}
