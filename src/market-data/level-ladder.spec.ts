import fc from 'fast-check';
import { LevelLadder } from './level-ladder';

describe('LevelLadder', () => {
  it('matches a map sorted afresh, after any sequence of level updates, on both sides', () => {
    const update = fc.tuple(fc.integer({ min: 100, max: 140 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.array(update, { maxLength: 200 }),
        (side, updates) => {
          const ladder = new LevelLadder(side);
          const expected = new Map<string, number>();
          for (const [cents, quantity] of updates) {
            const price = (cents / 100).toFixed(2);
            ladder.set(price, quantity);
            if (quantity === 0) expected.delete(price);
            else expected.set(price, quantity);
          }
          const sorted = [...expected].sort((a, b) =>
            side === 'buy' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]),
          );
          expect(ladder.top()).toEqual(sorted);
          expect(ladder.top(10)).toEqual(sorted.slice(0, 10));
        },
      ),
    );
  });
});
