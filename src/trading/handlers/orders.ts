import Decimal from 'decimal.js';
import type { ErrorCode } from '../../common/domain-error';
import { MAX_INT32, unsafeText } from '../../common/safe-input';
import type { CommandResult, PlaceCommand as EnginePlace } from '../../engine/types';
import { validatePlace } from '../../engine/validation';
import type { AmendCommand, CancelAllCommand, CancelCommand, PlaceCommand } from '../commands';
import { MAX_PRICE_UNITS, UNITS_PER_USD, ZERO, unitsToUsd } from '../money';
import { Outcome, Rejection, refuse } from '../results';
import type { TradingState } from '../state/trading-state';
import type { OrderSnapshot } from '../types';
import type { CommandContext } from './context';
import { applyEngineEvents } from './engine-effects';

/** The latest time every client can print: 9999-12-31T23:59:59.999Z. */
const LATEST_TIME = 253_402_300_799_999;

/**
 * Places an order: checks it against its market, the buyer's funds or the seller's cluster capacity, runs it
 * through the engine and records every effect. A refused order changes nothing.
 */
export function placeOrder(state: TradingState, ctx: CommandContext, cmd: PlaceCommand): Outcome<'place'> {
  const { order: o, trader, cluster } = cmd;
  const problem = fieldProblem(cmd);
  if (problem) return refuse(problem.code, problem.message);
  const market = state.markets.get(o.symbol);
  const spec = state.markets.spec(o.symbol);
  if (!market || !spec) return refuse('UNKNOWN_SYMBOL', `unknown market ${o.symbol}`);
  if (o.clientOrderId !== null) {
    const earlier = state.orders.earlier(trader.accountId, o.clientOrderId);
    if (earlier !== null) return { ok: true, value: { earlierOrderId: earlier } };
  }
  const command: EnginePlace = {
    kind: 'place',
    now: ctx.now,
    symbol: o.symbol,
    orderId: state.orders.peekOrderId(),
    accountId: trader.engineAccountId,
    side: o.side,
    type: o.type,
    price: o.price,
    quantity: o.quantity,
    durationHours: o.durationHours,
    availableUntil: o.availableUntil,
    minQuantity: o.minQuantity,
    timeInForce: o.timeInForce ?? 'GTC',
    expireAt: o.expireAt,
    postOnly: o.postOnly,
    selfTradePrevention: o.selfTradePrevention ?? 'cancel_newest',
  };
  const invalid = validatePlace(command, spec);
  if (invalid) return refuse(invalid.code, inUsd(invalid.code, invalid.message, market.tickSize));

  let holdPrice: number | null = null;
  if (o.side === 'buy') {
    const hold = buyHoldPrice(state, trader.accountId, command, spec.tickSize);
    if ('code' in hold) return refuse(hold.code, hold.message);
    holdPrice = hold.units;
    if (o.type === 'market') {
      // A market buy is limited by available funds: it becomes an immediate order capped at what they cover.
      command.type = 'limit';
      command.price = holdPrice;
      if (command.timeInForce !== 'FOK') command.timeInForce = 'IOC';
    }
  } else {
    if (!cluster || cluster.accountId !== trader.accountId)
      return refuse('UNKNOWN_CLUSTER', 'a sell order names one of your clusters');
    if (cluster.gpu !== market.gpu || cluster.region !== market.region)
      return refuse('UNKNOWN_CLUSTER', `cluster ${cluster.id} is not ${market.gpu} in ${market.region}`);
    if (!Number.isSafeInteger(cluster.gpuCount) || cluster.gpuCount < 0)
      return refuse('INSUFFICIENT_CAPACITY', `cluster ${cluster.id} reports no usable GPU count`);
    const free = state.capacity.free(cluster);
    if (o.quantity > free)
      return refuse('INSUFFICIENT_CAPACITY', `cluster has ${free} of ${cluster.gpuCount} GPUs free to offer`);
  }

  const result = state.engine.process(command);
  if (result.code !== 'OK') return refusal(result, market.tickSize);
  state.orders.takeOrderId();
  if (cluster) state.capacity.learn(cluster);
  const order: OrderSnapshot = {
    id: command.orderId,
    accountId: trader.accountId,
    engineAccountId: trader.engineAccountId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    price: o.type === 'limit' ? o.price : null,
    holdPrice,
    quantity: o.quantity,
    filled: 0,
    filledValue: ZERO,
    durationHours: o.durationHours,
    availableUntil: o.availableUntil,
    minQuantity: o.minQuantity,
    // A market order is immediate whatever it asked for: IOC, or FOK if it said so.
    timeInForce: o.type === 'market' ? (o.timeInForce === 'FOK' ? 'FOK' : 'IOC') : (o.timeInForce ?? 'GTC'),
    expireAt: o.expireAt,
    postOnly: o.postOnly,
    selfTradePrevention: o.selfTradePrevention ?? 'cancel_newest',
    clusterId: cluster?.id ?? null,
    status: 'open',
    reason: null,
    priority: state.orders.takePriority(),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  applyEngineEvents(state, ctx, result.events, order);
  return { ok: true, value: { order: latest(ctx, order.id) } };
}

/** Cancels an open order of this account. */
export function cancelOrder(state: TradingState, ctx: CommandContext, cmd: CancelCommand): Outcome<'cancel'> {
  const order = ownOpen(state, cmd.accountId, cmd.orderId);
  if (!order) return notOpen(cmd.orderId);
  if (!cmd.sides.includes(order.side)) return wrongScope('cancelling', order);
  const result = state.engine.process({
    kind: 'cancel',
    now: ctx.now,
    symbol: order.symbol,
    orderId: order.id,
    accountId: order.engineAccountId,
  });
  if (result.code !== 'OK') return refusal(result);
  applyEngineEvents(state, ctx, result.events, null);
  return { ok: true, value: { order: latest(ctx, order.id) } };
}

/** Amends an open order (new total quantity and/or price); a buy's hold and a sell's GPUs follow. */
export function amendOrder(state: TradingState, ctx: CommandContext, cmd: AmendCommand): Outcome<'amend'> {
  const order = ownOpen(state, cmd.accountId, cmd.orderId);
  if (!order) return notOpen(cmd.orderId);
  if (!cmd.sides.includes(order.side)) return wrongScope('amending', order);
  if (cmd.quantity === null && cmd.price === null)
    return refuse('INVALID_REQUEST', 'send a quantity, a price, or both');
  if (cmd.quantity !== null && !(Number.isSafeInteger(cmd.quantity) && cmd.quantity <= MAX_INT32))
    return refuse('INVALID_QUANTITY', `quantity must be a whole number up to ${MAX_INT32}`);
  if (cmd.price !== null && !(Number.isSafeInteger(cmd.price) && cmd.price <= MAX_PRICE_UNITS))
    return refuse('INVALID_PRICE', 'price is too high');
  const newRemaining = (cmd.quantity ?? order.quantity) - order.filled;
  const oldRemaining = order.quantity - order.filled;
  if (order.side === 'buy' && newRemaining > 0) {
    const price = unitsToUsd(cmd.price ?? (order.price as number));
    const more = price.times(newRemaining).minus(unitsToUsd(order.holdPrice as number).times(oldRemaining));
    const extra = more.times(order.durationHours as number);
    if (extra.gt(state.balances.availableOf(order.accountId)))
      return refuse('INSUFFICIENT_FUNDS', `the amend needs ${extra} USD more`);
  } else if (order.clusterId && newRemaining - oldRemaining > state.capacity.freeOn(order.clusterId)) {
    return refuse('INSUFFICIENT_CAPACITY', 'the cluster has no more GPUs free to offer');
  }
  const result = state.engine.process({
    kind: 'amend',
    now: ctx.now,
    symbol: order.symbol,
    orderId: order.id,
    accountId: order.engineAccountId,
    quantity: cmd.quantity,
    price: cmd.price,
  });
  if (result.code !== 'OK') return refusal(result, state.markets.get(order.symbol)?.tickSize);
  applyEngineEvents(state, ctx, result.events, null);
  return { ok: true, value: { order: latest(ctx, order.id) } };
}

/** Cancels every open order of an account, in one market or all; answers the orders it cancelled, by id. */
export function cancelAllOrders(
  state: TradingState,
  ctx: CommandContext,
  cmd: CancelAllCommand,
): Outcome<'cancelAll'> {
  if (cmd.symbol !== null && !state.markets.has(cmd.symbol))
    return refuse('UNKNOWN_SYMBOL', `unknown market ${cmd.symbol}`);
  if (cmd.sides.length === 0) return refuse('FORBIDDEN', 'cancelling orders needs the trade or sell scope');
  const result = state.engine.process({
    kind: 'cancelAll',
    now: ctx.now,
    accountId: cmd.trader.engineAccountId,
    symbol: cmd.symbol,
    side: cmd.sides.length === 1 ? cmd.sides[0] : null,
  });
  if (result.code !== 'OK') return refusal(result);
  applyEngineEvents(state, ctx, result.events, null);
  const cancelled = new Set(
    result.events.flatMap((e) => (e.type === 'done' && e.reason === 'cancel_all' ? [e.orderId] : [])),
  );
  const orders = [...cancelled].sort((a, b) => a - b).map((id) => latest(ctx, id));
  return { ok: true, value: { orders } };
}

/** Shapes the engine does not check: text the database can store, numbers its columns hold. */
function fieldProblem({ order: o }: PlaceCommand): Rejection | null {
  if (o.clientOrderId !== null) {
    const text = unsafeText(o.clientOrderId);
    if (text || o.clientOrderId.length === 0 || o.clientOrderId.length > 64)
      return { code: 'INVALID_REQUEST', message: `clientOrderId ${text ?? 'must be 1 to 64 characters'}` };
  }
  for (const [field, value] of [
    ['quantity', o.quantity],
    ['durationHours', o.durationHours],
    ['minQuantity', o.minQuantity],
  ] as const) {
    if (value !== null && !(Number.isSafeInteger(value) && value <= MAX_INT32)) {
      const code: ErrorCode = field === 'durationHours' ? 'INVALID_DURATION' : 'INVALID_QUANTITY';
      return { code, message: `${field} must be a whole number up to ${MAX_INT32}` };
    }
  }
  if (o.price !== null && !(Number.isSafeInteger(o.price) && o.price <= MAX_PRICE_UNITS))
    return { code: 'INVALID_PRICE', message: 'price is too high' };
  for (const [field, value] of [
    ['availableUntil', o.availableUntil],
    ['expireAt', o.expireAt],
  ] as const) {
    if (value !== null && value > LATEST_TIME)
      return { code: 'INVALID_EXPIRY', message: `${field} is after the year 9999` };
  }
  return null;
}

/** The price a buy's hold is taken at: its limit, or for a market buy the highest tick its funds cover. */
function buyHoldPrice(
  state: TradingState,
  accountId: string,
  command: EnginePlace,
  tickUnits: number,
): { units: number } | Rejection {
  const available = state.balances.availableOf(accountId);
  const gpuHours = command.quantity * (command.durationHours as number);
  if (command.type === 'limit') {
    const needed = unitsToUsd(command.price as number).times(gpuHours);
    if (needed.gt(available))
      return { code: 'INSUFFICIENT_FUNDS', message: `the order needs ${needed} USD, ${available} available` };
    return { units: command.price as number };
  }
  const maxUnits = Math.floor(MAX_PRICE_UNITS / tickUnits) * tickUnits;
  const capUnits = Decimal.min(
    available.times(UNITS_PER_USD).dividedBy(gpuHours).dividedToIntegerBy(tickUnits).times(tickUnits),
    maxUnits,
  );
  if (capUnits.lte(0)) return { code: 'INSUFFICIENT_FUNDS', message: `${available} USD available` };
  return { units: capUnits.toNumber() };
}

function ownOpen(state: TradingState, accountId: string, orderId: number): OrderSnapshot | null {
  const order = state.orders.get(orderId);
  return order && order.accountId === accountId ? order : null;
}

/** The account's order, on a side its key may not act on. */
const wrongScope = (doing: string, order: OrderSnapshot) =>
  refuse(
    'FORBIDDEN',
    `${doing} a ${order.side} order needs the ${order.side === 'buy' ? 'trade' : 'sell'} scope`,
  );

/** Not an open order of this account (the caller tells NOT_FOUND from a closed order by reading it). */
const notOpen = (orderId: number) => refuse('ORDER_NOT_OPEN', `order ${orderId} is not open`);

/** The order as this command left it: its last snapshot among the command's events. */
function latest(ctx: CommandContext, orderId: number): OrderSnapshot {
  for (let i = ctx.events.length - 1; i >= 0; i--) {
    const e = ctx.events[i];
    if ((e.type === 'order.created' || e.type === 'order.updated') && e.order.id === orderId) return e.order;
  }
  throw new Error(`order ${orderId} has no snapshot in its command's events`);
}

function refusal(result: CommandResult, tickSize?: string): { ok: false } & Rejection {
  const event = result.events[0];
  const message = event?.type === 'rejected' ? event.message : result.code;
  return refuse(result.code as ErrorCode, tickSize ? inUsd(result.code, message, tickSize) : message);
}

/** The engine speaks in integer price units; a client reads USD. */
function inUsd(code: string, message: string, tickSize: string): string {
  return code === 'INVALID_PRICE' && message.includes('multiple')
    ? `price must be a multiple of ${tickSize}`
    : message;
}
