import type Decimal from 'decimal.js';
import type { TradingState } from '../state/trading-state';
import type { CreditTerms, LedgerKind, LedgerTransaction, OrderSnapshot, Posting } from '../types';
import { unitsToUsd } from '../money';
import type { CommandContext } from './context';

/**
 * Records a balanced ledger transaction (postings of zero are left out; one that moves nothing is not recorded),
 * and keeps the in-memory available balances in step with it: this is the only place they change.
 */
export function post(
  state: TradingState,
  ctx: CommandContext,
  kind: LedgerKind,
  refs: { orderId?: number; tradeId?: string; leaseId?: string; credit?: CreditTerms },
  postings: Posting[],
): void {
  const moved = postings.filter((p) => !p.amount.isZero());
  if (moved.length === 0) return;
  const transaction: LedgerTransaction = {
    kind,
    orderId: refs.orderId ?? null,
    tradeId: refs.tradeId ?? null,
    leaseId: refs.leaseId ?? null,
    postings: moved,
    ...(refs.credit ? { credit: refs.credit } : {}),
  };
  for (const p of moved) state.balances.apply(p);
  ctx.events.push({ type: 'ledger.posted', transaction });
}

/** What a buy holds for `quantity` of its GPUs: hold price x GPUs x hours. */
export function holdOf(order: OrderSnapshot, quantity: number): Decimal {
  return unitsToUsd(order.holdPrice as number)
    .times(quantity)
    .times(order.durationHours as number);
}

/** Moves an order's money between its account's available and held books. */
export function moveHeld(
  state: TradingState,
  ctx: CommandContext,
  order: OrderSnapshot,
  amount: Decimal,
  direction: 'hold' | 'release',
): void {
  const [from, to] =
    direction === 'hold' ? (['available', 'held'] as const) : (['held', 'available'] as const);
  post(state, ctx, direction, { orderId: order.id }, [
    { accountId: order.accountId, book: from, amount: amount.negated() },
    { accountId: order.accountId, book: to, amount },
  ]);
}
