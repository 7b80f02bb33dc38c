import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { formatMoney } from '../common/money';
import { CandleInterval, MarketDataRepository } from './market-data.repository';
import { MarketFeed } from './market-feed';

export interface BookView {
  symbol: string;
  sequence: number;
  bids: [string, number][];
  asks: [string, number][];
}

/** Market data over REST: the book and the ticker from the feed's committed memory, history from the database. */
@Injectable()
export class MarketDataService {
  constructor(
    @Inject(MarketDataRepository) private readonly data: MarketDataRepository,
    @Inject(MarketFeed) private readonly feed: MarketFeed,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Market checks from memory: no read queues behind the writer. */
  private known(symbol: string): void {
    if (!this.feed.has(symbol)) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${symbol}`);
  }

  /** The book as committed (never a batch whose commit is still in flight): the same book the feed streams. */
  book(symbol: string, depth: number): BookView {
    this.known(symbol);
    return this.feed.book(symbol, depth);
  }

  /** Newest first. */
  async trades(symbol: string, limit: number) {
    this.known(symbol);
    return (await this.data.trades(symbol, limit)).map((t) => ({
      tradeId: t.id,
      symbol,
      price: formatMoney(t.price),
      quantity: t.quantity,
      durationHours: t.duration_hours,
      takerSide: t.taker_side,
      time: t.created_at.toISOString(),
    }));
  }

  /** The last `limit` intervals up to now (those with trades), newest first; `volume` is in GPU-hours. */
  async candles(symbol: string, interval: CandleInterval, limit: number) {
    this.known(symbol);
    return (await this.data.candles(symbol, interval, limit, new Date(this.clock.now()))).map((c) => ({
      time: c.start.toISOString(),
      open: formatMoney(c.open),
      high: formatMoney(c.high),
      low: formatMoney(c.low),
      close: formatMoney(c.close),
      volume: Number(c.volume),
      trades: Number(c.trades),
    }));
  }

  /** The feed's ticker: one ticker, whether read here or streamed. */
  ticker(symbol: string) {
    this.known(symbol);
    return this.feed.ticker(symbol);
  }
}
