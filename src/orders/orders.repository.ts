import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { UNITS_PER_USD, ZERO } from '../trading/money';
import type { OrderSnapshot, OrderStatus } from '../trading/types';

interface OrderRow {
  id: string;
  account_id: string;
  engine_id: string;
  client_order_id: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  price: string | null;
  hold_price: string | null;
  quantity: number;
  filled_quantity: number;
  notional_filled: string;
  duration_hours: number | null;
  available_until: Date | null;
  min_quantity: number | null;
  time_in_force: OrderSnapshot['timeInForce'];
  expire_at: Date | null;
  post_only: boolean;
  self_trade_prevention: OrderSnapshot['selfTradePrevention'];
  cluster_id: string | null;
  status: OrderStatus;
  reason: string | null;
  priority: string;
  created_at: Date;
  updated_at: Date;
}

const SELECT_ORDERS = `select o.*, a.engine_id from orders o join accounts a on a.id = o.account_id`;

const units = (price: string | null): number | null =>
  price === null ? null : new Decimal(price).times(UNITS_PER_USD).toNumber();

function snapshotOf(r: OrderRow): OrderSnapshot {
  return {
    id: Number(r.id),
    accountId: r.account_id,
    engineAccountId: Number(r.engine_id),
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    price: units(r.price),
    holdPrice: units(r.hold_price),
    quantity: r.quantity,
    filled: r.filled_quantity,
    filledValue: new Decimal(r.notional_filled).isZero() ? ZERO : new Decimal(r.notional_filled),
    durationHours: r.duration_hours,
    availableUntil: r.available_until?.getTime() ?? null,
    minQuantity: r.min_quantity,
    timeInForce: r.time_in_force,
    expireAt: r.expire_at?.getTime() ?? null,
    postOnly: r.post_only,
    selfTradePrevention: r.self_trade_prevention,
    clusterId: r.cluster_id,
    status: r.status,
    reason: r.reason,
    priority: Number(r.priority),
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
  };
}

export interface FillRow {
  id: string;
  price: string;
  quantity: number;
  duration_hours: number;
  taker_side: 'buy' | 'sell';
  buy_order_id: string;
  sell_order_id: string;
  buyer_id: string;
  seller_id: string;
  symbol: string;
  lease_id: string | null;
  created_at: Date;
}

/** Orders and fills as committed, for reads (the single writer alone writes them, see src/writer). */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findOne(id: string): Promise<OrderSnapshot | null> {
    if (!/^\d{1,15}$/.test(id)) return null;
    const rows: OrderRow[] = await this.db.query(`${SELECT_ORDERS} where o.id = $1`, [id]);
    return rows.length ? snapshotOf(rows[0]) : null;
  }

  async findByClientOrderId(accountId: string, clientOrderId: string): Promise<OrderSnapshot | null> {
    const rows: OrderRow[] = await this.db.query(
      `${SELECT_ORDERS} where o.account_id = $1 and o.client_order_id = $2`,
      [accountId, clientOrderId],
    );
    return rows.length ? snapshotOf(rows[0]) : null;
  }

  async list(
    accountId: string,
    status: OrderStatus | null,
    symbol: string | null,
    limit: number,
  ): Promise<OrderSnapshot[]> {
    const rows: OrderRow[] = await this.db.query(
      `${SELECT_ORDERS} where o.account_id = $1 and ($2::text is null or o.status = $2) and ($3::text is null or o.symbol = $3)
        order by o.id desc limit $4`,
      [accountId, status, symbol, limit],
    );
    return rows.map(snapshotOf);
  }

  fills(accountId: string, limit: number): Promise<FillRow[]> {
    return this.db.query(
      `select t.*, l.id as lease_id from trades t left join leases l on l.trade_id = t.id
        where t.buyer_id = $1 or t.seller_id = $1 order by t.created_at desc, t.seq desc limit $2`,
      [accountId, limit],
    );
  }
}
