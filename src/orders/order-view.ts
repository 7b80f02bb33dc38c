import { formatMoney } from '../common/money';
import type { FillRow } from './orders.repository';
import { OrderRecord } from './order-record';

/** The order as PROTOCOL.md shows it. */
export function orderView(o: OrderRecord) {
  return {
    id: String(o.id),
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    price: o.price === null ? null : formatMoney(o.price),
    quantity: o.quantity,
    filledQuantity: o.filled,
    remainingQuantity: o.status === 'open' ? o.quantity - o.filled : 0,
    averagePrice: o.filled === 0 ? null : formatMoney(o.filledValue.dividedBy(o.filled)),
    durationHours: o.durationHours,
    availableUntil: o.availableUntil?.toISOString() ?? null,
    minQuantity: o.minQuantity,
    timeInForce: o.timeInForce,
    expireAt: o.expireAt?.toISOString() ?? null,
    postOnly: o.postOnly,
    selfTradePrevention: o.selfTradePrevention,
    clusterId: o.clusterId,
    status: o.status,
    ...(o.reason === null ? {} : { reason: o.reason }),
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

/** One side of a trade, as the account that took part sees it. */
export function fillView(t: FillRow, accountId: string) {
  const side = t.buyer_id === accountId ? 'buy' : 'sell';
  return {
    tradeId: t.id,
    orderId: side === 'buy' ? t.buy_order_id : t.sell_order_id,
    symbol: t.symbol,
    side,
    price: formatMoney(t.price),
    quantity: t.quantity,
    durationHours: t.duration_hours,
    liquidity: t.taker_side === side ? 'taker' : 'maker',
    leaseId: t.lease_id,
    time: t.created_at.toISOString(),
  };
}
