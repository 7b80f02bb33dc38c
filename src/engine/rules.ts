import { DoneReason, MS_PER_HOUR, Side } from './types';

/** What the matching rules read of a buy order. */
export interface BuyTerms {
  durationHours: number | null;
  minQuantity: number | null;
  remaining: number;
}

/** What the matching rules read of a sell order. */
export interface SellTerms {
  availableUntil: number | null;
  remaining: number;
}

/**
 * How many GPUs this buy and this sell trade if they meet now; 0 when they cannot trade.
 *
 * - Spot eligibility: the sell's GPUs must be free for the whole lease (`now + duration <= availableUntil`).
 * - Minimum fill: no fill is smaller than the buy's `minQuantity`, and a partial fill never leaves the buy with a
 *   remainder smaller than `minQuantity` (such a remainder could never fill). So the fill is the largest size that
 *   satisfies both, which keeps every open buy's remainder at or above its `minQuantity`.
 */
export function fillSize(buy: BuyTerms, sell: SellTerms, now: number): number {
  if (
    sell.availableUntil !== null &&
    now + (buy.durationHours as number) * MS_PER_HOUR > sell.availableUntil
  ) {
    return 0;
  }
  const minQuantity = buy.minQuantity;
  let size = buy.remaining < sell.remaining ? buy.remaining : sell.remaining;
  if (minQuantity !== null && size < buy.remaining) {
    const keepsViableRemainder = buy.remaining - minQuantity;
    if (size > keepsViableRemainder) size = keepsViableRemainder;
    if (size < minQuantity) return 0;
  }
  return size;
}

/** Whether a taker with this limit (null = market) reaches a resting price. */
export function reaches(takerSide: Side, takerPrice: number | null, makerPrice: number): boolean {
  if (takerPrice === null) return true;
  return takerSide === 'buy' ? makerPrice <= takerPrice : makerPrice >= takerPrice;
}

/** When an open order expires (ms), or null if it never does. */
export function expiryTime(expireAt: number | null, availableUntil: number | null): number | null {
  if (expireAt === null) return availableUntil;
  if (availableUntil === null) return expireAt;
  return expireAt <= availableUntil ? expireAt : availableUntil;
}

export function expiryReason(expireAt: number | null, availableUntil: number | null): DoneReason {
  return expireAt !== null && (availableUntil === null || expireAt <= availableUntil)
    ? 'expire_at'
    : 'available_until';
}
