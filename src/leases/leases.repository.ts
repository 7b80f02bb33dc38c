import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource, EntityManager } from 'typeorm';
import { LeaseRecord, LeaseStatus } from './lease-record';

interface LeaseRow {
  id: string;
  trade_id: string;
  symbol: string;
  buyer_id: string;
  seller_id: string;
  cluster_id: string;
  quantity: number;
  price: string;
  duration_hours: number;
  fee_bps: number;
  status: LeaseStatus;
  start_at: Date | null;
  end_at: Date | null;
  interrupt_at: Date | null;
  ended_at: Date | null;
  paid: string | null;
  fee: string | null;
  refunded: string | null;
  created_at: Date;
  updated_at: Date;
}

const decimalOrNull = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));

function toRecord(r: LeaseRow): LeaseRecord {
  return {
    id: r.id,
    tradeId: r.trade_id,
    symbol: r.symbol,
    buyerId: r.buyer_id,
    sellerId: r.seller_id,
    clusterId: r.cluster_id,
    quantity: r.quantity,
    price: new Decimal(r.price),
    durationHours: r.duration_hours,
    feeBps: r.fee_bps,
    status: r.status,
    startAt: r.start_at,
    endAt: r.end_at,
    interruptAt: r.interrupt_at,
    endedAt: r.ended_at,
    paid: decimalOrNull(r.paid),
    fee: decimalOrNull(r.fee),
    refunded: decimalOrNull(r.refunded),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const text = (d: Decimal | null): string | null => d?.toFixed() ?? null;

@Injectable()
export class LeasesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async loadLive(): Promise<LeaseRecord[]> {
    const rows: LeaseRow[] = await this.db.query(
      `select * from leases where status in ('provisioning', 'active')`,
    );
    return rows.map(toRecord);
  }

  /** Inside the batch's transaction. */
  async write(
    em: EntityManager,
    created: Iterable<LeaseRecord>,
    changed: Iterable<LeaseRecord>,
  ): Promise<void> {
    for (const l of created) {
      await em.query(
        `insert into leases (id, trade_id, symbol, buyer_id, seller_id, cluster_id, quantity, price, duration_hours,
                             fee_bps, status, start_at, end_at, interrupt_at, ended_at, paid, fee, refunded,
                             created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
        [
          l.id,
          l.tradeId,
          l.symbol,
          l.buyerId,
          l.sellerId,
          l.clusterId,
          l.quantity,
          l.price.toFixed(),
          l.durationHours,
          l.feeBps,
          l.status,
          l.startAt,
          l.endAt,
          l.interruptAt,
          l.endedAt,
          text(l.paid),
          text(l.fee),
          text(l.refunded),
          l.createdAt,
          l.updatedAt,
        ],
      );
    }
    for (const l of changed) {
      await em.query(
        `update leases set status = $2, interrupt_at = $3, ended_at = $4, paid = $5, fee = $6, refunded = $7,
                updated_at = $8 where id = $1`,
        [l.id, l.status, l.interruptAt, l.endedAt, text(l.paid), text(l.fee), text(l.refunded), l.updatedAt],
      );
    }
  }

  async findOne(id: string): Promise<LeaseRecord | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: LeaseRow[] = await this.db.query(`select * from leases where id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async listFor(accountId: string, limit: number): Promise<LeaseRecord[]> {
    const rows: LeaseRow[] = await this.db.query(
      `select * from leases where buyer_id = $1 or seller_id = $1 order by created_at desc, id limit $2`,
      [accountId, limit],
    );
    return rows.map(toRecord);
  }
}
