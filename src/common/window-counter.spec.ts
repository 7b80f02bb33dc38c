import { WindowCounter } from './window-counter';

describe('WindowCounter', () => {
  it('allows the limit per window and key, then refuses until the window passes', () => {
    const counter = new WindowCounter(3, 1000);
    expect([1, 2, 3, 4].map(() => counter.hit('a', 0))).toEqual([true, true, true, false]);
    expect(counter.over('a', 999)).toBe(true);
    expect(counter.hit('b', 10)).toBe(true);
    expect(counter.over('b', 10)).toBe(false);
    expect(counter.hit('a', 999)).toBe(false);
    expect(counter.over('a', 1000)).toBe(false);
    expect(counter.hit('a', 1000)).toBe(true);
  });

  it('forgets keys idle for a window', () => {
    const counter = new WindowCounter(1, 1000);
    for (let i = 0; i < 1000; i++) counter.hit(`address-${i}`, 0);
    expect(counter.size).toBe(1000);
    counter.hit('late', 1500);
    expect(counter.size).toBe(1);
  });
});
