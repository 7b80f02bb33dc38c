import {
  AmendCommand,
  CancelCommand,
  CommandResult,
  DoneEvent,
  EngineEvent,
  LevelEvent,
  MarketSpec,
  PlaceCommand,
  TradeEvent,
} from '../types';

/** A market for tests: prices in cents-like units with a tick of 10, whole nodes of 8 GPUs. */
export const MARKET: MarketSpec = {
  symbol: 'H100-SXM.us-east.firm',
  tickSize: 10,
  lotSize: 8,
  minDurationHours: 1,
  maxDurationHours: 720,
};

export const T0 = 1_800_000_000_000;
export const HOUR = 3_600_000;

type PlaceOptions = Partial<Omit<PlaceCommand, 'kind' | 'orderId' | 'side' | 'price' | 'quantity'>>;

function place(side: 'buy' | 'sell', accountId: number, defaults: PlaceOptions) {
  return (
    orderId: number,
    price: number | null,
    quantity: number,
    opts: PlaceOptions = {},
  ): PlaceCommand => ({
    kind: 'place',
    now: T0,
    symbol: MARKET.symbol,
    orderId,
    accountId,
    side,
    type: price === null ? 'market' : 'limit',
    price,
    quantity,
    ...defaults,
    ...opts,
  });
}

/** A buy from account 1 for one hour, unless the options say otherwise. */
export const buy = place('buy', 1, { durationHours: 1 });
/** A sell from account 2, open-ended unless the options say otherwise. */
export const sell = place('sell', 2, {});

export function cancel(orderId: number, accountId: number, now = T0): CancelCommand {
  return { kind: 'cancel', now, symbol: MARKET.symbol, orderId, accountId };
}

export function amend(
  orderId: number,
  accountId: number,
  change: { price?: number; quantity?: number },
  now = T0,
): AmendCommand {
  return { kind: 'amend', now, symbol: MARKET.symbol, orderId, accountId, ...change };
}

export const trades = (r: CommandResult): TradeEvent[] =>
  r.events.filter((e): e is TradeEvent => e.type === 'trade');
export const dones = (r: CommandResult): DoneEvent[] =>
  r.events.filter((e): e is DoneEvent => e.type === 'done');
export const levels = (r: CommandResult): LevelEvent[] =>
  r.events.filter((e): e is LevelEvent => e.type === 'level');
export const kinds = (r: CommandResult): EngineEvent['type'][] => r.events.map((e) => e.type);
