import { MatchingEngine } from './matching-engine';
import { ReferenceOrderBook } from './reference-order-book';
import { HOUR, MARKET, T0, buy, sell } from './testing/commands';
import { Command, DoneEvent } from './types';

const OTHER = { ...MARKET, symbol: 'H100-SXM.us-west.firm' };

describe('MatchingEngine: one book per market', () => {
  let engine: MatchingEngine;

  beforeEach(() => {
    engine = new MatchingEngine();
    expect(engine.addMarket(MARKET)).toBeNull();
    expect(engine.addMarket(OTHER)).toBeNull();
  });

  it('routes each command to its market book', () => {
    engine.process(buy(1, 100, 8));
    engine.process({ ...sell(2, 100, 8), symbol: OTHER.symbol });
    expect(engine.book(MARKET.symbol)?.depth()).toMatchObject({ bids: [[100, 8]], asks: [] });
    expect(engine.book(OTHER.symbol)?.depth()).toMatchObject({ bids: [], asks: [[100, 8]] });
    expect(engine.symbols).toEqual([MARKET.symbol, OTHER.symbol]);
  });

  it('refuses an unknown market with UNKNOWN_SYMBOL and changes nothing', () => {
    const hashes = engine.symbols.map((s) => engine.book(s)?.stateHash());
    const result = engine.process({ ...buy(1, 100, 8), symbol: 'TPU.nowhere.firm' });
    expect(result).toEqual({
      code: 'UNKNOWN_SYMBOL',
      events: [
        expect.objectContaining({ type: 'rejected', code: 'UNKNOWN_SYMBOL', symbol: 'TPU.nowhere.firm' }),
      ],
    });
    expect(engine.symbols.map((s) => engine.book(s)?.stateHash())).toEqual(hashes);
    expect(engine.process({ kind: 'cancelAll', now: T0, accountId: 1, symbol: 'nope' }).code).toBe(
      'UNKNOWN_SYMBOL',
    );
  });

  it('cancel-all without a market cancels the account everywhere; with one, only there', () => {
    const place: Command[] = [
      buy(1, 100, 8),
      { ...buy(2, 100, 8), symbol: OTHER.symbol },
      { ...buy(3, 90, 8), symbol: OTHER.symbol },
      { ...buy(4, 90, 8), accountId: 9 },
    ];
    place.forEach((c) => engine.process(c));
    const some = engine.process({ kind: 'cancelAll', now: T0, accountId: 1, symbol: OTHER.symbol });
    expect(some.events.filter((e): e is DoneEvent => e.type === 'done').map((e) => e.orderId)).toEqual([
      2, 3,
    ]);
    const all = engine.process({ kind: 'cancelAll', now: T0, accountId: 1 });
    expect(all.events.filter((e): e is DoneEvent => e.type === 'done').map((e) => e.orderId)).toEqual([1]);
    expect(engine.book(MARKET.symbol)?.orderCount).toBe(1);
  });

  it('a tick expires due orders in every market', () => {
    engine.process(sell(1, 100, 8, { availableUntil: T0 + HOUR }));
    engine.process({ ...buy(2, 100, 8, { timeInForce: 'GTD', expireAt: T0 + HOUR }), symbol: OTHER.symbol });
    const result = engine.process({ kind: 'tick', now: T0 + HOUR });
    expect(
      result.events.filter((e) => e.type === 'done').map((e) => [e.symbol, (e as DoneEvent).reason]),
    ).toEqual([
      [MARKET.symbol, 'available_until'],
      [OTHER.symbol, 'expire_at'],
    ]);
  });

  it('refuses a bad or duplicate market spec', () => {
    expect(engine.addMarket(MARKET)?.code).toBe('INVALID_REQUEST');
    expect(engine.addMarket({ ...MARKET, symbol: 'X', tickSize: 0 })?.code).toBe('INVALID_PRICE');
    expect(engine.addMarket({ ...MARKET, symbol: 'X', lotSize: 1.5 })?.code).toBe('INVALID_QUANTITY');
    expect(engine.addMarket({ ...MARKET, symbol: 'X', minDurationHours: 9, maxDurationHours: 2 })?.code).toBe(
      'INVALID_DURATION',
    );
    expect(engine.symbols).toHaveLength(2);
  });

  it('restores a market from a snapshot, with any book implementation', () => {
    engine.process(buy(1, 100, 8));
    const snapshot = engine.book(MARKET.symbol)!.snapshot();
    const other = new MatchingEngine({
      create: (m) => new ReferenceOrderBook(m),
      restore: (s) => ReferenceOrderBook.restore(s),
    });
    other.restoreMarket(snapshot);
    expect(other.book(MARKET.symbol)?.stateHash()).toBe(engine.book(MARKET.symbol)?.stateHash());
  });

  it('never throws on junk', () => {
    for (const junk of [null, 7, 'x', {}, { kind: 'place', now: T0 }, { kind: 'tick', now: -1 }]) {
      expect(engine.process(junk as never).code).toBe('INVALID_REQUEST');
    }
  });
});
