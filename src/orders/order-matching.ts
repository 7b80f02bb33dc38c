import Decimal from 'decimal.js';
import type { Cluster } from '../clusters/clusters.repository';
import { DomainError, ErrorCode } from '../common/domain-error';
import { AmendedEvent, CommandResult, EngineEvent, PlaceCommand, Side, TradeEvent } from '../engine/types';
import { validatePlace } from '../engine/validation';
import { openLease, settleDueLeases } from '../leases/lease-lifecycle';
import { Batch } from './batch';
import type { PlaceOrderDto } from './dto/place-order.dto';
import { OrderRecord } from './order-record';
import { priceToUnits, unitsToPrice } from './price-units';
import { TradingState, engineSpec, toUnits } from './trading-state';

/** Who places an order, as the writer needs to know them. */
export interface Trader {
  accountId: string;
  engineAccountId: number;
}

const parseTime = (iso: string | undefined): number | null => (iso === undefined ? null : Date.parse(iso));

/**
 * Places an order: checks it against its market, the buyer's funds or the seller's cluster capacity, runs it
 * through the engine and records every effect in the batch. Throws a DomainError, having changed nothing, when
 * the order is refused.
 */
export function placeOrder(
  state: TradingState,
  batch: Batch,
  trader: Trader,
  dto: PlaceOrderDto,
  cluster: Cluster | null,
  now: number,
): OrderRecord {
  const market = state.markets.get(dto.symbol);
  if (!market) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${dto.symbol}`);
  const spec = engineSpec(market);
  const isBuy = dto.side === 'buy';
  const command: PlaceCommand = {
    kind: 'place',
    now,
    symbol: dto.symbol,
    orderId: state.nextOrderId,
    accountId: trader.engineAccountId,
    side: dto.side,
    type: dto.type,
    price:
      dto.type === 'limit'
        ? priceToUnits(dto.price)
        : dto.price === undefined
          ? null
          : priceToUnits(dto.price),
    quantity: dto.quantity,
    durationHours: dto.durationHours ?? null,
    availableUntil: parseTime(dto.availableUntil),
    minQuantity: dto.minQuantity ?? null,
    timeInForce: dto.timeInForce ?? 'GTC',
    expireAt: parseTime(dto.expireAt),
    postOnly: dto.postOnly ?? false,
    selfTradePrevention: dto.selfTradePrevention ?? 'cancel_newest',
  };
  const problem = validatePlace(command, spec);
  if (problem)
    throw new DomainError(problem.code as ErrorCode, inUsd(problem.code, problem.message, market.tickSize));

  let holdPrice: Decimal | null = null;
  if (isBuy) {
    holdPrice = buyHoldPrice(state, trader, command, spec.tickSize);
    if (dto.type === 'market') {
      // A market buy is limited by available funds: it becomes an immediate order capped at what they cover.
      Object.assign(command, { type: 'limit', price: toUnits(holdPrice) });
      if (command.timeInForce !== 'FOK') command.timeInForce = 'IOC';
    }
  } else {
    if (!cluster) throw new DomainError('UNKNOWN_CLUSTER', 'a sell order names one of your clusters');
    if (cluster.gpu !== market.gpu || cluster.region !== market.region) {
      throw new DomainError(
        'UNKNOWN_CLUSTER',
        `cluster ${cluster.id} is not ${market.gpu} in ${market.region}`,
      );
    }
    const committed = state.committedGpus.get(cluster.id) ?? 0;
    if (committed + dto.quantity > cluster.gpuCount) {
      throw new DomainError(
        'INSUFFICIENT_CAPACITY',
        `cluster has ${cluster.gpuCount - committed} of ${cluster.gpuCount} GPUs free to offer`,
      );
    }
  }

  const result = state.engine.process(command);
  rejectIfRefused(result);
  state.nextOrderId++;
  const time = new Date(now);
  const order: OrderRecord = {
    id: command.orderId,
    accountId: trader.accountId,
    engineAccountId: trader.engineAccountId,
    clientOrderId: dto.clientOrderId ?? null,
    symbol: dto.symbol,
    side: dto.side,
    type: dto.type,
    price: dto.type === 'limit' ? unitsToPrice(command.price as number) : null,
    holdPrice,
    quantity: dto.quantity,
    filled: 0,
    filledValue: new Decimal(0),
    durationHours: command.durationHours ?? null,
    availableUntil: command.availableUntil ? new Date(command.availableUntil) : null,
    minQuantity: command.minQuantity ?? null,
    // A market order is immediate whatever it asked for: IOC, or FOK if it said so.
    timeInForce:
      dto.type === 'market' ? (dto.timeInForce === 'FOK' ? 'FOK' : 'IOC') : (dto.timeInForce ?? 'GTC'),
    expireAt: command.expireAt ? new Date(command.expireAt) : null,
    postOnly: command.postOnly ?? false,
    selfTradePrevention: command.selfTradePrevention ?? 'cancel_newest',
    clusterId: cluster?.id ?? null,
    status: 'open',
    reason: null,
    priority: state.nextPriority++,
    createdAt: time,
    updatedAt: time,
  };
  if (order.clientOrderId) state.clientOrderIds.set(`${order.accountId}:${order.clientOrderId}`, order.id);
  applyEvents(state, batch, result.events, time, order);
  return order;
}

/** Cancels an open order of this account (the caller has checked it is open and theirs). */
export function cancelOrder(state: TradingState, batch: Batch, order: OrderRecord, now: number): OrderRecord {
  const result = state.engine.process({
    kind: 'cancel',
    now,
    symbol: order.symbol,
    orderId: order.id,
    accountId: order.engineAccountId,
  });
  rejectIfRefused(result);
  applyEvents(state, batch, result.events, new Date(now), null);
  return order;
}

/** Amends an open order (new total quantity and/or price); a buy's hold and a sell's GPUs follow. */
export function amendOrder(
  state: TradingState,
  batch: Batch,
  order: OrderRecord,
  change: { quantity?: number; price?: string },
  cluster: Cluster | null,
  now: number,
): OrderRecord {
  const price = change.price === undefined ? null : priceToUnits(change.price);
  const quantity = change.quantity ?? null;
  const newRemaining = (quantity ?? order.quantity) - order.filled;
  const oldRemaining = order.quantity - order.filled;
  if (order.side === 'buy' && newRemaining > 0) {
    const newPrice = price === null ? (order.price as Decimal) : unitsToPrice(price);
    const more = newPrice.times(newRemaining).minus((order.holdPrice as Decimal).times(oldRemaining));
    const extra = more.times(order.durationHours as number);
    const available = state.availableOf(order.accountId);
    if (extra.gt(available)) throw new DomainError('INSUFFICIENT_FUNDS', `the amend needs ${extra} USD more`);
  } else if (cluster && newRemaining > oldRemaining) {
    if ((state.committedGpus.get(cluster.id) ?? 0) + newRemaining - oldRemaining > cluster.gpuCount) {
      throw new DomainError('INSUFFICIENT_CAPACITY', 'the cluster has no more GPUs free to offer');
    }
  }
  const result = state.engine.process({
    kind: 'amend',
    now,
    symbol: order.symbol,
    orderId: order.id,
    accountId: order.engineAccountId,
    quantity,
    price,
  });
  rejectIfRefused(result, state.markets.get(order.symbol)?.tickSize);
  applyEvents(state, batch, result.events, new Date(now), null);
  return order;
}

/** Cancels every open order of an account, in one market or all; returns the orders cancelled. */
export function cancelAllOrders(
  state: TradingState,
  batch: Batch,
  trader: Trader,
  symbol: string | null,
  now: number,
): OrderRecord[] {
  if (symbol !== null && !state.markets.has(symbol))
    throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${symbol}`);
  const mine = [...state.open.values()].filter(
    (o) => o.accountId === trader.accountId && (symbol === null || o.symbol === symbol),
  );
  const result = state.engine.process({ kind: 'cancelAll', now, accountId: trader.engineAccountId, symbol });
  rejectIfRefused(result);
  applyEvents(state, batch, result.events, new Date(now), null);
  return mine.filter((o) => o.status !== 'open').sort((a, b) => a.id - b.id);
}

/** Lets time pass: expiries fire in every book, and leases whose time is up end and settle. */
export function advanceTime(state: TradingState, batch: Batch, now: number): void {
  applyEvents(state, batch, state.engine.process({ kind: 'tick', now }).events, new Date(now), null);
  settleDueLeases(state, batch, new Date(now));
}

function rejectIfRefused(result: CommandResult, tickSize?: string): void {
  if (result.code === 'OK') return;
  const event = result.events[0];
  const message = event?.type === 'rejected' ? event.message : result.code;
  throw new DomainError(result.code as ErrorCode, tickSize ? inUsd(result.code, message, tickSize) : message);
}

/** The engine speaks in integer price units; a client reads USD. */
function inUsd(code: string, message: string, tickSize: string): string {
  return code === 'INVALID_PRICE' && message.includes('multiple')
    ? `price must be a multiple of ${tickSize}`
    : message;
}

/** The price a buy's hold is taken at: its limit, or for a market buy the highest tick its funds cover. */
function buyHoldPrice(
  state: TradingState,
  trader: Trader,
  command: PlaceCommand,
  tickUnits: number,
): Decimal {
  const available = state.availableOf(trader.accountId);
  const gpuHours = command.quantity * (command.durationHours as number);
  if (command.type === 'limit') {
    const price = unitsToPrice(command.price as number);
    if (price.times(gpuHours).gt(available)) {
      throw new DomainError(
        'INSUFFICIENT_FUNDS',
        `the order needs ${price.times(gpuHours)} USD, ${available} available`,
      );
    }
    return price;
  }
  const capUnits = available
    .times(1_000_000)
    .dividedBy(gpuHours)
    .dividedToIntegerBy(tickUnits)
    .times(tickUnits);
  if (capUnits.lte(0)) throw new DomainError('INSUFFICIENT_FUNDS', `${available} USD available`);
  return unitsToPrice(capUnits.toNumber());
}

/** Turns the engine's events into order changes, trades, ledger movements and book sequences. */
function applyEvents(
  state: TradingState,
  batch: Batch,
  events: EngineEvent[],
  time: Date,
  incoming: OrderRecord | null,
): void {
  for (const e of events) {
    switch (e.type) {
      case 'accepted': {
        const order = incoming as OrderRecord;
        state.open.set(order.id, order);
        batch.created.set(order.id, order);
        if (order.side === 'buy')
          move(state, batch, 'hold', order, holdOf(order, order.quantity), 'available', 'held');
        else if (order.clusterId) state.commitGpus(order.clusterId, order.quantity);
        break;
      }
      case 'trade':
        recordTrade(state, batch, e, time);
        break;
      case 'reduced': {
        const order = state.open.get(e.orderId) as OrderRecord;
        order.quantity -= e.reducedBy;
        order.updatedAt = time;
        release(state, batch, order, e.reducedBy);
        batch.orderChanged(order);
        break;
      }
      case 'done': {
        const order = state.open.get(e.orderId) as OrderRecord;
        order.status = e.status;
        order.reason = e.reason;
        order.updatedAt = time;
        release(state, batch, order, e.remaining);
        state.open.delete(order.id);
        batch.orderChanged(order);
        break;
      }
      case 'level': {
        batch.bookSequences.set(e.symbol, e.sequence);
        const last = batch.bookUpdates[batch.bookUpdates.length - 1];
        const change: [Side, Decimal, number] = [e.side, unitsToPrice(e.price), e.quantity];
        if (last && last.symbol === e.symbol && last.sequence === e.sequence) last.changes.push(change);
        else batch.bookUpdates.push({ symbol: e.symbol, sequence: e.sequence, changes: [change] });
        break;
      }
      case 'amended':
        recordAmend(state, batch, e, time);
        break;
      case 'rejected':
        break;
    }
  }
}

function recordAmend(state: TradingState, batch: Batch, e: AmendedEvent, time: Date): void {
  const order = state.open.get(e.orderId) as OrderRecord;
  const oldRemaining = order.quantity - order.filled;
  const price = unitsToPrice(e.price);
  if (order.side === 'buy') {
    const change = price.times(e.remaining).minus((order.holdPrice as Decimal).times(oldRemaining));
    const amount = change.times(order.durationHours as number);
    if (amount.gt(0)) move(state, batch, 'hold', order, amount, 'available', 'held');
    if (amount.lt(0)) move(state, batch, 'release', order, amount.negated(), 'held', 'available');
    order.holdPrice = price;
  } else if (order.clusterId) {
    state.commitGpus(order.clusterId, e.remaining - oldRemaining);
  }
  order.price = price;
  order.quantity = e.quantity;
  if (!e.priorityKept) order.priority = state.nextPriority++;
  order.updatedAt = time;
  batch.orderChanged(order);
}

function recordTrade(state: TradingState, batch: Batch, e: TradeEvent, time: Date): void {
  const maker = state.open.get(e.makerOrderId) as OrderRecord;
  const taker = state.open.get(e.takerOrderId) as OrderRecord;
  const buy = maker.side === 'buy' ? maker : taker;
  const sell = maker.side === 'buy' ? taker : maker;
  const price = unitsToPrice(e.price);
  const id = `${e.symbol}:${e.tradeId}`;
  for (const order of [maker, taker]) {
    order.filled += e.quantity;
    order.filledValue = order.filledValue.plus(price.times(e.quantity));
    order.updatedAt = time;
    batch.orderChanged(order);
  }
  const trade = {
    id,
    symbol: e.symbol,
    seq: e.tradeId,
    price,
    quantity: e.quantity,
    durationHours: e.durationHours,
    takerSide: e.takerSide,
    buyOrderId: buy.id,
    sellOrderId: sell.id,
    buyerId: buy.accountId,
    sellerId: sell.accountId,
    time,
  };
  batch.trades.push(trade);
  openLease(
    state,
    batch,
    trade,
    sell.clusterId as string,
    (state.markets.get(e.symbol) as { feeBps: number }).feeBps,
  );
  // The buyer's hold for these GPUs ends: the notional goes to escrow, the rest of that part back to available.
  const held = holdOf(buy, e.quantity);
  const notional = price.times(e.quantity).times(e.durationHours);
  const change = held.minus(notional);
  batch.ledger.push({
    kind: 'fill',
    reference: id,
    postings: [
      { accountId: buy.accountId, book: 'held', amount: held.negated() },
      { accountId: buy.accountId, book: 'escrow', amount: notional },
      { accountId: buy.accountId, book: 'available', amount: change },
    ],
  });
  adjustAvailable(state, buy.accountId, change);
}

/** Quantity that leaves an order without trading: a buy's hold for it is released, a sell's GPUs uncommitted. */
function release(state: TradingState, batch: Batch, order: OrderRecord, quantity: number): void {
  if (quantity === 0) return;
  if (order.side === 'buy')
    move(state, batch, 'release', order, holdOf(order, quantity), 'held', 'available');
  else if (order.clusterId) state.commitGpus(order.clusterId, -quantity);
}

function holdOf(order: OrderRecord, quantity: number): Decimal {
  return (order.holdPrice as Decimal).times(quantity).times(order.durationHours as number);
}

function move(
  state: TradingState,
  batch: Batch,
  kind: 'hold' | 'release',
  order: OrderRecord,
  amount: Decimal,
  from: 'available' | 'held',
  to: 'available' | 'held',
): void {
  if (amount.isZero()) return;
  batch.ledger.push({
    kind,
    reference: String(order.id),
    postings: [
      { accountId: order.accountId, book: from, amount: amount.negated() },
      { accountId: order.accountId, book: to, amount },
    ],
  });
  adjustAvailable(state, order.accountId, from === 'available' ? amount.negated() : amount);
}

function adjustAvailable(state: TradingState, accountId: string, change: Decimal): void {
  state.creditAvailable(accountId, change);
}
