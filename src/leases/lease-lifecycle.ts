import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { EXCHANGE_ACCOUNT_ID } from '../ledger/ledger.service';
import type { Batch, TradeRecord } from '../orders/batch';
import type { TradingState } from '../orders/trading-state';
import { webhookDelivery } from '../provisioning/webhook-delivery';
import { LeaseRecord, LeaseStatus, notionalOf } from './lease-record';

const HOUR_MS = 3_600_000;

/**
 * How a trade's lease starts. `webhook`: the lease waits in `provisioning` until the seller's cluster hands the
 * GPUs over (or fails at the deadline). `instant`: no cluster is called, the lease is active at once.
 */
export type ProvisioningPolicy = { mode: 'instant' } | { mode: 'webhook'; deadlineMs: number };

/**
 * Every trade opens a lease on the seller's cluster. Its paid time starts only when it becomes active; until then
 * the buyer's money stays in escrow and the cluster's GPUs stay committed to it.
 */
export function openLease(
  state: TradingState,
  batch: Batch,
  trade: TradeRecord,
  clusterId: string,
  feeBps: number,
): LeaseRecord {
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
    status: 'provisioning',
    startAt: null,
    endAt: null,
    provisionDeadline: null,
    access: null,
    failureReason: null,
    interruptAt: null,
    endedAt: null,
    paid: null,
    fee: null,
    refunded: null,
    createdAt: trade.time,
    updatedAt: trade.time,
  };
  state.leases.set(lease.id, lease);
  batch.leasesCreated.set(lease.id, lease);
  const policy = state.provisioning;
  if (policy.mode === 'instant') {
    start(lease, trade.time, null);
  } else {
    lease.provisionDeadline = new Date(trade.time.getTime() + policy.deadlineMs);
    const key = state.sshKeys.get(lease.buyerId) ?? null;
    batch.deliveries.push(webhookDelivery('lease.provision', lease, key, trade.time));
  }
  return lease;
}

/** The cluster has handed the GPUs over: the lease's paid time starts now. */
export function activateLease(
  batch: Batch,
  lease: LeaseRecord,
  access: Record<string, unknown>,
  now: Date,
): void {
  start(lease, now, access);
  lease.updatedAt = now;
  batch.leaseChanged(lease);
}

/**
 * Provisioning failed (the cluster said so, or the deadline passed): the buyer gets the whole escrow back, the
 * seller nothing, the GPUs are free again, and the cluster is told to take back whatever it had set up.
 */
export function failLease(
  state: TradingState,
  batch: Batch,
  lease: LeaseRecord,
  reason: string,
  now: Date,
): void {
  const refunded = notionalOf(lease);
  refund(state, batch, lease, refunded);
  const zero = new Decimal(0);
  Object.assign(lease, { failureReason: reason.slice(0, 500), paid: zero, fee: zero, refunded });
  close(state, batch, lease, 'failed', now);
}

function start(lease: LeaseRecord, at: Date, access: Record<string, unknown> | null): void {
  lease.status = 'active';
  lease.startAt = at;
  lease.endAt = new Date(at.getTime() + lease.durationHours * HOUR_MS);
  lease.access = access;
}

/** Ends the leases whose time (or interrupt notice, or provisioning deadline) is up, earliest first. */
export function settleDueLeases(state: TradingState, batch: Batch, now: Date): void {
  const due = [...state.leases.values()]
    .map((lease) => ({ lease, at: dueAt(lease) }))
    .filter(({ at }) => at !== null && at.getTime() <= now.getTime())
    .sort(
      (a, b) => (a.at as Date).getTime() - (b.at as Date).getTime() || a.lease.id.localeCompare(b.lease.id),
    );
  for (const { lease, at } of due) {
    if (lease.status === 'provisioning')
      failLease(state, batch, lease, 'the cluster did not provision the lease before its deadline', now);
    else finish(state, batch, lease, lease.interruptAt ? 'interrupted' : 'ended', at as Date);
  }
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
  if (lease.status === 'provisioning') return lease.provisionDeadline;
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
  state.creditAvailable(lease.sellerId, paid.minus(fee));
  if (refunded.gt(0)) refund(state, batch, lease, refunded);
  Object.assign(lease, { paid, fee, refunded });
  close(state, batch, lease, status, at);
}

/** The lease is over: its GPUs are free to offer again, and the cluster is told to take them back. */
function close(state: TradingState, batch: Batch, lease: LeaseRecord, status: LeaseStatus, at: Date): void {
  Object.assign(lease, { status, endedAt: at, updatedAt: at });
  state.leases.delete(lease.id);
  state.commitGpus(lease.clusterId, -lease.quantity);
  batch.leaseChanged(lease);
  if (state.provisioning.mode === 'webhook')
    batch.deliveries.push(
      webhookDelivery('lease.deprovision', lease, state.sshKeys.get(lease.buyerId) ?? null, at),
    );
}

/** Escrowed money the buyer gets back. */
function refund(state: TradingState, batch: Batch, lease: LeaseRecord, amount: Decimal): void {
  batch.ledger.push({
    kind: 'refund',
    reference: lease.id,
    postings: [
      { accountId: lease.buyerId, book: 'escrow', amount: amount.negated() },
      { accountId: lease.buyerId, book: 'available', amount },
    ],
  });
  state.creditAvailable(lease.buyerId, amount);
}
