import type { WriteStatement } from './write-statement';
import { formatUnits } from '../../trading/money';
import type { TradeRecord } from '../../trading/types';

export function insertTrades(statement: WriteStatement, trades: TradeRecord[]): void {
  if (trades.length === 0) return;
  statement.add(
    `insert into trades (id, symbol, seq, price, quantity, duration_hours, taker_side, buy_order_id,
                         sell_order_id, buyer_id, seller_id, created_at)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::numeric[], $5::int[], $6::int[], $7::text[],
                          $8::bigint[], $9::bigint[], $10::uuid[], $11::uuid[], $12::timestamptz[])`,
    [
      trades.map((t) => t.id),
      trades.map((t) => t.symbol),
      trades.map((t) => t.seq),
      trades.map((t) => formatUnits(t.price)),
      trades.map((t) => t.quantity),
      trades.map((t) => t.durationHours),
      trades.map((t) => t.takerSide),
      trades.map((t) => t.buyOrderId),
      trades.map((t) => t.sellOrderId),
      trades.map((t) => t.buyerId),
      trades.map((t) => t.sellerId),
      trades.map((t) => new Date(t.time)),
    ],
  );
}
