import { orderBookContract } from './order-book.contract';
import { ReferenceOrderBook } from './reference-order-book';

orderBookContract('ReferenceOrderBook', {
  create: (market) => new ReferenceOrderBook(market),
  restore: (snapshot) => ReferenceOrderBook.restore(snapshot),
});
