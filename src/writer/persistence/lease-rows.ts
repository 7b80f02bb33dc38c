import type Decimal from 'decimal.js';
import type { WriteStatement } from './write-statement';
import { formatUnits } from '../../trading/money';
import type { LeaseSnapshot } from '../../trading/types';

const text = (d: Decimal | null): string | null => d?.toFixed() ?? null;
const json = (v: object | null): string | null => (v === null ? null : JSON.stringify(v));
const time = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** Leases opened in the batch (as the batch left them). */
export function insertLeases(statement: WriteStatement, leases: LeaseSnapshot[]): void {
  if (leases.length === 0) return;
  const column = <T>(f: (l: LeaseSnapshot) => T): T[] => leases.map(f);
  statement.add(
    `insert into leases (id, trade_id, symbol, buyer_id, seller_id, cluster_id, quantity, price, duration_hours,
                         fee_bps, status, start_at, end_at, interrupt_at, ended_at, paid, fee, refunded,
                         created_at, updated_at, provision_deadline, access, failure_reason, credit_bps,
                         activate_by, require_checks, checks, credited)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::int[],
                          $8::numeric[], $9::int[], $10::int[], $11::text[], $12::timestamptz[],
                          $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::numeric[],
                          $17::numeric[], $18::numeric[], $19::timestamptz[], $20::timestamptz[],
                          $21::timestamptz[], $22::jsonb[], $23::text[], $24::int[], $25::timestamptz[],
                          $26::boolean[], $27::jsonb[], $28::numeric[])`,
    [
      column((l) => l.id),
      column((l) => l.tradeId),
      column((l) => l.symbol),
      column((l) => l.buyerId),
      column((l) => l.sellerId),
      column((l) => l.clusterId),
      column((l) => l.quantity),
      column((l) => formatUnits(l.price)),
      column((l) => l.durationHours),
      column((l) => l.feeBps),
      column((l) => l.status),
      column((l) => time(l.startAt)),
      column((l) => time(l.endAt)),
      column((l) => time(l.interruptAt)),
      column((l) => time(l.endedAt)),
      column((l) => text(l.paid)),
      column((l) => text(l.fee)),
      column((l) => text(l.refunded)),
      column((l) => time(l.createdAt)),
      column((l) => time(l.updatedAt)),
      column((l) => time(l.provisionDeadline)),
      column((l) => json(l.access)),
      column((l) => l.failureReason),
      column((l) => l.creditBps),
      column((l) => time(l.activateBy)),
      column((l) => l.requireChecks),
      column((l) => json(l.checks)),
      column((l) => text(l.credited)),
    ],
  );
}

/** Leases that existed before the batch, as the batch left them. */
export function updateLeases(statement: WriteStatement, leases: LeaseSnapshot[]): void {
  if (leases.length === 0) return;
  const column = <T>(f: (l: LeaseSnapshot) => T): T[] => leases.map(f);
  statement.add(
    `update leases l set status = v.status, interrupt_at = v.interrupt_at, ended_at = v.ended_at, paid = v.paid,
            fee = v.fee, refunded = v.refunded, updated_at = v.updated_at, start_at = v.start_at,
            end_at = v.end_at, access = v.access, failure_reason = v.failure_reason, checks = v.checks,
            credited = v.credited
       from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::numeric[], $6::numeric[],
                   $7::numeric[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::jsonb[],
                   $12::text[], $13::jsonb[], $14::numeric[])
         as v (id, status, interrupt_at, ended_at, paid, fee, refunded, updated_at, start_at, end_at, access,
               failure_reason, checks, credited)
      where l.id = v.id`,
    [
      column((l) => l.id),
      column((l) => l.status),
      column((l) => time(l.interruptAt)),
      column((l) => time(l.endedAt)),
      column((l) => text(l.paid)),
      column((l) => text(l.fee)),
      column((l) => text(l.refunded)),
      column((l) => time(l.updatedAt)),
      column((l) => time(l.startAt)),
      column((l) => time(l.endAt)),
      column((l) => json(l.access)),
      column((l) => l.failureReason),
      column((l) => json(l.checks)),
      column((l) => text(l.credited)),
    ],
  );
}
