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

/**
 * Each account's own events from every committed batch, built from the batch's events (records as committed,
 * never live state): each order as each command left it, each fill, each lease transition.
 */
@Injectable()
export class PrivateFeed {
  private readonly listeners: PrivateListener[] = [];

  constructor(@Inject(TradingWriter) writer: TradingWriter) {
    writer.onCommitted((batch) => this.publish(batch));
  }

  onMessage(listener: PrivateListener): void {
    this.listeners.push(listener);
  }

  private publish(batch: CommittedBatch): void {
    const emit = (accountId: string, channel: PrivateChannel, message: () => unknown) => {
      for (const listener of this.listeners) listener(accountId, channel, message);
    };
    for (const { events } of batch.entries) {
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
            emit(side === 'buy' ? t.buyerId : t.sellerId, 'fills', () => ({
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
            }));
          }
        } else if (e.type === 'lease.changed') {
          const lease = e.lease;
          for (const accountId of [lease.buyerId, lease.sellerId]) {
            emit(accountId, 'leases', () => ({ channel: 'leases', lease: leaseView(lease, accountId) }));
          }
        }
      }
      for (const order of orders) {
        emit(order.accountId, 'orders', () => ({ channel: 'orders', order: orderView(order) }));
      }
    }
  }
}
