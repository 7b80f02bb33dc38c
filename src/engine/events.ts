import { Rejection } from './validation';
import {
  AcceptedEvent,
  AmendedEvent,
  Command,
  CommandResult,
  DoneEvent,
  DoneReason,
  DoneStatus,
  EngineEvent,
  ReducedEvent,
  RejectedEvent,
  Side,
  TradeEvent,
} from './types';

/** What the event builders read of an order (both books' order shapes have these fields). */
export interface OrderIdentity {
  id: number;
  accountId: number;
  side: Side;
  filled: number;
}

/** What a trade event reads of its two orders. */
export interface TradeParty extends OrderIdentity {
  price: number | null;
  durationHours: number | null;
}

export function accepted(symbol: string, order: OrderIdentity): AcceptedEvent {
  return { type: 'accepted', symbol, orderId: order.id, accountId: order.accountId, side: order.side };
}

/** At the maker's price, for the buyer's duration. */
export function trade(
  symbol: string,
  tradeId: number,
  taker: TradeParty,
  maker: TradeParty,
  quantity: number,
): TradeEvent {
  const buy = taker.side === 'buy' ? taker : maker;
  return {
    type: 'trade',
    symbol,
    tradeId,
    price: maker.price as number,
    quantity,
    durationHours: buy.durationHours as number,
    takerSide: taker.side,
    makerOrderId: maker.id,
    makerAccountId: maker.accountId,
    takerOrderId: taker.id,
    takerAccountId: taker.accountId,
  };
}

/** After the amend: `order` carries its new price and remaining quantity; `quantity` is its new total. */
export function amended(
  symbol: string,
  order: TradeParty & { remaining: number },
  quantity: number,
  priorityKept: boolean,
): AmendedEvent {
  return {
    type: 'amended',
    symbol,
    orderId: order.id,
    accountId: order.accountId,
    price: order.price as number,
    quantity,
    remaining: order.remaining,
    priorityKept,
  };
}

/** Self-trade prevention took `by` off an order that stays open with `remaining`. */
export function reduced(symbol: string, order: OrderIdentity, by: number, remaining: number): ReducedEvent {
  return {
    type: 'reduced',
    symbol,
    orderId: order.id,
    accountId: order.accountId,
    reducedBy: by,
    remaining,
    reason: 'self_trade_prevention',
  };
}

export function done(
  symbol: string,
  order: OrderIdentity,
  status: DoneStatus,
  reason: DoneReason,
  remaining: number,
): DoneEvent {
  return {
    type: 'done',
    symbol,
    orderId: order.id,
    accountId: order.accountId,
    side: order.side,
    status,
    reason,
    filled: order.filled,
    remaining,
  };
}

export function rejected(command: unknown, rejection: Rejection): CommandResult {
  const cmd = (typeof command === 'object' && command !== null ? command : {}) as Partial<
    Record<string, unknown>
  >;
  const kinds: Command['kind'][] = ['place', 'cancel', 'amend', 'cancelAll', 'tick'];
  const event: RejectedEvent = {
    type: 'rejected',
    command: kinds.includes(cmd.kind as Command['kind']) ? (cmd.kind as Command['kind']) : 'unknown',
    symbol: typeof cmd.symbol === 'string' ? cmd.symbol : null,
    orderId: Number.isSafeInteger(cmd.orderId) ? (cmd.orderId as number) : null,
    code: rejection.code,
    message: rejection.message,
  };
  const events: EngineEvent[] = [event];
  return { code: rejection.code, events };
}
