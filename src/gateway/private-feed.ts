import { Inject, Injectable } from '@nestjs/common';
import { formatUnits } from '../trading/money';
import { isoTime } from '../trading/time';
import type { OrderSnapshot } from '../trading/types';
import { leaseView } from '../trading/views/lease-view';
import { orderView } from '../trading/views/order-view';
import type { CommittedBatch } from '../writer/committed-batch';
import { TradingWriter } from '../writer/trading-writer';

export type PrivateChannel = 'orders' | 'fills' | 'leases';

/** Gets each account's events; `message()` builds one (only worth doing when someone listens). */
export type PrivateListener = (accountId: string, channel: PrivateChannel, message: () => unknown) => void;

/** One account's message, built only when needed: `[accountId, channel, build]`. */
export type PrivateMessage = readonly [accountId: string, channel: PrivateChannel, build: () => unknown];

/**
 * Each account's own messages from committed events (records as committed, never live state): each order as
 * each command left it, each fill, each lease transition.
 */
export function privateMessages(entries: CommittedBatch['entries']): PrivateMessage[] {
  const messages: PrivateMessage[] = [];
  for (const { events } of entries) {
    // An order's last snapshot in each command: the state it was committed in (a command touches few orders).
    const orders: OrderSnapshot[] = [];
    for (const e of events) {
      if (e.type === 'order.created' || e.type === 'order.updated') {
        const at = orders.findIndex((o) => o.id === e.order.id);
        if (at >= 0) orders[at] = e.order;
        else orders.push(e.order);
      } else if (e.type === 'trade.executed') {
        const t = e.trade;
        for (const side of ['buy', 'sell'] as const) {
          messages.push([
            side === 'buy' ? t.buyerId : t.sellerId,
            'fills',
            () => ({
              channel: 'fills',
              fill: {
                tradeId: t.id,
                orderId: String(side === 'buy' ? t.buyOrderId : t.sellOrderId),
                symbol: t.symbol,
                side,
                price: formatUnits(t.price),
                quantity: t.quantity,
                durationHours: t.durationHours,
                liquidity: t.takerSide === side ? 'taker' : 'maker',
                leaseId: t.leaseId,
                time: isoTime(t.time),
              },
            }),
          ]);
        }
      } else if (e.type === 'lease.changed') {
        const lease = e.lease;
        for (const accountId of [lease.buyerId, lease.sellerId]) {
          messages.push([
            accountId,
            'leases',
            () => ({ channel: 'leases', lease: leaseView(lease, accountId) }),
          ]);
        }
      }
    }
    for (const order of orders) {
      messages.push([order.accountId, 'orders', () => ({ channel: 'orders', order: orderView(order) })]);
    }
  }
  return messages;
}

/**
 * Hands each account's messages to the listeners (the WebSocket gateway): from the writer's committed batches
 * on the leader, from the leader's stream on a follower (see Replica).
 */
@Injectable()
export class PrivateFeed {
  private readonly listeners: PrivateListener[] = [];

  constructor(@Inject(TradingWriter) writer: TradingWriter) {
    writer.onCommitted((batch) => this.publish(privateMessages(batch.entries)));
  }

  onMessage(listener: PrivateListener): void {
    this.listeners.push(listener);
  }

  publish(messages: readonly PrivateMessage[]): void {
    for (const [accountId, channel, build] of messages) {
      for (const listener of this.listeners) listener(accountId, channel, build);
    }
  }
}
