import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource } from 'typeorm';
import { WriteStatement } from '../database/write-statement';
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
  provision_deadline: Date | null;
  access: Record<string, unknown> | null;
  failure_reason: string | null;
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
    provisionDeadline: r.provision_deadline,
    access: r.access,
    failureReason: r.failure_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const text = (d: Decimal | null): string | null => d?.toFixed() ?? null;
const json = (v: Record<string, unknown> | null): string | null => (v === null ? null : JSON.stringify(v));

@Injectable()
export class LeasesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async loadLive(): Promise<LeaseRecord[]> {
    const rows: LeaseRow[] = await this.db.query(
      `select * from leases where status in ('provisioning', 'active')`,
    );
    return rows.map(toRecord);
  }

  /** Inside the batch's transaction, in at most two statements. */
  write(statement: WriteStatement, created: LeaseRecord[], changed: LeaseRecord[]): void {
    if (created.length > 0) {
      const column = <T>(f: (l: LeaseRecord) => T): T[] => created.map(f);
      statement.add(
        `insert into leases (id, trade_id, symbol, buyer_id, seller_id, cluster_id, quantity, price, duration_hours,
                             fee_bps, status, start_at, end_at, interrupt_at, ended_at, paid, fee, refunded,
                             created_at, updated_at, provision_deadline, access, failure_reason)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::int[],
                              $8::numeric[], $9::int[], $10::int[], $11::text[], $12::timestamptz[],
                              $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::numeric[],
                              $17::numeric[], $18::numeric[], $19::timestamptz[], $20::timestamptz[],
                              $21::timestamptz[], $22::jsonb[], $23::text[])`,
        [
          column((l) => l.id),
          column((l) => l.tradeId),
          column((l) => l.symbol),
          column((l) => l.buyerId),
          column((l) => l.sellerId),
          column((l) => l.clusterId),
          column((l) => l.quantity),
          column((l) => l.price.toFixed()),
          column((l) => l.durationHours),
          column((l) => l.feeBps),
          column((l) => l.status),
          column((l) => l.startAt),
          column((l) => l.endAt),
          column((l) => l.interruptAt),
          column((l) => l.endedAt),
          column((l) => text(l.paid)),
          column((l) => text(l.fee)),
          column((l) => text(l.refunded)),
          column((l) => l.createdAt),
          column((l) => l.updatedAt),
          column((l) => l.provisionDeadline),
          column((l) => json(l.access)),
          column((l) => l.failureReason),
        ],
      );
    }
    if (changed.length > 0) {
      const column = <T>(f: (l: LeaseRecord) => T): T[] => changed.map(f);
      statement.add(
        `update leases l set status = v.status, interrupt_at = v.interrupt_at, ended_at = v.ended_at, paid = v.paid,
                fee = v.fee, refunded = v.refunded, updated_at = v.updated_at, start_at = v.start_at,
                end_at = v.end_at, access = v.access, failure_reason = v.failure_reason
           from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::numeric[], $6::numeric[],
                       $7::numeric[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::jsonb[],
                       $12::text[])
             as v (id, status, interrupt_at, ended_at, paid, fee, refunded, updated_at, start_at, end_at, access,
                   failure_reason)
          where l.id = v.id`,
        [
          column((l) => l.id),
          column((l) => l.status),
          column((l) => l.interruptAt),
          column((l) => l.endedAt),
          column((l) => text(l.paid)),
          column((l) => text(l.fee)),
          column((l) => text(l.refunded)),
          column((l) => l.updatedAt),
          column((l) => l.startAt),
          column((l) => l.endAt),
          column((l) => json(l.access)),
          column((l) => l.failureReason),
        ],
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
