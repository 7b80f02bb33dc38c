import type { OrderSnapshot } from '../types';

/** How long a clientOrderId is remembered here; older ones are found in the database before a command is built. */
const RECALL_MS = 10 * 60_000;

/**
 * Every open order, by id, and the counters new orders take their id and time priority from. Also remembers the
 * clientOrderIds of the orders placed lately, so that a repeat arriving while its original is still being
 * committed finds it (the caller looks committed ones up in the database first).
 */
export class OpenOrders {
  private readonly byId = new Map<number, OrderSnapshot>();
  private readonly recentClientIds = new Map<string, { orderId: number; at: number }>();

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
  earlier(accountId: string, clientOrderId: string, now: number): number | null {
    this.forgetBefore(now - RECALL_MS);
    return this.recentClientIds.get(`${accountId}:${clientOrderId}`)?.orderId ?? null;
  }

  remember(order: OrderSnapshot): void {
    if (order.clientOrderId === null) return;
    this.recentClientIds.set(`${order.accountId}:${order.clientOrderId}`, {
      orderId: order.id,
      at: order.createdAt,
    });
  }

  values(): IterableIterator<OrderSnapshot> {
    return this.byId.values();
  }

  /** The counters, for the state hash. */
  counters(): [nextOrderId: number, nextPriority: number] {
    return [this.nextOrderId, this.nextPriority];
  }

  /** Entries are added in time order (the writer's time never goes back), so the oldest are first. */
  private forgetBefore(time: number): void {
    for (const [key, { at }] of this.recentClientIds) {
      if (at >= time) return;
      this.recentClientIds.delete(key);
    }
  }
}
