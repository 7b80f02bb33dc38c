import type { AmendedEvent, EngineEvent, TradeEvent } from '../../engine/types';
import { unitsToUsd } from '../money';
import type { TradingState } from '../state/trading-state';
import type { LevelChange, MarketTerms, OrderSnapshot, TradeRecord } from '../types';
import type { CommandContext } from './context';
import { openLease } from './leases';
import { holdOf, moveHeld, post } from './ledger';

/**
 * Turns what the engine did into the core's effects: new and changed order snapshots, trades and the leases they
 * open, ledger movements, capacity, and one `book.changed` per command and book. `incoming` is the order a
 * `place` brought (the engine's `accepted` names it).
 */
export function applyEngineEvents(
  state: TradingState,
  ctx: CommandContext,
  events: readonly EngineEvent[],
  incoming: OrderSnapshot | null,
): void {
  let levels: { symbol: string; sequence: number; changes: LevelChange[] } | null = null;
  const flushLevels = () => {
    if (levels) ctx.events.push({ type: 'book.changed', ...levels });
    levels = null;
  };
  for (const e of events) {
    switch (e.type) {
      case 'accepted':
        accept(state, ctx, incoming as OrderSnapshot);
        break;
      case 'trade':
        recordTrade(state, ctx, e);
        break;
      case 'reduced': {
        const order = open(state, e.orderId);
        update(state, ctx, { ...order, quantity: order.quantity - e.reducedBy, updatedAt: ctx.now });
        release(state, ctx, order, e.reducedBy);
        break;
      }
      case 'done': {
        const order = open(state, e.orderId);
        update(state, ctx, { ...order, status: e.status, reason: e.reason, updatedAt: ctx.now });
        release(state, ctx, order, e.remaining);
        break;
      }
      case 'amended':
        recordAmend(state, ctx, e);
        break;
      case 'level':
        if (levels && (levels.symbol !== e.symbol || levels.sequence !== e.sequence)) flushLevels();
        levels ??= { symbol: e.symbol, sequence: e.sequence, changes: [] };
        levels.changes.push([e.side, e.price, e.quantity]);
        break;
      case 'rejected':
        break;
    }
  }
  flushLevels();
}

function open(state: TradingState, id: number): OrderSnapshot {
  const order = state.orders.get(id);
  if (!order) throw new Error(`the engine named order ${id}, which is not open`);
  return order;
}

function accept(state: TradingState, ctx: CommandContext, order: OrderSnapshot): void {
  state.orders.put(order);
  state.orders.remember(order);
  ctx.events.push({ type: 'order.created', order });
  if (order.side === 'buy') moveHeld(state, ctx, order, holdOf(order, order.quantity), 'hold');
  else if (order.clusterId) state.capacity.commit(order.clusterId, order.quantity);
}

function update(state: TradingState, ctx: CommandContext, order: OrderSnapshot): void {
  state.orders.put(order);
  ctx.events.push({ type: 'order.updated', order });
}

/** Quantity that leaves an order without trading: a buy's hold for it is released, a sell's GPUs uncommitted. */
function release(state: TradingState, ctx: CommandContext, order: OrderSnapshot, quantity: number): void {
  if (quantity === 0) return;
  if (order.side === 'buy') moveHeld(state, ctx, order, holdOf(order, quantity), 'release');
  else if (order.clusterId) state.capacity.commit(order.clusterId, -quantity);
}

function recordAmend(state: TradingState, ctx: CommandContext, e: AmendedEvent): void {
  const order = open(state, e.orderId);
  const oldRemaining = order.quantity - order.filled;
  let holdPrice = order.holdPrice;
  if (order.side === 'buy') {
    const change = unitsToUsd(e.price)
      .times(e.remaining)
      .minus(unitsToUsd(order.holdPrice as number).times(oldRemaining));
    const amount = change.times(order.durationHours as number);
    if (amount.gt(0)) moveHeld(state, ctx, order, amount, 'hold');
    if (amount.lt(0)) moveHeld(state, ctx, order, amount.negated(), 'release');
    holdPrice = e.price;
  } else if (order.clusterId) {
    state.capacity.commit(order.clusterId, e.remaining - oldRemaining);
  }
  update(state, ctx, {
    ...order,
    price: e.price,
    holdPrice,
    quantity: e.quantity,
    priority: e.priorityKept ? order.priority : state.orders.takePriority(),
    updatedAt: ctx.now,
  });
}

function recordTrade(state: TradingState, ctx: CommandContext, e: TradeEvent): void {
  const maker = open(state, e.makerOrderId);
  const taker = open(state, e.takerOrderId);
  const price = unitsToUsd(e.price);
  for (const order of [maker, taker]) {
    update(state, ctx, {
      ...order,
      filled: order.filled + e.quantity,
      filledValue: order.filledValue.plus(price.times(e.quantity)),
      updatedAt: ctx.now,
    });
  }
  const [buy, sell] = maker.side === 'buy' ? [maker, taker] : [taker, maker];
  const id = `${e.symbol}:${e.tradeId}`;
  const trade: TradeRecord = {
    id,
    symbol: e.symbol,
    seq: e.tradeId,
    price: e.price,
    quantity: e.quantity,
    durationHours: e.durationHours,
    takerSide: e.takerSide,
    buyOrderId: buy.id,
    sellOrderId: sell.id,
    buyerId: buy.accountId,
    sellerId: sell.accountId,
    leaseId: ctx.ids.leaseId(id),
    time: ctx.now,
  };
  ctx.events.push({ type: 'trade.executed', trade });
  // A trade happens only in a book the core opened for a market it holds.
  openLease(state, ctx, trade, sell.clusterId as string, state.markets.get(e.symbol) as MarketTerms);
  // The buyer's hold for these GPUs ends: the notional goes to escrow, the rest of that part back to available.
  const held = holdOf(buy, e.quantity);
  const notional = price.times(e.quantity).times(e.durationHours);
  post(state, ctx, 'fill', { orderId: buy.id, tradeId: id, leaseId: trade.leaseId }, [
    { accountId: buy.accountId, book: 'held', amount: held.negated() },
    { accountId: buy.accountId, book: 'escrow', amount: notional },
    { accountId: buy.accountId, book: 'available', amount: held.minus(notional) },
  ]);
}
