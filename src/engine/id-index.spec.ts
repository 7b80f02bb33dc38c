import fc from 'fast-check';
import { IdIndex } from './id-index';

describe('IdIndex', () => {
  it('behaves as a Map of ids for any sequence of sets and deletes', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    const op = fc.oneof(fc.record({ set: id, value: fc.integer() }), fc.record({ del: id }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new IdIndex<number>();
        const map = new Map<number, number>();
        for (const o of ops) {
          if ('set' in o) {
            index.set(o.set, o.value);
            map.set(o.set, o.value);
          } else {
            expect(index.delete(o.del)).toBe(map.delete(o.del));
          }
          expect(index.size).toBe(map.size);
        }
        for (const [key, value] of map) expect(index.get(key)).toBe(value);
        expect([...index.values()].sort((a, b) => a - b)).toEqual([...map.values()].sort((a, b) => a - b));
        for (const o of ops) if ('del' in o && !map.has(o.del)) expect(index.has(o.del)).toBe(false);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
  });
});
