import fc from 'fast-check';
import { bookChecksum } from '../../../../src/market-data/book-checksum';
import { WireLevel } from './checksum-text';
import { LocalBook, Side } from './local-book';

const price = fc.integer({ min: 1, max: 5000 }).map((cents) => String(cents / 100));
const change = fc.tuple(fc.constantFrom<Side>('buy', 'sell'), price, fc.integer({ min: 0, max: 64 }));

/** The client's book and checksum (crc-32, which also runs in the browser) agree with the exchange's (node:zlib). */
describe('LocalBook', () => {
  it('computes the checksum the exchange sends, for any book', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        const book = new LocalBook();
        book.snapshot(0, [], [], 0);
        changes.forEach(([side, p, quantity], i) => {
          // What the exchange would send after this change: the checksum of its own book.
          const after = apply(book.levels('buy'), book.levels('sell'), side, p, quantity);
          expect(book.update(i + 1, [[side, p, quantity]], bookChecksum(after.bids, after.asks))).toBe('ok');
        });
        expect(book.checksum()).toBe(bookChecksum(book.levels('buy'), book.levels('sell')));
      }),
    );
  });

  it('reports a gap when an update does not follow on, and a bad checksum', () => {
    const book = new LocalBook();
    expect(book.snapshot(5, [['2', 8]], [['2.5', 16]], bookChecksum([['2', 8]], [['2.5', 16]]))).toBe('ok');
    expect(book.update(7, [['buy', '2', 0]], 0)).toBe('gap');
    expect(book.heartbeat(6)).toBe('gap');
    expect(book.heartbeat(5)).toBe('ok');
    expect(book.update(6, [['buy', '2.1', 8]], 12345)).toBe('checksum');
  });
});

/** The exchange's book after one change, best levels first. */
function apply(bids: WireLevel[], asks: WireLevel[], side: Side, p: string, quantity: number) {
  const levels = new Map(side === 'buy' ? bids : asks);
  if (quantity === 0) levels.delete(p);
  else levels.set(p, quantity);
  const sorted = [...levels.entries()].sort((a, b) =>
    side === 'buy' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]),
  );
  return side === 'buy' ? { bids: sorted, asks } : { bids, asks: sorted };
}
