import { IdIndex } from '../../engine/id-index';
import type { OrderSnapshot } from '../types';

/**
 * The clientOrderIds of the latest this many orders are remembered here (and reloaded with the state): more
 * orders than can ever be waiting for the writer, so a repeat that was checked against the database before its
 * original committed still finds the original. Older ones the caller finds in the database.
 */
export const CLIENT_ORDER_RECALL = 50_000;

/**
 * Every open order, by id, and the counters new orders take their id and time priority from. Also remembers the
 * clientOrderIds of the latest orders, so that a repeat arriving while its original is still being committed
 * finds it.
 */
export class OpenOrders {
  private readonly byId = new IdIndex<OrderSnapshot>();
  private readonly recentClientIds = new Map<string, number>();

  constructor(
    private nextOrderId: number,
    private nextPriority: number,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: number): OrderSnapshot | undefined {
    return this.byId.get(id);
  }

  /** The id the next order takes (not taken until `takeOrderId`). */
  peekOrderId(): number {
    return this.nextOrderId;
  }

  takeOrderId(): number {
    return this.nextOrderId++;
  }

  takePriority(): number {
    return this.nextPriority++;
  }

  /** Adds an order or replaces it with a newer snapshot; an order no longer open leaves. */
  put(order: OrderSnapshot): void {
    if (order.status === 'open') this.byId.set(order.id, order);
    else this.byId.delete(order.id);
  }

  /** The order this account placed lately with this clientOrderId. */
  earlier(accountId: string, clientOrderId: string): number | null {
    return this.recentClientIds.get(`${accountId}:${clientOrderId}`) ?? null;
  }

  /** Remembers a new order's clientOrderId (orders come in id order), forgetting the oldest beyond the recall. */
  remember(order: Pick<OrderSnapshot, 'id' | 'accountId' | 'clientOrderId'>): void {
    if (order.clientOrderId === null) return;
    this.recentClientIds.set(`${order.accountId}:${order.clientOrderId}`, order.id);
    if (this.recentClientIds.size > CLIENT_ORDER_RECALL) {
      const oldest = this.recentClientIds.keys().next().value as string;
      this.recentClientIds.delete(oldest);
    }
  }

  values(): IterableIterator<OrderSnapshot> {
    return this.byId.values();
  }

  /** The counters, for the state hash. */
  counters(): [nextOrderId: number, nextPriority: number] {
    return [this.nextOrderId, this.nextPriority];
  }
}
