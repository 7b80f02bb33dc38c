import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { formatMoney } from '../common/money';
import { OrderWriter } from '../orders/order-writer';
import { unitsToPrice } from '../orders/price-units';
import { CandleInterval, MarketDataRepository } from './market-data.repository';
import { MarketFeed } from './market-feed';

export interface BookView {
  symbol: string;
  sequence: number;
  bids: [string, number][];
  asks: [string, number][];
}

const money = (v: string | null): string | null => (v === null ? null : formatMoney(v));

@Injectable()
export class MarketDataService {
  constructor(
    @Inject(OrderWriter) private readonly writer: OrderWriter,
    @Inject(MarketDataRepository) private readonly data: MarketDataRepository,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(MarketFeed) private readonly feed: MarketFeed,
  ) {}

  /** Market checks from memory: these reads need not queue behind the writer. */
  private known(symbol: string): void {
    if (!this.feed.has(symbol)) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${symbol}`);
  }

  /**
   * The book as committed: read through the writer's queue, so it never shows a batch whose commit is still
   * in flight (and might yet fail).
   */
  book(symbol: string, depth: number): Promise<BookView> {
    return this.writer.submit((state) => {
      const book = state.engine.book(symbol);
      if (!book) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${symbol}`);
      const { sequence, bids, asks } = book.depth(depth);
      const levels = (side: [number, number][]): [string, number][] =>
        side.map(([price, qty]) => [formatMoney(unitsToPrice(price)), qty]);
      return { symbol, sequence, bids: levels(bids), asks: levels(asks) };
    });
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

  /** Newest first; `volume` is in GPU-hours. */
  async candles(symbol: string, interval: CandleInterval, limit: number) {
    this.known(symbol);
    return (await this.data.candles(symbol, interval, limit)).map((c) => ({
      time: c.start.toISOString(),
      open: formatMoney(c.open),
      high: formatMoney(c.high),
      low: formatMoney(c.low),
      close: formatMoney(c.close),
      volume: Number(c.volume),
      trades: Number(c.trades),
    }));
  }

  async ticker(symbol: string) {
    this.known(symbol);
    const top = this.feed.ticker(symbol) as { bestBid: string | null; bestAsk: string | null };
    const now = new Date(this.clock.now());
    const day = await this.data.dayStats(symbol, now);
    return {
      symbol,
      bestBid: top.bestBid,
      bestAsk: top.bestAsk,
      last: money(day.last),
      volume24h: Number(day.volume),
      vwap24h: day.vwap === null ? null : formatMoney(new Decimal(day.vwap).toDecimalPlaces(6)),
      time: now.toISOString(),
    };
  }
}
