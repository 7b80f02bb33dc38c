import fc from 'fast-check';
import { Command, OrderBook, RestingOrder, SELF_TRADE_PREVENTION, TIME_IN_FORCE } from '../types';
import { HOUR, MARKET, T0 } from './commands';

/**
 * Abstract steps for property tests. They name orders by position ("the k-th open order") rather than by id,
 * so that a random stream stays meaningful whatever the book did before; `toCommand` makes them concrete.
 */
export type Step =
  | { op: 'place'; dt: number; order: RandomOrder }
  | { op: 'cancel'; dt: number; pick: number; foreign: boolean }
  | { op: 'amend'; dt: number; pick: number; foreign: boolean; price: number | null; lots: number | null }
  | { op: 'cancelAll'; dt: number; accountId: number; side: 'buy' | 'sell' | null }
  | { op: 'tick'; dt: number };

interface RandomOrder {
  side: 'buy' | 'sell';
  market: boolean;
  price: number;
  lots: number;
  accountId: number;
  durationHours: number;
  availableForHours: number | null;
  minLots: number | null;
  timeInForce: (typeof TIME_IN_FORCE)[number];
  expireInHours: number;
  postOnly: boolean;
  selfTradePrevention: (typeof SELF_TRADE_PREVENTION)[number];
  reuseId: boolean;
}

const QUARTER_HOUR = HOUR / 4;
/** Few prices, few accounts and short horizons, so that orders cross, self-trade and expire often. */
const price = fc.integer({ min: 8, max: 12 }).map((p) => p * MARKET.tickSize);
const dt = fc
  .oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) })
  .map((q) => q * QUARTER_HOUR);
const account = fc.integer({ min: 1, max: 3 });

const randomOrder: fc.Arbitrary<RandomOrder> = fc.record({
  side: fc.constantFrom('buy', 'sell'),
  market: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  price: fc.oneof(
    { weight: 20, arbitrary: price },
    { weight: 1, arbitrary: fc.constant(MARKET.tickSize * 10 + 3) },
  ),
  lots: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 15, arbitrary: fc.integer({ min: 1, max: 4 }) },
  ),
  accountId: account,
  durationHours: fc.integer({ min: 1, max: 4 }),
  availableForHours: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 2 }),
  minLots: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 2 }),
  timeInForce: fc.constantFrom(...TIME_IN_FORCE, 'GTC', 'GTC'),
  expireInHours: fc.integer({ min: 1, max: 3 }),
  postOnly: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  selfTradePrevention: fc.constantFrom(...SELF_TRADE_PREVENTION),
  reuseId: fc.integer({ min: 0, max: 40 }).map((n) => n === 0),
});

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('place' as const), dt, order: randomOrder }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('cancel' as const), dt, pick: fc.nat(), foreign: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('amend' as const),
      dt,
      pick: fc.nat(),
      foreign: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      price: fc.option(price),
      lots: fc.option(fc.integer({ min: 0, max: 5 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('cancelAll' as const),
      dt,
      accountId: account,
      side: fc.constantFrom('buy' as const, 'sell' as const, null),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), dt }) },
);

/** Turns abstract steps into commands against a live book (which it only reads). */
export class CommandMaker {
  now = T0;
  private nextId = 1;

  toCommand(s: Step, book: OrderBook): Command {
    this.now += s.dt;
    const now = this.now;
    const symbol = MARKET.symbol;
    if (s.op === 'tick') return { kind: 'tick', now };
    if (s.op === 'cancelAll') return { kind: 'cancelAll', now, accountId: s.accountId, symbol, side: s.side };
    if (s.op === 'place') return this.place(s.order, now);
    const open = book.snapshot().orders;
    const target: RestingOrder | undefined = open[s.pick % Math.max(open.length, 1)];
    const orderId = target?.id ?? this.nextId + 1000;
    const accountId = s.foreign ? ((target?.accountId ?? 1) % 3) + 1 : (target?.accountId ?? 1);
    if (s.op === 'cancel') return { kind: 'cancel', now, symbol, orderId, accountId };
    const quantity = s.lots === null ? null : s.lots * MARKET.lotSize + (target?.filled ?? 0);
    return { kind: 'amend', now, symbol, orderId, accountId, price: s.price, quantity };
  }

  private place(o: RandomOrder, now: number): Command {
    const quantity = o.lots * MARKET.lotSize;
    const isBuy = o.side === 'buy';
    const timeInForce =
      o.market && (o.timeInForce === 'GTC' || o.timeInForce === 'GTD') ? 'IOC' : o.timeInForce;
    return {
      kind: 'place',
      now,
      symbol: MARKET.symbol,
      orderId: o.reuseId && this.nextId > 1 ? this.nextId - 1 : this.nextId++,
      accountId: o.accountId,
      side: o.side,
      type: o.market ? 'market' : 'limit',
      price: o.market ? null : o.price,
      quantity,
      durationHours: isBuy ? o.durationHours : null,
      availableUntil: !isBuy && o.availableForHours !== null ? now + o.availableForHours * HOUR : null,
      minQuantity:
        isBuy && o.minLots !== null ? Math.min(o.minLots * MARKET.lotSize, quantity) || null : null,
      timeInForce,
      expireAt: timeInForce === 'GTD' ? now + o.expireInHours * HOUR : null,
      postOnly: o.postOnly && !o.market && (timeInForce === 'GTC' || timeInForce === 'GTD'),
      selfTradePrevention: o.selfTradePrevention,
    };
  }
}
