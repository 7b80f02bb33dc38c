import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { formatMoney } from '../common/money';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A seller's (or one cluster's) delivery record, from its leases. */
export interface DeliveryRecord {
  leases: number;
  /** Reached `active` and ran to their end or the buyer's release. */
  delivered: number;
  active: number;
  /** Never reached `active`: the cluster refused, failed its checks, or missed the deadline. */
  failed: number;
  /** Ended by the seller under an interrupt notice (interruptible markets). */
  interrupted: number;
  /** Ended early because the cluster lost the GPUs. */
  lost: number;
  /** Leases whose buyer the seller paid an SLA credit. */
  credited: number;
  /** USD the seller paid in SLA credits. */
  creditsPaid: string;
  /** Activated after passed acceptance checks, or without any. */
  verified: number;
  unverified: number;
  /** Share of activated leases that were active by the time the market promised (null: none activated). */
  onTimeActivationPct: number | null;
  medianSecondsToActive: number | null;
  gpuHoursDelivered: string;
}

interface RecordRow {
  seller_id: string;
  cluster_id: string | null;
  leases: string;
  delivered: string;
  active: string;
  failed: string;
  interrupted: string;
  lost: string;
  credited: string;
  credits_paid: string | null;
  verified: string;
  unverified: string;
  activated: string;
  on_time: string;
  median_seconds: string | number | null;
  gpu_hours: string | null;
}

/** What a lease counts for. A lost lease ends `interrupted` with a failure reason; a noticed one without. */
const RECORD = `
  seller_id, cluster_id,
  count(*) as leases,
  count(*) filter (where status in ('ended', 'released')) as delivered,
  count(*) filter (where status = 'active') as active,
  count(*) filter (where status = 'failed') as failed,
  count(*) filter (where status = 'interrupted' and failure_reason is null) as interrupted,
  count(*) filter (where status = 'interrupted' and failure_reason is not null) as lost,
  count(*) filter (where credited > 0) as credited,
  sum(credited) as credits_paid,
  count(*) filter (where start_at is not null and checks->>'passed' = 'true') as verified,
  count(*) filter (where start_at is not null and (checks is null or checks->>'passed' <> 'true')) as unverified,
  count(*) filter (where start_at is not null) as activated,
  count(*) filter (where start_at is not null and (activate_by is null or start_at <= activate_by)) as on_time,
  percentile_cont(0.5) within group (order by extract(epoch from start_at - created_at))
    filter (where start_at is not null) as median_seconds,
  sum(quantity * extract(epoch from least(coalesce(ended_at, $2::timestamptz), end_at) - start_at) / 3600)
    filter (where start_at is not null) as gpu_hours`;

const count = (v: string) => Number(v);

function recordOf(r: RecordRow): DeliveryRecord {
  const activated = count(r.activated);
  return {
    leases: count(r.leases),
    delivered: count(r.delivered),
    active: count(r.active),
    failed: count(r.failed),
    interrupted: count(r.interrupted),
    lost: count(r.lost),
    credited: count(r.credited),
    creditsPaid: decimalText(r.credits_paid),
    verified: count(r.verified),
    unverified: count(r.unverified),
    onTimeActivationPct: activated === 0 ? null : Math.round((count(r.on_time) / activated) * 10_000) / 100,
    medianSecondsToActive:
      r.median_seconds === null ? null : Math.round(Number(r.median_seconds) * 1000) / 1000,
    gpuHoursDelivered: decimalText(r.gpu_hours, 4),
  };
}

/** A numeric sum as a decimal string (decimal.js, never a float), rounded to `places`, without trailing zeros. */
const decimalText = (v: string | null, places = 10): string =>
  v === null ? '0' : formatMoney(new Decimal(v).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN));

/** Delivery records, aggregated from the leases table at read time (every lease counts, from its trade on). */
@Injectable()
export class ReliabilityRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The seller's record, and one per cluster (keyed by cluster id). */
  async ofSeller(sellerId: string, now: Date) {
    const rows: RecordRow[] = await this.db.query(
      `select ${RECORD} from leases where seller_id = $1
        group by grouping sets ((seller_id), (seller_id, cluster_id))`,
      [sellerId, now],
    );
    return {
      seller: rows.filter((r) => r.cluster_id === null).map(recordOf)[0] ?? null,
      clusters: new Map(
        rows.filter((r) => r.cluster_id !== null).map((r) => [r.cluster_id as string, recordOf(r)]),
      ),
    };
  }

  /** The record of every seller that traded in the market, most GPU-hours delivered first, and all of them. */
  async ofMarket(symbol: string, now: Date, limit: number) {
    const rows: RecordRow[] = await this.db.query(
      `select null::uuid as seller_id, null::uuid as cluster_id, ${RECORD.replace('seller_id, cluster_id,', '')}
         from leases where symbol = $1
       union all
       (select ${RECORD.replace('seller_id, cluster_id,', 'seller_id, null::uuid as cluster_id,')}
          from leases where symbol = $1 group by seller_id order by gpu_hours desc nulls last limit ${limit})`,
      [symbol, now],
    );
    const [all, ...sellers] = rows;
    return { all: recordOf(all), sellers: sellers.map((r) => ({ sellerId: r.seller_id, ...recordOf(r) })) };
  }
}
