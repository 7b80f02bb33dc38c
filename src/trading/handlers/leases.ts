import Decimal from 'decimal.js';
import { EXCHANGE_ACCOUNT_ID } from '../accounts';
import type { LeaseTransition } from '../events';
import { ZERO, unitsToUsd } from '../money';
import type { TradingState } from '../state/trading-state';
import { HOUR_MS } from '../time';
import type { LeaseSnapshot, LeaseStatus, TradeRecord, WebhookType } from '../types';
import { leaseView } from '../views/lease-view';
import type { CommandContext } from './context';
import { post } from './ledger';

/** What the buyer escrowed for the lease: price x GPUs x hours. */
export const notionalOf = (lease: LeaseSnapshot): Decimal =>
  unitsToUsd(lease.price).times(lease.quantity).times(lease.durationHours);

/**
 * Every trade opens a lease on the seller's cluster. Its paid time starts only when it becomes active; until then
 * the buyer's money stays in escrow and the cluster's GPUs stay committed to it.
 */
export function openLease(
  state: TradingState,
  ctx: CommandContext,
  trade: TradeRecord,
  clusterId: string,
  feeBps: number,
): void {
  const opened: LeaseSnapshot = {
    id: trade.leaseId,
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
  const policy = ctx.provisioning;
  const lease =
    policy.mode === 'instant'
      ? started(opened, trade.time, null)
      : { ...opened, provisionDeadline: trade.time + policy.deadlineMs };
  changed(state, ctx, 'opened', null, lease);
  if (policy.mode === 'webhook') requestWebhook(state, ctx, 'lease.provision', lease);
}

/** The cluster has handed the GPUs over: the lease's paid time starts now. */
export function activateLease(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  access: Readonly<Record<string, unknown>>,
): LeaseSnapshot {
  const active = { ...started(lease, ctx.now, access), updatedAt: ctx.now };
  changed(state, ctx, 'activated', lease.status, active);
  return active;
}

/**
 * Provisioning failed (the cluster said so, or the deadline passed): the buyer gets the whole escrow back, the
 * seller nothing, the GPUs are free again, and the cluster is told to take back whatever it had set up.
 */
export function failLease(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  reason: string,
): LeaseSnapshot {
  const refunded = notionalOf(lease);
  const failed: LeaseSnapshot = {
    ...lease,
    status: 'failed',
    failureReason: reason,
    paid: ZERO,
    fee: ZERO,
    refunded,
    endedAt: ctx.now,
    updatedAt: ctx.now,
  };
  close(state, ctx, 'failed', lease, failed);
  refund(state, ctx, failed, refunded);
  return failed;
}

/**
 * The buyer hands the GPUs back early; a firm lease is still paid in full, and a lease under an interrupt notice
 * pays for the whole hours delivered, as the interruption would have.
 */
export function releaseLease(state: TradingState, ctx: CommandContext, lease: LeaseSnapshot): LeaseSnapshot {
  return finish(state, ctx, lease, 'released', ctx.now);
}

/** The seller takes the GPUs back after the market's notice; the buyer pays for the whole hours delivered. */
export function interruptLease(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  noticeMinutes: number,
): LeaseSnapshot {
  const noticed = { ...lease, interruptAt: ctx.now + noticeMinutes * 60_000, updatedAt: ctx.now };
  changed(state, ctx, 'interrupt_noticed', lease.status, noticed);
  return noticed;
}

/** Ends the leases whose time (or interrupt notice, or provisioning deadline) is up, earliest first. */
export function settleDueLeases(state: TradingState, ctx: CommandContext): void {
  for (const { lease, at } of state.leases.due(ctx.now)) {
    if (lease.status === 'provisioning')
      failLease(state, ctx, lease, 'the cluster did not provision the lease before its deadline');
    else finish(state, ctx, lease, lease.interruptAt !== null ? 'interrupted' : 'ended', at);
  }
}

function started(lease: LeaseSnapshot, at: number, access: LeaseSnapshot['access']): LeaseSnapshot {
  return { ...lease, status: 'active', startAt: at, endAt: at + lease.durationHours * HOUR_MS, access };
}

/**
 * Settles a lease: the seller is paid for the hours delivered less the market fee, the fee goes to the
 * exchange's revenue, and whatever the buyer escrowed beyond that is refunded. The GPUs are free again.
 */
function finish(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  status: 'ended' | 'released' | 'interrupted',
  at: number,
): LeaseSnapshot {
  // Whole hours delivered when the seller is taking the GPUs back (interrupted, or released during the notice).
  const hours =
    status === 'interrupted' || lease.interruptAt !== null
      ? Math.min(lease.durationHours, Math.floor((at - (lease.startAt as number)) / HOUR_MS))
      : lease.durationHours;
  const paid = unitsToUsd(lease.price).times(lease.quantity).times(hours);
  const fee = paid.times(lease.feeBps).dividedBy(10_000).toDecimalPlaces(10, Decimal.ROUND_HALF_EVEN);
  const refunded = notionalOf(lease).minus(paid);
  const over: LeaseSnapshot = { ...lease, status, paid, fee, refunded, endedAt: at, updatedAt: at };
  close(state, ctx, status, lease, over);
  post(state, ctx, 'settlement', { tradeId: lease.tradeId, leaseId: lease.id }, [
    { accountId: lease.buyerId, book: 'escrow', amount: paid.negated() },
    { accountId: lease.sellerId, book: 'available', amount: paid.minus(fee) },
    { accountId: EXCHANGE_ACCOUNT_ID, book: 'revenue', amount: fee },
  ]);
  if (refunded.gt(0)) refund(state, ctx, over, refunded);
  return over;
}

/** The lease is over: its GPUs are free to offer again, and the cluster is told to take them back. */
function close(
  state: TradingState,
  ctx: CommandContext,
  transition: LeaseTransition,
  before: LeaseSnapshot,
  over: LeaseSnapshot,
): void {
  state.leases.remove(over.id);
  state.capacity.commit(over.clusterId, -over.quantity);
  ctx.events.push({ type: 'lease.changed', transition, from: before.status, to: over.status, lease: over });
  if (ctx.provisioning.mode === 'webhook') requestWebhook(state, ctx, 'lease.deprovision', over);
}

/** Escrowed money the buyer gets back. */
function refund(state: TradingState, ctx: CommandContext, lease: LeaseSnapshot, amount: Decimal): void {
  post(state, ctx, 'refund', { tradeId: lease.tradeId, leaseId: lease.id }, [
    { accountId: lease.buyerId, book: 'escrow', amount: amount.negated() },
    { accountId: lease.buyerId, book: 'available', amount },
  ]);
}

function changed(
  state: TradingState,
  ctx: CommandContext,
  transition: LeaseTransition,
  from: LeaseStatus | null,
  lease: LeaseSnapshot,
): void {
  state.leases.put(lease);
  ctx.events.push({ type: 'lease.changed', transition, from, to: lease.status, lease });
}

/**
 * The request PROTOCOL.md describes: `{type, lease, buyer: {accountId, sshPublicKey?}}`; the lease never carries
 * access details.
 */
function requestWebhook(
  state: TradingState,
  ctx: CommandContext,
  type: WebhookType,
  lease: LeaseSnapshot,
): void {
  const sshPublicKey = state.sshKeys.of(lease.buyerId);
  ctx.events.push({
    type: 'webhook.requested',
    request: {
      id: ctx.ids.webhookId(lease.id, type),
      type,
      leaseId: lease.id,
      clusterId: lease.clusterId,
      payload: JSON.stringify({
        type,
        lease: leaseView(lease),
        buyer: { accountId: lease.buyerId, ...(sshPublicKey ? { sshPublicKey } : {}) },
      }),
      createdAt: ctx.now,
    },
  });
}
