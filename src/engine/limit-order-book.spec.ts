import { LimitOrderBook } from './limit-order-book';
import { orderBookContract } from './order-book.contract';
import { MARKET, buy } from './testing/commands';

orderBookContract('LimitOrderBook', {
  create: (market) => new LimitOrderBook(market),
  restore: (snapshot) => LimitOrderBook.restore(snapshot),
});

describe('LimitOrderBook.restore', () => {
  const book = new LimitOrderBook(MARKET);
  book.process(buy(1, 100, 8));
  book.process(buy(2, 90, 8));
  const snapshot = book.snapshot();

  it('refuses a snapshot that repeats an order id', () => {
    const orders = [snapshot.orders[0], { ...snapshot.orders[1], id: 1 }];
    expect(() => LimitOrderBook.restore({ ...snapshot, orders })).toThrow(/repeats an order id/);
  });

  it('refuses a snapshot whose levels are not best first', () => {
    const orders = [snapshot.orders[1], snapshot.orders[0]];
    expect(() => LimitOrderBook.restore({ ...snapshot, orders })).toThrow(/out of order/);
  });
});
