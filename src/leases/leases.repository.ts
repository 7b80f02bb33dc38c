import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { UNITS_PER_USD } from '../trading/money';
import type { LeaseSnapshot, LeaseStatus } from '../trading/types';

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
  provision_deadline: Date | null;
  access: Record<string, unknown> | null;
  failure_reason: string | null;
  credit_bps: number;
  activate_by: Date | null;
  require_checks: boolean;
  checks: LeaseSnapshot['checks'];
  credited: string | null;
  created_at: Date;
  updated_at: Date;
}

const decimalOrNull = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));
const msOrNull = (d: Date | null): number | null => d?.getTime() ?? null;

function snapshotOf(r: LeaseRow): LeaseSnapshot {
  return {
    id: r.id,
    tradeId: r.trade_id,
    symbol: r.symbol,
    buyerId: r.buyer_id,
    sellerId: r.seller_id,
    clusterId: r.cluster_id,
    quantity: r.quantity,
    price: new Decimal(r.price).times(UNITS_PER_USD).toNumber(),
    durationHours: r.duration_hours,
    feeBps: r.fee_bps,
    creditBps: r.credit_bps,
    activateBy: msOrNull(r.activate_by),
    requireChecks: r.require_checks,
    status: r.status,
    startAt: msOrNull(r.start_at),
    endAt: msOrNull(r.end_at),
    provisionDeadline: msOrNull(r.provision_deadline),
    access: r.access,
    failureReason: r.failure_reason,
    checks: r.checks,
    interruptAt: msOrNull(r.interrupt_at),
    endedAt: msOrNull(r.ended_at),
    paid: decimalOrNull(r.paid),
    fee: decimalOrNull(r.fee),
    refunded: decimalOrNull(r.refunded),
    credited: decimalOrNull(r.credited),
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
  };
}

/** Leases as committed, for reads (the single writer alone writes them, see src/writer). */
@Injectable()
export class LeasesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findOne(id: string): Promise<LeaseSnapshot | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: LeaseRow[] = await this.db.query(`select * from leases where id = $1`, [id]);
    return rows.length ? snapshotOf(rows[0]) : null;
  }

  async listFor(accountId: string, limit: number): Promise<LeaseSnapshot[]> {
    const rows: LeaseRow[] = await this.db.query(
      `select * from leases where buyer_id = $1 or seller_id = $1 order by created_at desc, id limit $2`,
      [accountId, limit],
    );
    return rows.map(snapshotOf);
  }
}
