import fc from 'fast-check';
import { PriceLadder } from './price-ladder';
import { Side } from './types';

type LadderOp =
  { op: 'add'; price: number } | { op: 'remove'; pick: number } | { op: 'probe'; price: number };

const ladderOp: fc.Arbitrary<LadderOp> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), price: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('probe' as const), price: fc.integer({ min: 0, max: 301 }) }),
);

/** The model: a plain sorted list of prices, best first. */
const bestFirst = (prices: Set<number>, side: Side): number[] =>
  [...prices].sort((a, b) => (side === 'buy' ? b - a : a - b));

describe('PriceLadder', () => {
  it.each(['buy', 'sell'] as Side[])(
    'keeps %s levels sorted best first through inserts, removals and chunk splits and merges',
    (side) => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.array(ladderOp, { maxLength: 400, size: 'max' }),
          (chunkSize, ops) => {
            const ladder = new PriceLadder(side, chunkSize);
            const model = new Set<number>();
            for (const o of ops) {
              if (o.op === 'add') {
                const level = ladder.levelAt(o.price);
                expect(level.price).toBe(o.price);
                expect(ladder.levelAt(o.price)).toBe(level);
                model.add(o.price);
              } else if (o.op === 'remove' && model.size > 0) {
                const price = bestFirst(model, side)[o.pick % model.size];
                ladder.remove(ladder.levelAt(price));
                model.delete(price);
              } else if (o.op === 'probe') {
                const worse = bestFirst(model, side).find((p) =>
                  side === 'buy' ? p < o.price : p > o.price,
                );
                expect(ladder.nextWorse(o.price)?.price).toBe(worse);
              }
              expect(ladder.problems()).toEqual([]);
              expect(ladder.size).toBe(model.size);
              expect(ladder.best()?.price).toBe(bestFirst(model, side)[0]);
            }
            expect(ladder.bestFirst().map((l) => l.price)).toEqual(bestFirst(model, side));
            expect(ladder.bestFirst(3).map((l) => l.price)).toEqual(bestFirst(model, side).slice(0, 3));
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('restores levels from a best-first list and refuses one out of order', () => {
    const source = new PriceLadder('sell', 2);
    [5, 1, 9, 3, 7].forEach((p) => source.levelAt(p));
    const restored = new PriceLadder('sell', 2);
    restored.restoreLevels(source.bestFirst());
    expect(restored.bestFirst().map((l) => l.price)).toEqual([1, 3, 5, 7, 9]);
    expect(restored.problems()).toEqual([]);
    expect(() => new PriceLadder('sell').restoreLevels(source.bestFirst().reverse())).toThrow(/out of order/);
  });

  it('refuses to remove a level it does not hold', () => {
    const ladder = new PriceLadder('buy');
    ladder.levelAt(10);
    const stranger = new PriceLadder('buy').levelAt(10);
    expect(() => ladder.remove(stranger)).toThrow(/not in the buy ladder/);
  });
});
