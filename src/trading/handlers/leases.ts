import Decimal from 'decimal.js';
import { EXCHANGE_ACCOUNT_ID } from '../accounts';
import type { LeaseTransition } from '../events';
import { ZERO, unitsToUsd } from '../money';
import type { TradingState } from '../state/trading-state';
import { HOUR_MS } from '../time';
import type {
  AcceptanceChecks,
  LeaseSnapshot,
  LeaseStatus,
  MarketTerms,
  TradeRecord,
  WebhookType,
} from '../types';
import { leaseView } from '../views/lease-view';
import type { CommandContext } from './context';
import { creditedOf, gpuHours, lateGpuHours, payCredits, planCredits } from './credits';
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
  market: MarketTerms,
): void {
  const policy = ctx.provisioning;
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
    feeBps: market.feeBps,
    creditBps: market.creditBps,
    activateBy: policy.mode === 'webhook' ? trade.time + market.activationMinutes * 60_000 : null,
    requireChecks: policy.mode === 'webhook' && (policy.requireChecks || market.requireChecks),
    status: 'provisioning',
    startAt: null,
    endAt: null,
    provisionDeadline: null,
    access: null,
    failureReason: null,
    checks: null,
    interruptAt: null,
    endedAt: null,
    paid: null,
    fee: null,
    refunded: null,
    credited: null,
    createdAt: trade.time,
    updatedAt: trade.time,
  };
  const lease =
    policy.mode === 'instant'
      ? started(opened, trade.time, null)
      : { ...opened, provisionDeadline: trade.time + policy.deadlineMs };
  changed(state, ctx, 'opened', null, lease);
  if (policy.mode === 'webhook') requestWebhook(state, ctx, 'lease.provision', lease);
}

/** The cluster set the GPUs up and is checking them: the lease is `verifying`, its paid time not started. */
export function verifyLease(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  access: Readonly<Record<string, unknown>>,
): LeaseSnapshot {
  const verifying: LeaseSnapshot = { ...lease, status: 'verifying', access, updatedAt: ctx.now };
  changed(state, ctx, 'verifying', lease.status, verifying);
  return verifying;
}

/**
 * The cluster has handed the GPUs over: the lease's paid time starts now. With a (passed) acceptance report, a
 * lease still `provisioning` goes through `verifying` first, so every checked lease shows both steps.
 */
export function activateLease(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  access: Readonly<Record<string, unknown>> | null,
  checks: AcceptanceChecks | null,
): LeaseSnapshot {
  const handed = access ?? lease.access ?? {};
  const before =
    checks !== null && lease.status === 'provisioning' ? verifyLease(state, ctx, lease, handed) : lease;
  const active = { ...started(before, ctx.now, handed), checks: checks ?? before.checks, updatedAt: ctx.now };
  changed(state, ctx, 'activated', before.status, active);
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
  checks: AcceptanceChecks | null = null,
): LeaseSnapshot {
  const refunded = notionalOf(lease);
  // Nothing was delivered: every GPU-hour bought is short.
  const credits = planCredits(lease, state.balances.availableOf(lease.sellerId), [
    { reason: 'not_delivered', undeliveredGpuHours: new Decimal(lease.quantity).times(lease.durationHours) },
  ]);
  const failed: LeaseSnapshot = {
    ...lease,
    status: 'failed',
    failureReason: reason,
    checks: checks ?? lease.checks,
    paid: ZERO,
    fee: ZERO,
    refunded,
    credited: creditedOf(credits),
    endedAt: ctx.now,
    updatedAt: ctx.now,
  };
  close(state, ctx, 'failed', lease, failed);
  refund(state, ctx, failed, refunded);
  payCredits(state, ctx, failed, credits);
  return failed;
}

/**
 * The cluster lost the lease's GPUs (nodes drained or down, or taken back early): the lease ends `interrupted`
 * now, the buyer pays only for the GPU-hours delivered and is credited for the rest.
 */
export function loseLease(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  reason: string,
): LeaseSnapshot {
  return finish(state, ctx, { ...lease, failureReason: reason }, 'interrupted', ctx.now, true);
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
  if (ctx.provisioning.mode === 'webhook') requestWebhook(state, ctx, 'lease.interrupt', noticed);
  return noticed;
}

/** Ends the leases whose time (or interrupt notice, or provisioning deadline) is up, earliest first. */
export function settleDueLeases(state: TradingState, ctx: CommandContext): void {
  for (const { lease, at } of state.leases.due(ctx.now)) {
    if (lease.status === 'provisioning')
      failLease(state, ctx, lease, 'the cluster did not provision the lease before its deadline');
    else if (lease.status === 'verifying')
      failLease(state, ctx, lease, 'the cluster did not pass its acceptance checks before the deadline');
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
  lost = false,
): LeaseSnapshot {
  const bought = new Decimal(lease.quantity).times(lease.durationHours);
  const delivered = deliveredGpuHours(lease, status, at, lost);
  const paid = unitsToUsd(lease.price).times(delivered);
  const fee = paid.times(lease.feeBps).dividedBy(10_000).toDecimalPlaces(10, Decimal.ROUND_HALF_EVEN);
  const refunded = notionalOf(lease).minus(paid);
  const credits = planCredits(lease, state.balances.availableOf(lease.sellerId).plus(paid).minus(fee), [
    { reason: 'late_activation', undeliveredGpuHours: lateGpuHours(lease) },
    { reason: 'ended_early', undeliveredGpuHours: lost ? bought.minus(delivered) : ZERO },
  ]);
  const over: LeaseSnapshot = {
    ...lease,
    status,
    paid,
    fee,
    refunded,
    credited: creditedOf(credits),
    endedAt: at,
    updatedAt: at,
  };
  close(state, ctx, lost ? 'lost' : status, lease, over);
  post(state, ctx, 'settlement', { tradeId: lease.tradeId, leaseId: lease.id }, [
    { accountId: lease.buyerId, book: 'escrow', amount: paid.negated() },
    { accountId: lease.sellerId, book: 'available', amount: paid.minus(fee) },
    { accountId: EXCHANGE_ACCOUNT_ID, book: 'revenue', amount: fee },
  ]);
  if (refunded.gt(0)) refund(state, ctx, over, refunded);
  payCredits(state, ctx, over, credits);
  return over;
}

/**
 * GPU-hours the buyer pays for: all it bought, except when the seller takes the GPUs back: whole hours delivered
 * under an interrupt (or a release during its notice), and the time up to now, to the GPU-second, when the cluster
 * lost them.
 */
function deliveredGpuHours(
  lease: LeaseSnapshot,
  status: 'ended' | 'released' | 'interrupted',
  at: number,
  lost: boolean,
): Decimal {
  const bought = new Decimal(lease.quantity).times(lease.durationHours);
  const since = at - (lease.startAt as number);
  if (lost) return Decimal.min(bought, gpuHours(lease.quantity, since));
  if (status !== 'interrupted' && lease.interruptAt === null) return bought;
  return new Decimal(lease.quantity).times(Math.min(lease.durationHours, Math.floor(since / HOUR_MS)));
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
