import { HOUR, MARKET, T0, amend, buy, cancel, dones, kinds, levels, sell, trades } from './testing/commands';
import { BookSnapshot, Command, CommandResult, MarketSpec, OrderBook } from './types';

export interface BookImplementation {
  create(market: MarketSpec): OrderBook;
  restore(snapshot: BookSnapshot): OrderBook;
}

/**
 * The rules of PROTOCOL.md as executable examples. Run against every book implementation: the deliberately
 * simple reference book and the fast book must both pass it unchanged.
 */
export function orderBookContract(name: string, impl: BookImplementation): void {
  describe(`${name}: order book contract`, () => {
    let book: OrderBook;
    const run = (...commands: Command[]): CommandResult[] => commands.map((c) => book.process(c));
    const ok = (c: Command): CommandResult => {
      const r = book.process(c);
      expect(r).toMatchObject({ code: 'OK' });
      return r;
    };
    const expectUnchangedBy = (c: Command, code: string): void => {
      const before = book.stateHash();
      const r = book.process(c);
      expect(r.code).toBe(code);
      expect(r.events).toEqual([expect.objectContaining({ type: 'rejected', code })]);
      expect(book.stateHash()).toBe(before);
    };

    beforeEach(() => {
      book = impl.create(MARKET);
    });

    afterEach(() => {
      expect(book.validate()).toEqual([]);
    });

    describe('price-time priority', () => {
      it('rests a limit order that does not cross, and reports the level', () => {
        const r = ok(buy(1, 100, 8));
        expect(kinds(r)).toEqual(['accepted', 'level']);
        expect(levels(r)).toEqual([
          { type: 'level', symbol: MARKET.symbol, side: 'buy', price: 100, quantity: 8, sequence: 1 },
        ]);
        expect(book.depth()).toEqual({ sequence: 1, bids: [[100, 8]], asks: [] });
      });

      it('fills the best price first, then the earliest order at a price', () => {
        run(sell(1, 110, 8), sell(2, 100, 8), sell(3, 100, 8), sell(4, 120, 8));
        const r = ok(buy(5, 110, 24));
        expect(trades(r).map((t) => [t.makerOrderId, t.price, t.quantity])).toEqual([
          [2, 100, 8],
          [3, 100, 8],
          [1, 110, 8],
        ]);
        expect(book.depth().asks).toEqual([[120, 8]]);
      });

      it('executes at the resting order price, for the buyer and for the seller', () => {
        run(sell(1, 100, 8));
        expect(trades(ok(buy(2, 150, 8)))[0]).toMatchObject({
          price: 100,
          takerSide: 'buy',
          durationHours: 1,
        });
        run(buy(3, 150, 8, { durationHours: 5 }));
        expect(trades(ok(sell(4, 100, 8)))[0]).toMatchObject({
          price: 150,
          takerSide: 'sell',
          durationHours: 5,
        });
      });

      it('reports a trade with maker, taker, ids and sequence', () => {
        run(sell(1, 100, 16, { accountId: 7 }));
        const r = ok(buy(2, 100, 8, { accountId: 9 }));
        expect(r.events).toEqual([
          { type: 'accepted', symbol: MARKET.symbol, orderId: 2, accountId: 9, side: 'buy' },
          {
            type: 'trade',
            symbol: MARKET.symbol,
            tradeId: 1,
            price: 100,
            quantity: 8,
            durationHours: 1,
            takerSide: 'buy',
            makerOrderId: 1,
            makerAccountId: 7,
            takerOrderId: 2,
            takerAccountId: 9,
          },
          expect.objectContaining({ type: 'done', orderId: 2, status: 'filled', filled: 8, remaining: 0 }),
          { type: 'level', symbol: MARKET.symbol, side: 'sell', price: 100, quantity: 8, sequence: 2 },
        ]);
        expect(book.lastTradeId).toBe(1);
      });

      it('rests the unfilled part of a crossing limit order', () => {
        run(sell(1, 100, 8));
        const r = ok(buy(2, 110, 24));
        expect(trades(r)).toHaveLength(1);
        expect(book.depth()).toEqual({ sequence: 2, bids: [[110, 16]], asks: [] });
      });
    });

    describe('market orders and time in force', () => {
      it('a market buy sweeps levels and cancels what is left', () => {
        run(sell(1, 100, 8), sell(2, 200, 8));
        const r = ok(buy(3, null, 24));
        expect(trades(r).map((t) => t.price)).toEqual([100, 200]);
        expect(dones(r).at(-1)).toMatchObject({
          orderId: 3,
          status: 'cancelled',
          reason: 'ioc_remainder',
          remaining: 8,
        });
        expect(book.orderCount).toBe(0);
      });

      it('a market order on an empty book is cancelled, not rested', () => {
        const r = ok(sell(1, null, 8));
        expect(kinds(r)).toEqual(['accepted', 'done']);
        expect(book.orderCount).toBe(0);
      });

      it('IOC fills what it can and cancels the rest', () => {
        run(sell(1, 100, 8));
        const r = ok(buy(2, 100, 16, { timeInForce: 'IOC' }));
        expect(trades(r)).toHaveLength(1);
        expect(dones(r)[1]).toMatchObject({ orderId: 2, reason: 'ioc_remainder', filled: 8, remaining: 8 });
        expect(book.depth().bids).toEqual([]);
      });

      it('FOK that cannot fill completely trades nothing', () => {
        run(sell(1, 100, 8), sell(2, 110, 8));
        const before = book.depth();
        const r = ok(buy(3, 100, 16, { timeInForce: 'FOK' }));
        expect(kinds(r)).toEqual(['accepted', 'done']);
        expect(dones(r)[0]).toMatchObject({ status: 'cancelled', reason: 'fok_not_filled', remaining: 16 });
        expect(book.depth()).toEqual(before);
      });

      it('FOK that can fill completely fills across levels', () => {
        run(sell(1, 100, 8), sell(2, 110, 8));
        const r = ok(buy(3, 110, 16, { timeInForce: 'FOK' }));
        expect(trades(r).map((t) => t.quantity)).toEqual([8, 8]);
        expect(dones(r).at(-1)).toMatchObject({ orderId: 3, status: 'filled' });
      });

      it('FOK counts only what it may take: ineligible sells and minQuantity do not help it', () => {
        run(sell(1, 100, 8, { availableUntil: T0 + HOUR }), sell(2, 100, 8));
        const r = ok(buy(3, 100, 16, { timeInForce: 'FOK', durationHours: 2 }));
        expect(trades(r)).toEqual([]);
      });

      it('GTD expires when a command time reaches expireAt', () => {
        ok(buy(1, 100, 8, { timeInForce: 'GTD', expireAt: T0 + HOUR }));
        expect(ok({ kind: 'tick', now: T0 + HOUR - 1 }).events).toEqual([]);
        const r = ok({ kind: 'tick', now: T0 + HOUR });
        expect(dones(r)).toEqual([
          expect.objectContaining({ orderId: 1, status: 'expired', reason: 'expire_at', remaining: 8 }),
        ]);
        expect(levels(r)).toEqual([expect.objectContaining({ side: 'buy', price: 100, quantity: 0 })]);
      });

      it('a sell expires when its availableUntil passes; expiries come out earliest first, then by id', () => {
        run(
          sell(3, 100, 8, { availableUntil: T0 + 2 * HOUR }),
          sell(2, 110, 8, { availableUntil: T0 + HOUR }),
          sell(1, 120, 8, { availableUntil: T0 + 2 * HOUR, timeInForce: 'GTD', expireAt: T0 + 3 * HOUR }),
        );
        const r = ok({ kind: 'tick', now: T0 + 5 * HOUR });
        expect(dones(r).map((d) => [d.orderId, d.reason])).toEqual([
          [2, 'available_until'],
          [1, 'available_until'],
          [3, 'available_until'],
        ]);
      });

      it('expiries fire before the command that carries the later time', () => {
        ok(sell(1, 100, 8, { timeInForce: 'GTD', expireAt: T0 + HOUR }));
        const r = ok(buy(2, 100, 8, { now: T0 + HOUR }));
        expect(kinds(r)).toEqual(['done', 'accepted', 'level', 'level']);
        expect(trades(r)).toEqual([]);
      });

      it('refuses GTD without a future expireAt, and expireAt without GTD', () => {
        expectUnchangedBy(buy(1, 100, 8, { timeInForce: 'GTD' }), 'INVALID_EXPIRY');
        expectUnchangedBy(buy(1, 100, 8, { timeInForce: 'GTD', expireAt: T0 }), 'INVALID_EXPIRY');
        expectUnchangedBy(buy(1, 100, 8, { expireAt: T0 + HOUR }), 'INVALID_REQUEST');
        expectUnchangedBy(sell(1, 100, 8, { availableUntil: T0 }), 'INVALID_EXPIRY');
      });
    });

    describe('post-only', () => {
      it('is rejected whole, changing nothing, if any part would take', () => {
        run(sell(1, 100, 8));
        expectUnchangedBy(buy(2, 100, 16, { postOnly: true }), 'POST_ONLY_WOULD_TAKE');
      });

      it('rests when it would not take', () => {
        run(sell(1, 110, 8));
        expect(kinds(ok(buy(2, 100, 8, { postOnly: true })))).toEqual(['accepted', 'level']);
      });

      it('rests across an ask it cannot trade with (the book may look crossed)', () => {
        run(sell(1, 100, 8, { availableUntil: T0 + HOUR }));
        ok(buy(2, 110, 8, { postOnly: true, durationHours: 2 }));
        expect(book.depth()).toMatchObject({ bids: [[110, 8]], asks: [[100, 8]] });
      });

      it('cannot be IOC, FOK or market', () => {
        expectUnchangedBy(buy(1, 100, 8, { postOnly: true, timeInForce: 'IOC' }), 'INVALID_REQUEST');
        expectUnchangedBy(buy(1, null, 8, { postOnly: true }), 'INVALID_REQUEST');
      });
    });

    describe('spot eligibility', () => {
      it('a buy skips sells whose GPUs are not free for the whole lease; they keep their place', () => {
        run(sell(1, 100, 8, { availableUntil: T0 + 3 * HOUR }), sell(2, 100, 8));
        const r = ok(buy(3, 100, 8, { durationHours: 4 }));
        expect(trades(r).map((t) => t.makerOrderId)).toEqual([2]);
        const r2 = ok(buy(4, 100, 8, { durationHours: 3 }));
        expect(trades(r2).map((t) => t.makerOrderId)).toEqual([1]);
      });

      it('an incoming sell skips buys that need the GPUs longer than it has them', () => {
        run(buy(1, 100, 8, { durationHours: 10 }), buy(2, 100, 8, { durationHours: 2 }));
        const r = ok(sell(3, 100, 16, { availableUntil: T0 + 5 * HOUR }));
        expect(trades(r).map((t) => t.makerOrderId)).toEqual([2]);
        expect(book.depth()).toMatchObject({ bids: [[100, 8]], asks: [[100, 8]] });
      });

      it('eligibility is judged at the time of the command', () => {
        run(sell(1, 100, 8, { availableUntil: T0 + 5 * HOUR }));
        expect(trades(ok(buy(2, 100, 8, { durationHours: 4, now: T0 + 2 * HOUR })))).toEqual([]);
      });
    });

    describe('minQuantity', () => {
      it('an incoming buy takes no fill smaller than its minQuantity', () => {
        run(sell(1, 100, 8), sell(2, 100, 16));
        const r = ok(buy(3, 100, 16, { minQuantity: 16 }));
        expect(trades(r).map((t) => [t.makerOrderId, t.quantity])).toEqual([[2, 16]]);
        expect(book.depth().asks).toEqual([[100, 8]]);
      });

      it('a resting all-or-none buy waits for a sell big enough', () => {
        run(buy(1, 100, 24, { minQuantity: 24 }));
        expect(trades(ok(sell(2, 100, 16)))).toEqual([]);
        const r = ok(sell(3, 100, 32));
        expect(trades(r).map((t) => [t.makerOrderId, t.quantity])).toEqual([[1, 24]]);
      });

      it('a partial fill never leaves a remainder below minQuantity', () => {
        run(sell(1, 100, 24));
        const r = ok(buy(2, 100, 32, { minQuantity: 16 }));
        expect(trades(r).map((t) => t.quantity)).toEqual([16]);
        expect(book.depth()).toMatchObject({ bids: [[100, 16]], asks: [[100, 8]] });
      });

      it('must be a lot multiple no larger than quantity, and only on buys', () => {
        expectUnchangedBy(buy(1, 100, 16, { minQuantity: 24 }), 'INVALID_QUANTITY');
        expectUnchangedBy(buy(1, 100, 16, { minQuantity: 4 }), 'INVALID_QUANTITY');
        expectUnchangedBy(sell(1, 100, 16, { minQuantity: 8 }), 'INVALID_REQUEST');
      });
    });

    describe('self-trade prevention', () => {
      const mine = { accountId: 5 };

      it('cancel_newest (default) cancels the incoming order', () => {
        run(sell(1, 100, 8, mine));
        const r = ok(buy(2, 100, 8, mine));
        expect(trades(r)).toEqual([]);
        expect(dones(r)).toEqual([expect.objectContaining({ orderId: 2, reason: 'self_trade_prevention' })]);
        expect(book.depth().asks).toEqual([[100, 8]]);
      });

      it('cancel_oldest cancels the resting order and goes on matching', () => {
        run(sell(1, 100, 8, mine), sell(2, 100, 8));
        const r = ok(buy(3, 100, 8, { ...mine, selfTradePrevention: 'cancel_oldest' }));
        expect(dones(r).map((d) => [d.orderId, d.reason])).toEqual([
          [1, 'self_trade_prevention'],
          [2, 'filled'],
          [3, 'filled'],
        ]);
        expect(trades(r).map((t) => t.makerOrderId)).toEqual([2]);
      });

      it('cancel_both cancels both', () => {
        run(sell(1, 100, 8, mine), sell(2, 100, 8));
        const r = ok(buy(3, 100, 8, { ...mine, selfTradePrevention: 'cancel_both' }));
        expect(dones(r).map((d) => d.orderId)).toEqual([1, 3]);
        expect(book.depth().asks).toEqual([[100, 8]]);
      });

      it('decrement reduces both by the smaller quantity, cancelling the one left with nothing', () => {
        run(sell(1, 100, 8, mine), sell(2, 100, 8));
        const r = ok(buy(3, 100, 24, { ...mine, selfTradePrevention: 'decrement' }));
        expect(
          r.events.filter((e) => e.type === 'reduced' || e.type === 'done' || e.type === 'trade'),
        ).toEqual([
          expect.objectContaining({
            type: 'done',
            orderId: 1,
            reason: 'self_trade_prevention',
            remaining: 8,
          }),
          expect.objectContaining({ type: 'reduced', orderId: 3, reducedBy: 8, remaining: 16 }),
          expect.objectContaining({ type: 'trade', makerOrderId: 2, quantity: 8 }),
          expect.objectContaining({ type: 'done', orderId: 2, status: 'filled' }),
        ]);
        expect(book.depth()).toMatchObject({ bids: [[100, 8]], asks: [] });
      });

      it('decrement cancels a buy with a minQuantity instead of shrinking it', () => {
        run(sell(1, 100, 8, mine));
        const r = ok(buy(2, 100, 16, { ...mine, minQuantity: 8, selfTradePrevention: 'decrement' }));
        expect(dones(r).map((d) => [d.orderId, d.remaining])).toEqual([
          [1, 8],
          [2, 16],
        ]);
      });

      it('the incoming order mode wins', () => {
        run(sell(1, 100, 8, { ...mine, selfTradePrevention: 'cancel_oldest' }));
        const r = ok(buy(2, 100, 8, { ...mine, selfTradePrevention: 'cancel_newest' }));
        expect(dones(r).map((d) => d.orderId)).toEqual([2]);
      });

      it('own orders that could not trade anyway are left alone', () => {
        run(sell(1, 100, 8, { ...mine, availableUntil: T0 + HOUR }), sell(2, 100, 8));
        const r = ok(buy(3, 100, 8, { ...mine, durationHours: 2 }));
        expect(trades(r).map((t) => t.makerOrderId)).toEqual([2]);
      });
    });

    describe('cancel and cancel-all', () => {
      it('cancels an open order and releases its level', () => {
        run(buy(1, 100, 8), buy(2, 100, 8));
        const r = ok(cancel(1, 1));
        expect(dones(r)).toEqual([
          expect.objectContaining({
            orderId: 1,
            status: 'cancelled',
            reason: 'cancelled_by_user',
            remaining: 8,
          }),
        ]);
        expect(levels(r)).toEqual([expect.objectContaining({ price: 100, quantity: 8 })]);
      });

      it('refuses unknown, closed and foreign orders without changing anything', () => {
        run(buy(1, 100, 8), sell(2, 100, 8), buy(3, 90, 8));
        expectUnchangedBy(cancel(99, 1), 'ORDER_NOT_OPEN');
        expectUnchangedBy(cancel(1, 1), 'ORDER_NOT_OPEN');
        expectUnchangedBy(cancel(3, 2), 'NOT_FOUND');
      });

      it('cancel-all cancels every open order of one account, lowest id first', () => {
        run(buy(3, 100, 8), buy(1, 90, 8), sell(2, 200, 8), buy(4, 80, 8, { accountId: 9 }));
        const r = ok({ kind: 'cancelAll', now: T0, accountId: 1 });
        expect(dones(r).map((d) => d.orderId)).toEqual([1, 3]);
        expect(book.depth()).toMatchObject({ bids: [[80, 8]], asks: [[200, 8]] });
        expect(book.sequence).toBe(5);
      });

      it('cancel-all of one side leaves the account’s other side resting', () => {
        run(buy(3, 100, 8), buy(1, 90, 8), sell(2, 200, 8, { accountId: 1 }), sell(4, 300, 8));
        const r = ok({ kind: 'cancelAll', now: T0, accountId: 1, side: 'sell' });
        expect(dones(r).map((d) => d.orderId)).toEqual([2]);
        expect(book.depth()).toMatchObject({
          bids: [
            [100, 8],
            [90, 8],
          ],
          asks: [[300, 8]],
        });
      });

      it('an order due to expire counts as closed: cancel is refused and time does not advance', () => {
        ok(buy(1, 100, 8, { timeInForce: 'GTD', expireAt: T0 + HOUR }));
        expectUnchangedBy(cancel(1, 1, T0 + HOUR), 'ORDER_NOT_OPEN');
      });
    });

    describe('amend', () => {
      it('reducing quantity keeps time priority', () => {
        run(sell(1, 100, 16), sell(2, 100, 8));
        const r = ok(amend(1, 2, { quantity: 8 }));
        expect(r.events[0]).toMatchObject({
          type: 'amended',
          orderId: 1,
          quantity: 8,
          remaining: 8,
          priorityKept: true,
        });
        expect(trades(ok(buy(3, 100, 8))).map((t) => t.makerOrderId)).toEqual([1]);
      });

      it('increasing quantity loses time priority', () => {
        run(sell(1, 100, 8), sell(2, 100, 8));
        expect(ok(amend(1, 2, { quantity: 16 })).events[0]).toMatchObject({ priorityKept: false });
        expect(trades(ok(buy(3, 100, 8))).map((t) => t.makerOrderId)).toEqual([2]);
      });

      it('a price change loses priority, and a crossing price trades at once', () => {
        run(sell(1, 120, 8), buy(2, 100, 8), buy(3, 100, 8, { accountId: 3 }));
        expect(ok(amend(2, 1, { price: 100 })).events[0]).toMatchObject({ priorityKept: true });
        const r = ok(amend(1, 2, { price: 100 }));
        expect(trades(r)).toEqual([
          expect.objectContaining({ makerOrderId: 2, takerOrderId: 1, price: 100 }),
        ]);
      });

      it('the quantity is the new total: it must exceed what is filled', () => {
        run(sell(1, 100, 24), buy(2, 100, 8));
        expectUnchangedBy(amend(1, 2, { quantity: 8 }), 'INVALID_QUANTITY');
        const r = ok(amend(1, 2, { quantity: 16 }));
        expect(r.events[0]).toMatchObject({ quantity: 16, remaining: 8 });
      });

      it('a failed amend changes nothing', () => {
        run(sell(1, 100, 16), buy(2, 90, 8, { minQuantity: 8 }));
        expectUnchangedBy(amend(1, 2, { price: 105 }), 'INVALID_PRICE');
        expectUnchangedBy(amend(1, 2, { quantity: 12 }), 'INVALID_QUANTITY');
        expectUnchangedBy(amend(1, 2, {}), 'INVALID_REQUEST');
        expectUnchangedBy(amend(1, 3, { quantity: 8 }), 'NOT_FOUND');
        expectUnchangedBy(amend(7, 2, { quantity: 8 }), 'ORDER_NOT_OPEN');
      });

      it('a post-only order cannot be amended into a crossing price', () => {
        run(sell(1, 100, 8), buy(2, 90, 8, { postOnly: true }));
        expectUnchangedBy(amend(2, 1, { price: 100 }), 'POST_ONLY_WOULD_TAKE');
      });

      it('a smaller remainder that makes a minQuantity buy tradeable trades at once', () => {
        run(sell(1, 100, 16), buy(2, 100, 24, { minQuantity: 16 }));
        expect(book.depth()).toMatchObject({ bids: [[100, 24]], asks: [[100, 16]] });
        const r = ok(amend(2, 1, { quantity: 16 }));
        expect(trades(r)).toEqual([
          expect.objectContaining({ takerOrderId: 2, makerOrderId: 1, quantity: 16 }),
        ]);
        expect(book.orderCount).toBe(0);
      });
    });

    describe('market data events', () => {
      it('one absolute level event per changed level, bids then asks, best first; sequence +1 per command', () => {
        run(sell(1, 100, 8), sell(2, 110, 8), buy(3, 90, 8));
        const r = ok(buy(4, 110, 24));
        expect(levels(r).map((l) => [l.side, l.price, l.quantity, l.sequence])).toEqual([
          ['buy', 110, 8, 4],
          ['sell', 100, 0, 4],
          ['sell', 110, 0, 4],
        ]);
      });

      it('a level emptied and refilled in one command is reported once, with its final quantity', () => {
        run(buy(1, 100, 8));
        const r = ok(amend(1, 1, { quantity: 16 }));
        expect(levels(r)).toEqual([
          expect.objectContaining({ side: 'buy', price: 100, quantity: 16, sequence: 2 }),
        ]);
      });

      it('a command that changes no level leaves the sequence alone', () => {
        run(buy(1, 100, 8));
        expect(levels(ok(amend(1, 1, { quantity: 8 })))).toEqual([]);
        expect(book.sequence).toBe(1);
      });

      it('rejected commands leave the sequence alone', () => {
        run(buy(1, 100, 8));
        book.process(buy(2, 101, 8));
        expect(book.sequence).toBe(1);
      });
    });

    describe('bad input', () => {
      const bad: [string, Command, string][] = [
        ['price off tick', buy(1, 105, 8), 'INVALID_PRICE'],
        ['zero price', buy(1, 0, 8), 'INVALID_PRICE'],
        ['NaN price', buy(1, NaN, 8), 'INVALID_PRICE'],
        ['a market order with a price', { ...buy(1, 100, 8), type: 'market' }, 'INVALID_PRICE'],
        ['quantity off lot', buy(1, 100, 12), 'INVALID_QUANTITY'],
        ['zero quantity', buy(1, 100, 0), 'INVALID_QUANTITY'],
        ['negative quantity', buy(1, 100, -8), 'INVALID_QUANTITY'],
        ['fractional quantity', buy(1, 100, 8.5), 'INVALID_QUANTITY'],
        ['duration below the market bound', buy(1, 100, 8, { durationHours: 0 }), 'INVALID_DURATION'],
        ['duration above the market bound', buy(1, 100, 8, { durationHours: 721 }), 'INVALID_DURATION'],
        ['a buy without duration', buy(1, 100, 8, { durationHours: undefined }), 'INVALID_DURATION'],
        ['a sell with a duration', sell(1, 100, 8, { durationHours: 2 }), 'INVALID_REQUEST'],
        ['unknown side', { ...buy(1, 100, 8), side: 'hold' as never }, 'INVALID_REQUEST'],
        ['unknown type', { ...buy(1, 100, 8), type: 'stop' as never }, 'INVALID_REQUEST'],
        ['unknown time in force', buy(1, 100, 8, { timeInForce: 'DAY' as never }), 'INVALID_REQUEST'],
        ['unknown STP mode', buy(1, 100, 8, { selfTradePrevention: 'x' as never }), 'INVALID_REQUEST'],
        ['NaN time', buy(1, 100, 8, { now: NaN }), 'INVALID_REQUEST'],
        ['string order id', { ...buy(1, 100, 8), orderId: '1' as never }, 'INVALID_REQUEST'],
        ['unknown command', { kind: 'explode', now: T0 } as never, 'INVALID_REQUEST'],
      ];
      it.each(bad)('%s is rejected and changes nothing', (_name, command, code) => {
        run(buy(100, 90, 8), sell(101, 120, 8));
        expectUnchangedBy(command, code);
      });

      it('a duplicate open order id is rejected', () => {
        run(buy(1, 100, 8));
        expectUnchangedBy(sell(1, 200, 8), 'DUPLICATE_ORDER_ID');
      });

      it('never throws, whatever it is given', () => {
        for (const junk of [
          null,
          undefined,
          42,
          'place',
          [],
          {},
          { kind: 'place' },
          { kind: 'cancel', now: T0 },
        ]) {
          expect(book.process(junk as never)).toMatchObject({ code: 'INVALID_REQUEST' });
        }
      });
    });

    describe('snapshot and restore', () => {
      it('restores an identical book that goes on identically', () => {
        run(
          sell(1, 100, 8, { availableUntil: T0 + 10 * HOUR }),
          sell(2, 100, 16),
          sell(3, 110, 8, { timeInForce: 'GTD', expireAt: T0 + 2 * HOUR, accountId: 4 }),
          buy(4, 90, 16, { minQuantity: 8, durationHours: 3 }),
          buy(5, 80, 8, { postOnly: true, selfTradePrevention: 'decrement' }),
          buy(6, 100, 8),
        );
        const copy = impl.restore(book.snapshot());
        expect(copy.stateHash()).toBe(book.stateHash());
        expect(copy.depth()).toEqual(book.depth());
        const next: Command[] = [
          buy(7, 110, 24, { now: T0 + HOUR }),
          { kind: 'tick', now: T0 + 3 * HOUR },
          sell(8, 80, 32, { now: T0 + 3 * HOUR }),
        ];
        for (const c of next) expect(copy.process(c)).toEqual(book.process(c));
        expect(copy.stateHash()).toBe(book.stateHash());
        expect(copy.validate()).toEqual([]);
      });

      it('the state hash tells different books apart', () => {
        const other = impl.create(MARKET);
        run(buy(1, 100, 8), buy(2, 100, 8));
        other.process(buy(2, 100, 8));
        other.process(buy(1, 100, 8));
        expect(other.stateHash()).not.toBe(book.stateHash());
      });
    });
  });
}
