import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { EXCHANGE_ACCOUNT_ID } from '../ledger/ledger.service';
import type { Batch, TradeRecord } from '../orders/batch';
import type { TradingState } from '../orders/trading-state';
import { LeaseRecord, LeaseStatus, notionalOf } from './lease-record';

const HOUR_MS = 3_600_000;

/**
 * Every trade starts a lease. Until real provisioning lands, a built-in provisioner hands the GPUs over at once:
 * the lease goes from provisioning to active in the same step, and its paid time starts now.
 */
export function openLease(
  state: TradingState,
  batch: Batch,
  trade: TradeRecord,
  clusterId: string,
  feeBps: number,
): LeaseRecord {
  const start = trade.time;
  const lease: LeaseRecord = {
    id: randomUUID(),
    tradeId: trade.id,
    symbol: trade.symbol,
    buyerId: trade.buyerId,
    sellerId: trade.sellerId,
    clusterId,
    quantity: trade.quantity,
    price: trade.price,
    durationHours: trade.durationHours,
    feeBps,
    status: 'active',
    startAt: start,
    endAt: new Date(start.getTime() + trade.durationHours * HOUR_MS),
    interruptAt: null,
    endedAt: null,
    paid: null,
    fee: null,
    refunded: null,
    createdAt: start,
    updatedAt: start,
  };
  state.leases.set(lease.id, lease);
  batch.leasesCreated.set(lease.id, lease);
  return lease;
}

/** Ends the leases whose time (or interrupt notice) is up, earliest first. */
export function settleDueLeases(state: TradingState, batch: Batch, now: Date): void {
  const due = [...state.leases.values()]
    .map((lease) => ({ lease, at: dueAt(lease) }))
    .filter(({ at }) => at !== null && at.getTime() <= now.getTime())
    .sort(
      (a, b) => (a.at as Date).getTime() - (b.at as Date).getTime() || a.lease.id.localeCompare(b.lease.id),
    );
  for (const { lease, at } of due)
    finish(state, batch, lease, lease.interruptAt ? 'interrupted' : 'ended', at as Date);
}

/** The buyer hands the GPUs back early; a firm lease is still paid in full. */
export function releaseLease(state: TradingState, batch: Batch, lease: LeaseRecord, now: Date): void {
  finish(state, batch, lease, 'released', now);
}

/** The seller takes the GPUs back after the market's notice; the buyer pays for the whole hours delivered. */
export function interruptLease(batch: Batch, lease: LeaseRecord, now: Date, noticeMinutes: number): void {
  lease.interruptAt = new Date(now.getTime() + noticeMinutes * 60_000);
  lease.updatedAt = now;
  batch.leaseChanged(lease);
}

function dueAt(lease: LeaseRecord): Date | null {
  if (lease.interruptAt && lease.endAt && lease.interruptAt < lease.endAt) return lease.interruptAt;
  return lease.endAt;
}

/**
 * Settles a lease: the seller is paid for the hours delivered less the market fee, the fee goes to the
 * exchange's revenue, and whatever the buyer escrowed beyond that is refunded. The GPUs are free again.
 */
function finish(state: TradingState, batch: Batch, lease: LeaseRecord, status: LeaseStatus, at: Date): void {
  const hours =
    status === 'interrupted'
      ? Math.min(
          lease.durationHours,
          Math.floor((at.getTime() - (lease.startAt as Date).getTime()) / HOUR_MS),
        )
      : lease.durationHours;
  const paid = lease.price.times(lease.quantity).times(hours);
  const fee = paid.times(lease.feeBps).dividedBy(10_000).toDecimalPlaces(10, Decimal.ROUND_HALF_EVEN);
  const refunded = notionalOf(lease).minus(paid);
  batch.ledger.push({
    kind: 'settlement',
    reference: lease.id,
    postings: [
      { accountId: lease.buyerId, book: 'escrow', amount: paid.negated() },
      { accountId: lease.sellerId, book: 'available', amount: paid.minus(fee) },
      { accountId: EXCHANGE_ACCOUNT_ID, book: 'revenue', amount: fee },
    ],
  });
  if (refunded.gt(0)) {
    batch.ledger.push({
      kind: 'refund',
      reference: lease.id,
      postings: [
        { accountId: lease.buyerId, book: 'escrow', amount: refunded.negated() },
        { accountId: lease.buyerId, book: 'available', amount: refunded },
      ],
    });
  }
  state.creditAvailable(lease.sellerId, paid.minus(fee));
  state.creditAvailable(lease.buyerId, refunded);
  Object.assign(lease, { status, endedAt: at, paid, fee, refunded, updatedAt: at });
  state.leases.delete(lease.id);
  state.commitGpus(lease.clusterId, -lease.quantity);
  batch.leaseChanged(lease);
}
