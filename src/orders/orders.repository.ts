import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { LeasesRepository } from '../leases/leases.repository';
import { LedgerService } from '../ledger/ledger.service';
import type { MarketView } from '../markets/markets.service';
import { Clock } from '../common/clock';
import { WriteStatement } from '../database/write-statement';
import { OutboxRepository } from '../events/outbox.repository';
import { settlementEvents } from '../events/settlement-events';
import { WebhookDeliveriesRepository } from '../provisioning/webhook-deliveries.repository';
import { Batch } from './batch';
import { OrderRecord, OrderStatus } from './order-record';
import type { PersistedState } from './trading-state';

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
  time_in_force: OrderRecord['timeInForce'];
  expire_at: Date | null;
  post_only: boolean;
  self_trade_prevention: OrderRecord['selfTradePrevention'];
  cluster_id: string | null;
  status: OrderStatus;
  reason: string | null;
  priority: string;
  created_at: Date;
  updated_at: Date;
}

const SELECT_ORDERS = `select o.*, a.engine_id from orders o join accounts a on a.id = o.account_id`;

function toRecord(r: OrderRow): OrderRecord {
  return {
    id: Number(r.id),
    accountId: r.account_id,
    engineAccountId: Number(r.engine_id),
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    price: r.price === null ? null : new Decimal(r.price),
    holdPrice: r.hold_price === null ? null : new Decimal(r.hold_price),
    quantity: r.quantity,
    filled: r.filled_quantity,
    filledValue: new Decimal(r.notional_filled),
    durationHours: r.duration_hours,
    availableUntil: r.available_until,
    minQuantity: r.min_quantity,
    timeInForce: r.time_in_force,
    expireAt: r.expire_at,
    postOnly: r.post_only,
    selfTradePrevention: r.self_trade_prevention,
    clusterId: r.cluster_id,
    status: r.status,
    reason: r.reason,
    priority: Number(r.priority),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const ORDER_COLUMNS = [
  'id',
  'account_id',
  'client_order_id',
  'symbol',
  'side',
  'type',
  'price',
  'hold_price',
  'quantity',
  'filled_quantity',
  'notional_filled',
  'duration_hours',
  'available_until',
  'min_quantity',
  'time_in_force',
  'expire_at',
  'post_only',
  'self_trade_prevention',
  'cluster_id',
  'status',
  'reason',
  'priority',
  'created_at',
  'updated_at',
];

const ORDER_COLUMN_TYPES = [
  'bigint',
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'numeric',
  'numeric',
  'int',
  'int',
  'numeric',
  'int',
  'timestamptz',
  'int',
  'text',
  'timestamptz',
  'boolean',
  'text',
  'uuid',
  'text',
  'text',
  'bigint',
  'timestamptz',
  'timestamptz',
];

function orderValues(o: OrderRecord): unknown[] {
  return [
    o.id,
    o.accountId,
    o.clientOrderId,
    o.symbol,
    o.side,
    o.type,
    o.price?.toFixed() ?? null,
    o.holdPrice?.toFixed() ?? null,
    o.quantity,
    o.filled,
    o.filledValue.toFixed(),
    o.durationHours,
    o.availableUntil,
    o.minQuantity,
    o.timeInForce,
    o.expireAt,
    o.postOnly,
    o.selfTradePrevention,
    o.clusterId,
    o.status,
    o.reason,
    o.priority,
    o.createdAt,
    o.updatedAt,
  ];
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

@Injectable()
export class OrdersRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(LeasesRepository) private readonly leases: LeasesRepository,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(WebhookDeliveriesRepository) private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async loadState(markets: MarketView[]): Promise<PersistedState> {
    const open: OrderRow[] = await this.db.query(`${SELECT_ORDERS} where o.status = 'open'`);
    const seqs: { symbol: string; seq: string }[] = await this.db.query(
      `select symbol, max(seq) as seq from trades group by symbol`,
    );
    const books: { symbol: string; book_sequence: string }[] = await this.db.query(
      `select symbol, book_sequence from markets`,
    );
    const balances: { account_id: string; amount: string }[] = await this.db.query(
      `select account_id, amount from balances where book = 'available' and amount <> 0`,
    );
    const keys: { id: string; ssh_public_key: string }[] = await this.db.query(
      `select id, ssh_public_key from accounts where ssh_public_key is not null`,
    );
    const [max] = await this.db.query(
      `select coalesce(max(id), 0) as id, coalesce(max(priority), 0) as priority from orders`,
    );
    return {
      markets,
      openOrders: open.map(toRecord),
      lastTradeSeq: new Map(seqs.map((r) => [r.symbol, Number(r.seq)])),
      bookSequence: new Map(books.map((r) => [r.symbol, Number(r.book_sequence)])),
      maxOrderId: Number(max.id),
      maxPriority: Number(max.priority),
      liveLeases: await this.leases.loadLive(),
      available: new Map(balances.map((r) => [r.account_id, new Decimal(r.amount)])),
      sshKeys: new Map(keys.map((r) => [r.id, r.ssh_public_key])),
    };
  }

  /**
   * Writes one batch atomically, all of it or (on any error) none of it, as a single statement made of a fixed
   * number of set-based parts whatever the batch's size.
   */
  async commit(batch: Batch): Promise<void> {
    if (batch.empty) return;
    const statement = new WriteStatement();
    const created = [...batch.created.values()];
    if (created.length > 0) {
      const columns = created.map(orderValues);
      statement.add(
        `insert into orders (${ORDER_COLUMNS.join(', ')})
         select * from unnest(${ORDER_COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`,
        ORDER_COLUMNS.map((_, c) => columns.map((row) => row[c])),
      );
    }
    const changed = [...batch.changed.values()];
    if (changed.length > 0) {
      statement.add(
        `update orders o set quantity = v.quantity, filled_quantity = v.filled, notional_filled = v.value,
                status = v.status, reason = v.reason, price = v.price, hold_price = v.hold_price,
                priority = v.priority, updated_at = v.updated_at
           from unnest($1::bigint[], $2::int[], $3::int[], $4::numeric[], $5::text[], $6::text[], $7::numeric[],
                       $8::numeric[], $9::bigint[], $10::timestamptz[])
             as v (id, quantity, filled, value, status, reason, price, hold_price, priority, updated_at)
          where o.id = v.id`,
        [
          changed.map((o) => o.id),
          changed.map((o) => o.quantity),
          changed.map((o) => o.filled),
          changed.map((o) => o.filledValue.toFixed()),
          changed.map((o) => o.status),
          changed.map((o) => o.reason),
          changed.map((o) => o.price?.toFixed() ?? null),
          changed.map((o) => o.holdPrice?.toFixed() ?? null),
          changed.map((o) => o.priority),
          changed.map((o) => o.updatedAt),
        ],
      );
    }
    const trades = batch.trades;
    if (trades.length > 0) {
      statement.add(
        `insert into trades (id, symbol, seq, price, quantity, duration_hours, taker_side, buy_order_id,
                             sell_order_id, buyer_id, seller_id, created_at)
         select * from unnest($1::text[], $2::text[], $3::bigint[], $4::numeric[], $5::int[], $6::int[], $7::text[],
                              $8::bigint[], $9::bigint[], $10::uuid[], $11::uuid[], $12::timestamptz[])`,
        [
          trades.map((t) => t.id),
          trades.map((t) => t.symbol),
          trades.map((t) => t.seq),
          trades.map((t) => t.price.toFixed()),
          trades.map((t) => t.quantity),
          trades.map((t) => t.durationHours),
          trades.map((t) => t.takerSide),
          trades.map((t) => t.buyOrderId),
          trades.map((t) => t.sellOrderId),
          trades.map((t) => t.buyerId),
          trades.map((t) => t.sellerId),
          trades.map((t) => t.time),
        ],
      );
    }
    this.leases.write(statement, [...batch.leasesCreated.values()], [...batch.leasesChanged.values()]);
    this.deliveries.write(statement, batch.deliveries);
    this.ledger.write(statement, batch.ledger);
    const outbox = await this.outbox.write(statement, settlementEvents(batch, new Date(this.clock.now())));
    if (batch.sshKeys.size > 0) {
      statement.add(
        `update accounts a set ssh_public_key = v.key from unnest($1::uuid[], $2::text[]) as v (id, key)
          where a.id = v.id`,
        [[...batch.sshKeys.keys()], [...batch.sshKeys.values()]],
      );
    }
    if (batch.bookSequences.size > 0) {
      statement.add(
        `update markets m set book_sequence = v.sequence from unnest($1::text[], $2::bigint[]) as v (symbol, sequence)
          where m.symbol = v.symbol`,
        [[...batch.bookSequences.keys()], [...batch.bookSequences.values()]],
      );
    }
    // One statement, one round trip: the whole batch or (on any error) none of it.
    try {
      if (!statement.empty) await this.db.query(statement.text, statement.params);
    } catch (error) {
      outbox.undo();
      throw error;
    }
    batch.events.push(...outbox.rows);
  }

  async findOne(id: string): Promise<OrderRecord | null> {
    if (!/^\d{1,15}$/.test(id)) return null;
    const rows: OrderRow[] = await this.db.query(`${SELECT_ORDERS} where o.id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async findByClientOrderId(accountId: string, clientOrderId: string): Promise<OrderRecord | null> {
    const rows: OrderRow[] = await this.db.query(
      `${SELECT_ORDERS} where o.account_id = $1 and o.client_order_id = $2`,
      [accountId, clientOrderId],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async list(
    accountId: string,
    status: OrderStatus | null,
    symbol: string | null,
    limit: number,
  ): Promise<OrderRecord[]> {
    const rows: OrderRow[] = await this.db.query(
      `${SELECT_ORDERS} where o.account_id = $1 and ($2::text is null or o.status = $2) and ($3::text is null or o.symbol = $3)
        order by o.id desc limit $4`,
      [accountId, status, symbol, limit],
    );
    return rows.map(toRecord);
  }

  fills(accountId: string, limit: number): Promise<FillRow[]> {
    return this.db.query(
      `select t.*, l.id as lease_id from trades t left join leases l on l.trade_id = t.id
        where t.buyer_id = $1 or t.seller_id = $1 order by t.created_at desc, t.seq desc limit $2`,
      [accountId, limit],
    );
  }
}
