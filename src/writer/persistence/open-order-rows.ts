import Decimal from 'decimal.js';
import type { SelfTradePrevention, TimeInForce } from '../../engine/types';
import { ZERO } from '../../trading/money';
import type { OrderSnapshot } from '../../trading/types';
import type { CopyRow } from './copy-text-reader';

/** Epoch milliseconds; date_part is float8 (cheaper than extract's numeric), exact for millisecond times. */
export const epochMs = (column: string) => `(date_part('epoch', ${column}) * 1000)::bigint`;

/**
 * Open orders, streamed: the account as its engine id, times as epoch milliseconds, prices as PostgreSQL
 * writes them (read straight into integer units), so that a row costs PostgreSQL no numeric arithmetic and this
 * process integer parses and no strings but the client's own id (and a cluster's, when it changes).
 */
export const OPEN_ORDERS_COPY = `copy (select o.id, a.engine_id, o.client_order_id, o.symbol, o.side, o.type,
  o.price, o.hold_price, o.quantity, o.filled_quantity,
  nullif(o.notional_filled, 0), o.duration_hours, ${epochMs('o.available_until')}, o.min_quantity, o.time_in_force,
  ${epochMs('o.expire_at')}, o.post_only, o.self_trade_prevention, o.cluster_id, o.priority, ${epochMs('o.created_at')},
  ${epochMs('o.updated_at')}
  from orders o join accounts a on a.id = o.account_id where o.status = 'open') to stdout`;
export const OPEN_ORDER_COLUMNS = 22;

/** Turns COPY rows of OPEN_ORDERS_COPY into order snapshots, sharing one string per account, symbol and cluster. */
export class OpenOrderRows {
  private readonly symbols: { bytes: Buffer; symbol: string }[];
  private lastCluster: { bytes: Buffer; id: string } | null = null;

  constructor(
    private readonly accounts: Map<number, string>,
    symbols: string[],
  ) {
    this.symbols = symbols.map((symbol) => ({ bytes: Buffer.from(symbol), symbol }));
  }

  snapshot(row: CopyRow): OrderSnapshot {
    const engineAccountId = row.int(1) as number;
    const accountId = this.accounts.get(engineAccountId);
    if (accountId === undefined) throw new Error(`open order ${row.int(0)} has an unknown account`);
    return {
      id: row.int(0) as number,
      accountId,
      engineAccountId,
      clientOrderId: row.text(2),
      symbol: this.symbol(row),
      side: row.byte(4, 0) === 0x62 ? 'buy' : 'sell',
      type: row.byte(5, 0) === 0x6c ? 'limit' : 'market',
      price: row.units(6),
      holdPrice: row.units(7),
      quantity: row.int(8) as number,
      filled: row.int(9) as number,
      filledValue: row.isNull(10) ? ZERO : new Decimal(row.word(10) as string),
      durationHours: row.int(11),
      availableUntil: row.int(12),
      minQuantity: row.int(13),
      timeInForce: timeInForce(row),
      expireAt: row.int(15),
      postOnly: row.bool(16),
      selfTradePrevention: selfTradePrevention(row),
      clusterId: this.cluster(row),
      status: 'open',
      reason: null,
      priority: row.int(19) as number,
      createdAt: row.int(20) as number,
      updatedAt: row.int(21) as number,
    };
  }

  private symbol(row: CopyRow): string {
    for (const known of this.symbols) if (row.is(3, known.bytes)) return known.symbol;
    throw new Error(`an open order is in unknown market ${row.word(3)}`);
  }

  private cluster(row: CopyRow): string | null {
    if (row.isNull(18)) return null;
    if (this.lastCluster && row.is(18, this.lastCluster.bytes)) return this.lastCluster.id;
    const id = row.word(18) as string;
    this.lastCluster = { bytes: Buffer.from(id), id };
    return id;
  }
}

/** GTC, GTD, IOC, FOK. */
function timeInForce(row: CopyRow): TimeInForce {
  const first = row.byte(14, 0);
  if (first === 0x49) return 'IOC';
  if (first === 0x46) return 'FOK';
  return row.byte(14, 2) === 0x43 ? 'GTC' : 'GTD';
}

/** cancel_newest, cancel_oldest, cancel_both, decrement. */
function selfTradePrevention(row: CopyRow): SelfTradePrevention {
  if (row.byte(17, 0) === 0x64) return 'decrement';
  const seventh = row.byte(17, 7);
  return seventh === 0x6e ? 'cancel_newest' : seventh === 0x6f ? 'cancel_oldest' : 'cancel_both';
}
