import fc from 'fast-check';
import { findUnsafeInput } from './safe-input';

/** The oracle: text survives UTF-8 (what the driver sends) unchanged and has no NUL; numbers are finite. */
function storable(value: unknown, depth = 0): boolean {
  const text = (s: string) => !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s;
  if (typeof value === 'string') return text(value);
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= 32) return false;
  if (Array.isArray(value)) return value.every((v) => storable(v, depth + 1));
  return Object.entries(value).every(([k, v]) => text(k) && storable(v, depth + 1));
}

const anyText = fc.oneof(
  fc.string(),
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 })
    .map((codes) => String.fromCharCode(...codes)),
);
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(anyText, tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('findUnsafeInput', () => {
  it('finds a problem exactly when some text would not survive storage, or a number is not finite', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(findUnsafeInput(value) === null).toBe(storable(value));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) * 5 },
    );
  });

  it('names where the problem is', () => {
    expect(findUnsafeInput({ order: { clientOrderId: 'a\u0000' } }, 'body')).toBe(
      'body.order.clientOrderId contains a NUL character',
    );
    expect(findUnsafeInput({ access: [1, { ['\udc00']: 2 }] }, 'body')).toBe(
      'a key of body.access[1] contains a lone UTF-16 surrogate (not valid Unicode)',
    );
    expect(findUnsafeInput('ok \ud83d\ude00')).toBeNull();
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(findUnsafeInput(deep, 'frame')).toMatch(/nests deeper than 32 levels/);
  });
});
