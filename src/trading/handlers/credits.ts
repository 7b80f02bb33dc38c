import Decimal from 'decimal.js';
import { ZERO, unitsToUsd } from '../money';
import type { TradingState } from '../state/trading-state';
import { HOUR_MS } from '../time';
import type { CreditTerms, LeaseSnapshot } from '../types';
import type { CommandContext } from './context';
import { post } from './ledger';

/** GPU-hours are counted to 4 decimals (a third of a GPU-second), so that price x GPU-hours is exact in money. */
const GPU_HOUR_PLACES = 4;

/** GPUs x a span of time, in GPU-hours, rounded down. */
export function gpuHours(quantity: number, ms: number): Decimal {
  return new Decimal(quantity)
    .times(Math.max(0, ms))
    .dividedBy(HOUR_MS)
    .toDecimalPlaces(GPU_HOUR_PLACES, Decimal.ROUND_DOWN);
}

/** A credit to pay: the formula's terms and the amount (the penalty, or the cap when that is lower). */
export type Credit = CreditTerms & { readonly amount: Decimal };

/**
 * SLA credits, README's formula: undelivered GPU-hours x price x creditBps / 10000, which the seller pays the
 * buyer, at most what the seller has available (`available`: its balance once this lease's payout is in it), so
 * a seller's balance never goes negative. The credits of one lease share that cap, in the order given.
 */
export function planCredits(
  lease: LeaseSnapshot,
  available: Decimal,
  shortfalls: readonly { reason: CreditTerms['reason']; undeliveredGpuHours: Decimal }[],
): Credit[] {
  if (lease.creditBps === 0) return [];
  const price = unitsToUsd(lease.price);
  let cap = Decimal.max(ZERO, available);
  const credits: Credit[] = [];
  for (const { reason, undeliveredGpuHours } of shortfalls) {
    if (undeliveredGpuHours.lte(0)) continue;
    const penalty = undeliveredGpuHours
      .times(price)
      .times(lease.creditBps)
      .dividedBy(10_000)
      .toDecimalPlaces(10, Decimal.ROUND_HALF_EVEN);
    const amount = Decimal.min(penalty, cap);
    credits.push({ reason, undeliveredGpuHours, price, creditBps: lease.creditBps, penalty, cap, amount });
    cap = cap.minus(amount);
  }
  return credits;
}

export const creditedOf = (credits: readonly Credit[]): Decimal | null =>
  credits.length === 0 ? null : credits.reduce((sum, c) => sum.plus(c.amount), ZERO);

/** Records each credit as a `credit` ledger transaction (seller's available to buyer's), with its terms. */
export function payCredits(
  state: TradingState,
  ctx: CommandContext,
  lease: LeaseSnapshot,
  credits: readonly Credit[],
): void {
  for (const { amount, ...credit } of credits) {
    post(state, ctx, 'credit', { tradeId: lease.tradeId, leaseId: lease.id, credit }, [
      { accountId: lease.sellerId, book: 'available', amount: amount.negated() },
      { accountId: lease.buyerId, book: 'available', amount },
    ]);
  }
}

/** GPU-hours the buyer waited past the promised activation (0 when on time, or with no promise). */
export function lateGpuHours(lease: LeaseSnapshot): Decimal {
  if (lease.activateBy === null || lease.startAt === null) return ZERO;
  return gpuHours(lease.quantity, lease.startAt - lease.activateBy);
}
