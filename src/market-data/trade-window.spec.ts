import Decimal from 'decimal.js';
import fc from 'fast-check';
import { TradeWindow } from './trade-window';

describe('TradeWindow', () => {
  it('always equals the sum over the trades still inside the window', () => {
    const step = fc.record({
      gap: fc.integer({ min: 0, max: 400 }),
      gpuHours: fc.integer({ min: 1, max: 64 }),
      cents: fc.integer({ min: 1, max: 100_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 3000 }), (steps) => {
        const window = new TradeWindow(1000);
        const all: { time: number; gpuHours: number; value: Decimal }[] = [];
        let time = 0;
        for (const s of steps) {
          time += s.gap;
          const value = new Decimal(s.cents).dividedBy(100).times(s.gpuHours);
          window.add(time, s.gpuHours, value);
          all.push({ time, gpuHours: s.gpuHours, value });
          const inside = all.filter((t) => t.time > time - 1000);
          const totals = window.totals(time);
          expect(totals.gpuHours).toBe(inside.reduce((sum, t) => sum + t.gpuHours, 0));
          expect(totals.value.toFixed()).toBe(
            inside.reduce((sum, t) => sum.plus(t.value), new Decimal(0)).toFixed(),
          );
        }
      }),
      { numRuns: 30 },
    );
  });
});
