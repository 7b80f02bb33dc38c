import { LimitOrderBook } from './limit-order-book';
import { orderBookContract } from './order-book.contract';

orderBookContract('LimitOrderBook', {
  create: (market) => new LimitOrderBook(market),
  restore: (snapshot) => LimitOrderBook.restore(snapshot),
});
