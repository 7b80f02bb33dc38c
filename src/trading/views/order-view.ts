import { formatMoney, formatUnits } from '../money';
import { isoTime, isoTimeOrNull } from '../time';
import type { OrderSnapshot } from '../types';

/** The order as PROTOCOL.md shows it. */
export function orderView(o: OrderSnapshot) {
  return {
    id: String(o.id),
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    price: o.price === null ? null : formatUnits(o.price),
    quantity: o.quantity,
    filledQuantity: o.filled,
    remainingQuantity: o.status === 'open' ? o.quantity - o.filled : 0,
    averagePrice: o.filled === 0 ? null : formatMoney(o.filledValue.dividedBy(o.filled)),
    durationHours: o.durationHours,
    availableUntil: isoTimeOrNull(o.availableUntil),
    minQuantity: o.minQuantity,
    timeInForce: o.timeInForce,
    expireAt: isoTimeOrNull(o.expireAt),
    postOnly: o.postOnly,
    selfTradePrevention: o.selfTradePrevention,
    clusterId: o.clusterId,
    status: o.status,
    ...(o.reason === null ? {} : { reason: o.reason }),
    createdAt: isoTime(o.createdAt),
    updatedAt: isoTime(o.updatedAt),
  };
}

export type OrderView = ReturnType<typeof orderView>;
