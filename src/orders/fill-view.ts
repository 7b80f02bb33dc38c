import { formatMoney } from '../trading/money';
import type { FillRow } from './orders.repository';

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
