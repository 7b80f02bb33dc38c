import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { formatMoney } from '../common/money';
import { OrderWriter } from '../orders/order-writer';
import { unitsToPrice } from '../orders/price-units';

export interface BookView {
  symbol: string;
  sequence: number;
  bids: [string, number][];
  asks: [string, number][];
}

@Injectable()
export class MarketDataService {
  constructor(@Inject(OrderWriter) private readonly writer: OrderWriter) {}

  /**
   * The book as committed: read through the writer's queue, so it never shows a batch whose commit is still
   * in flight (and might yet fail).
   */
  book(symbol: string, depth: number): Promise<BookView> {
    return this.writer.submit([], (state) => {
      const book = state.engine.book(symbol);
      if (!book) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${symbol}`);
      const { sequence, bids, asks } = book.depth(depth);
      const levels = (side: [number, number][]): [string, number][] =>
        side.map(([price, qty]) => [formatMoney(unitsToPrice(price)), qty]);
      return { symbol, sequence, bids: levels(bids), asks: levels(asks) };
    });
  }
}
