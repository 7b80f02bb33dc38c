import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { formatMoney } from '../common/money';
import { leaseView } from '../leases/lease-view';
import { Batch } from '../orders/batch';
import { orderView } from '../orders/order-view';
import { OrderWriter } from '../orders/order-writer';

export type PrivateChannel = 'orders' | 'fills' | 'leases';

/** Gets each account's events; `message()` builds one (only worth doing when someone listens). */
export type PrivateListener = (accountId: string, channel: PrivateChannel, message: () => unknown) => void;

/** Each account's own events from every committed batch: its orders, its fills, its leases. */
@Injectable()
export class PrivateFeed implements OnApplicationBootstrap {
  private readonly listeners: PrivateListener[] = [];

  constructor(@Inject(OrderWriter) private readonly writer: OrderWriter) {}

  onApplicationBootstrap(): void {
    this.writer.onCommitted((batch) => this.publish(batch));
  }

  onMessage(listener: PrivateListener): void {
    this.listeners.push(listener);
  }

  private publish(batch: Batch): void {
    const emit = (accountId: string, channel: PrivateChannel, message: () => unknown) => {
      for (const listener of this.listeners) listener(accountId, channel, message);
    };
    for (const order of [...batch.created.values(), ...batch.changed.values()]) {
      emit(order.accountId, 'orders', () => ({ channel: 'orders', order: orderView(order) }));
    }
    const leaseOfTrade = new Map([...batch.leasesCreated.values()].map((l) => [l.tradeId, l.id]));
    for (const t of batch.trades) {
      for (const side of ['buy', 'sell'] as const) {
        emit(side === 'buy' ? t.buyerId : t.sellerId, 'fills', () => ({
          channel: 'fills',
          fill: {
            tradeId: t.id,
            orderId: String(side === 'buy' ? t.buyOrderId : t.sellOrderId),
            symbol: t.symbol,
            side,
            price: formatMoney(t.price),
            quantity: t.quantity,
            durationHours: t.durationHours,
            liquidity: t.takerSide === side ? 'taker' : 'maker',
            leaseId: leaseOfTrade.get(t.id) ?? null,
            time: t.time.toISOString(),
          },
        }));
      }
    }
    for (const lease of [...batch.leasesCreated.values(), ...batch.leasesChanged.values()]) {
      for (const accountId of [lease.buyerId, lease.sellerId]) {
        emit(accountId, 'leases', () => ({ channel: 'leases', lease: leaseView(lease, accountId) }));
      }
    }
  }
}
