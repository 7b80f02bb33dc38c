/**
 * The matching engine's public vocabulary: market specs, commands in, events out.
 *
 * Units inside the engine are integers:
 * - price: an integer number of the market's price units (the edge fixes the scale, e.g. micro-USD per GPU-hour);
 *   `tickSize` is expressed in the same units, so "price off tick" is detectable here;
 * - quantity: whole GPUs; `lotSize` GPUs per step;
 * - time: integer milliseconds since the Unix epoch, always carried by the command (the engine has no clock);
 * - durationHours: whole hours.
 */

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTD';
export type SelfTradePrevention = 'cancel_newest' | 'cancel_oldest' | 'cancel_both' | 'decrement';

export const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTD'];
export const SELF_TRADE_PREVENTION: readonly SelfTradePrevention[] = [
  'cancel_newest',
  'cancel_oldest',
  'cancel_both',
  'decrement',
];

export const MS_PER_HOUR = 3_600_000;

/** The engine's view of a market: only what matching needs (fees, names and regions live at the edge). */
export interface MarketSpec {
  symbol: string;
  /** Price step, in price units. */
  tickSize: number;
  /** GPUs per quantity step. */
  lotSize: number;
  minDurationHours: number;
  maxDurationHours: number;
}

export interface PlaceCommand {
  kind: 'place';
  now: number;
  symbol: string;
  orderId: number;
  accountId: number;
  side: Side;
  type: OrderType;
  /** Required for limit orders, absent for market orders. */
  price?: number | null;
  quantity: number;
  /** Buys only: how long the buyer needs the GPUs. */
  durationHours?: number | null;
  /** Sells only: until when the GPUs are free (absent = open-ended). */
  availableUntil?: number | null;
  /** Buys only: smallest acceptable fill from any one sell order. */
  minQuantity?: number | null;
  timeInForce?: TimeInForce;
  /** GTD only. */
  expireAt?: number | null;
  postOnly?: boolean;
  selfTradePrevention?: SelfTradePrevention;
}

export interface CancelCommand {
  kind: 'cancel';
  now: number;
  symbol: string;
  orderId: number;
  accountId: number;
}

/** `quantity` is the order's new total quantity (filled part included); `price` its new limit price. */
export interface AmendCommand {
  kind: 'amend';
  now: number;
  symbol: string;
  orderId: number;
  accountId: number;
  quantity?: number | null;
  price?: number | null;
}

export interface CancelAllCommand {
  kind: 'cancelAll';
  now: number;
  accountId: number;
  /** Absent = every market. */
  symbol?: string | null;
  /** Only this side's orders; absent = both. */
  side?: Side | null;
}

/** Moves time forward: fires expiries in every book. */
export interface TickCommand {
  kind: 'tick';
  now: number;
}

export type Command = PlaceCommand | CancelCommand | AmendCommand | CancelAllCommand | TickCommand;

export type RejectCode =
  | 'INVALID_REQUEST'
  | 'UNKNOWN_SYMBOL'
  | 'INVALID_PRICE'
  | 'INVALID_QUANTITY'
  | 'INVALID_DURATION'
  | 'INVALID_EXPIRY'
  | 'DUPLICATE_ORDER_ID'
  | 'POST_ONLY_WOULD_TAKE'
  | 'ORDER_NOT_OPEN'
  | 'NOT_FOUND';

export type ResultCode = 'OK' | RejectCode;

export type DoneStatus = 'filled' | 'cancelled' | 'expired';

export type DoneReason =
  | 'filled'
  | 'cancelled_by_user'
  | 'cancel_all'
  | 'ioc_remainder'
  | 'fok_not_filled'
  | 'self_trade_prevention'
  | 'expire_at'
  | 'available_until';

export interface AcceptedEvent {
  type: 'accepted';
  symbol: string;
  orderId: number;
  accountId: number;
  side: Side;
}

export interface RejectedEvent {
  type: 'rejected';
  command: Command['kind'] | 'unknown';
  symbol: string | null;
  orderId: number | null;
  code: RejectCode;
  message: string;
}

/** A trade always executes at the maker's (resting order's) price. */
export interface TradeEvent {
  type: 'trade';
  symbol: string;
  /** Per-market sequence, starting at 1. */
  tradeId: number;
  price: number;
  quantity: number;
  durationHours: number;
  takerSide: Side;
  makerOrderId: number;
  makerAccountId: number;
  takerOrderId: number;
  takerAccountId: number;
}

export interface AmendedEvent {
  type: 'amended';
  symbol: string;
  orderId: number;
  accountId: number;
  price: number;
  /** New total quantity (filled part included). */
  quantity: number;
  remaining: number;
  priorityKept: boolean;
}

/** An open order lost quantity without a trade (self-trade prevention `decrement`). */
export interface ReducedEvent {
  type: 'reduced';
  symbol: string;
  orderId: number;
  accountId: number;
  reducedBy: number;
  remaining: number;
  reason: 'self_trade_prevention';
}

/** The order left the book (or never rested): it is filled, cancelled or expired. */
export interface DoneEvent {
  type: 'done';
  symbol: string;
  orderId: number;
  accountId: number;
  side: Side;
  status: DoneStatus;
  reason: DoneReason;
  filled: number;
  /** Quantity that was still open and is now cancelled or expired (0 when filled). */
  remaining: number;
}

/** A price level's new absolute quantity (0 removes it). One per level per command, best first. */
export interface LevelEvent {
  type: 'level';
  symbol: string;
  side: Side;
  price: number;
  quantity: number;
  /** The book's sequence after this command: grows by exactly 1 per command that changed any level. */
  sequence: number;
}

export type EngineEvent =
  AcceptedEvent | RejectedEvent | TradeEvent | AmendedEvent | ReducedEvent | DoneEvent | LevelEvent;

export interface CommandResult {
  code: ResultCode;
  events: EngineEvent[];
}

/** A resting order as it appears in snapshots, in priority order. */
export interface RestingOrder {
  id: number;
  accountId: number;
  side: Side;
  price: number;
  quantity: number;
  filled: number;
  durationHours: number | null;
  availableUntil: number | null;
  minQuantity: number | null;
  timeInForce: TimeInForce;
  expireAt: number | null;
  postOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
}

/** A book's complete state. `orders` lists bids best first, then asks best first, FIFO within a level. */
export interface BookSnapshot {
  version: 1;
  market: MarketSpec;
  sequence: number;
  lastTradeId: number;
  orders: RestingOrder[];
}

export type PriceLevel = [price: number, quantity: number];

export interface Depth {
  sequence: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
}

/** One market's order book. Implementations must be deterministic and never throw on a command. */
export interface OrderBook {
  readonly market: MarketSpec;
  readonly sequence: number;
  readonly lastTradeId: number;
  readonly orderCount: number;
  /** A book ignores `symbol` on cancelAll and applies it to itself. */
  process(command: Command): CommandResult;
  /** Aggregated levels, best first, at most `levels` per side. */
  depth(levels?: number): Depth;
  /** Every open order, in snapshot order. */
  snapshot(): BookSnapshot;
  /** Invariant violations, empty when the book is sound. */
  validate(): string[];
  /** A deterministic digest of the book's state. */
  stateHash(): string;
}
