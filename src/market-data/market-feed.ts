import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import Decimal from 'decimal.js';
import { Clock } from '../common/clock';
import { formatMoney } from '../common/money';
import { Batch, BookUpdate } from '../orders/batch';
import { OrderWriter } from '../orders/order-writer';
import { unitsToPrice } from '../orders/price-units';
import { bookChecksum } from './book-checksum';
import { LevelLadder } from './level-ladder';
import { TradeWindow } from './trade-window';
import { MarketsService } from '../markets/markets.service';
import { MarketDataRepository } from './market-data.repository';

const DAY_MS = 24 * 3600_000;

/** One market's book as the feed knows it: absolute quantities per price, as committed. */
class FeedBook {
  readonly bids = new LevelLadder('buy');
  readonly asks = new LevelLadder('sell');
  sequence = 0;
  lastTradeId: string | null = null;
  last: string | null = null;
  /** Trades of the last 24 hours, for the ticker's volume and VWAP. */
  readonly day = new TradeWindow(DAY_MS);

  apply(changes: BookUpdate['changes']): void {
    for (const [side, price, quantity] of changes) {
      (side === 'buy' ? this.bids : this.asks).set(formatMoney(price), quantity);
    }
  }

  checksum(): number {
    return bookChecksum(this.bids.top(10), this.asks.top(10));
  }
}

export type FeedMessage = Record<string, unknown>;
/**
 * Gets every public message of a symbol's channel; `message()` builds it (only worth doing when someone
 * listens), and must be called before the listener returns: it describes the book as it is at that moment.
 */
export type FeedListener = (
  symbol: string,
  channel: 'book' | 'trades' | 'ticker',
  message: () => FeedMessage,
) => void;

/**
 * The public market-data feed. It keeps each book from the committed batches only (never a batch still being
 * committed), turns each command's level changes into one `update` with the next sequence and the checksum of
 * the top 10 levels, and hands every message to its listeners (the WebSocket gateway) once, whatever the number
 * of subscribers: the matching path never waits on a client.
 */
@Injectable()
export class MarketFeed implements OnApplicationBootstrap {
  private readonly books = new Map<string, FeedBook>();
  private readonly listeners: FeedListener[] = [];

  constructor(
    @Inject(OrderWriter) private readonly writer: OrderWriter,
    @Inject(MarketDataRepository) private readonly data: MarketDataRepository,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(MarketsService) private readonly markets: MarketsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.writer.onCommitted((batch) => this.publish(batch));
    this.markets.onCreated(async (market) => {
      if (!this.books.has(market.symbol)) this.books.set(market.symbol, new FeedBook());
    });
    // Read through the writer's queue: the books as of the last commit, and every later batch arrives after.
    await this.writer.submit((state) => {
      for (const symbol of state.markets.keys()) {
        const engineBook = state.engine.book(symbol);
        if (!engineBook) continue;
        const book = new FeedBook();
        const { sequence, bids, asks } = engineBook.depth();
        book.sequence = sequence;
        for (const [price, qty] of bids) book.bids.set(formatMoney(unitsToPrice(price)), qty);
        for (const [price, qty] of asks) book.asks.set(formatMoney(unitsToPrice(price)), qty);
        this.books.set(symbol, book);
      }
    });
    const recent = await this.data.recent(new Date(this.clock.now() - DAY_MS));
    for (const { symbol, price } of recent.last) {
      const book = this.books.get(symbol);
      if (book) book.last = formatMoney(price);
    }
    for (const t of recent.trades) {
      this.books
        .get(t.symbol)
        ?.day.add(t.created_at.getTime(), Number(t.gpu_hours), new Decimal(t.price).times(t.gpu_hours));
    }
  }

  /** Best bid and ask, last price, and the last 24 hours' GPU-hours and VWAP, from memory. */
  ticker(symbol: string): FeedMessage {
    const book = this.books.get(symbol) as FeedBook;
    const now = this.clock.now();
    const { gpuHours: volume, value } = book.day.totals(now);
    return {
      channel: 'ticker',
      symbol,
      bestBid: book.bids.top(1)[0]?.[0] ?? null,
      bestAsk: book.asks.top(1)[0]?.[0] ?? null,
      last: book.last,
      volume24h: volume,
      vwap24h: volume === 0 ? null : formatMoney(value.dividedBy(volume).toDecimalPlaces(6)),
      time: new Date(now).toISOString(),
    };
  }

  onMessage(listener: FeedListener): void {
    this.listeners.push(listener);
  }

  has(symbol: string): boolean {
    return this.books.has(symbol);
  }

  snapshot(symbol: string): FeedMessage {
    const book = this.books.get(symbol) as FeedBook;
    return {
      channel: 'book',
      type: 'snapshot',
      symbol,
      sequence: book.sequence,
      bids: book.bids.top(),
      asks: book.asks.top(),
      checksum: book.checksum(),
    };
  }

  heartbeat(symbol: string, time: Date): FeedMessage {
    const book = this.books.get(symbol) as FeedBook;
    return {
      channel: 'heartbeat',
      symbol,
      sequence: book.sequence,
      lastTradeId: book.lastTradeId,
      time: time.toISOString(),
    };
  }

  private publish(batch: Batch): void {
    // When the batch became durable: clients can measure how fresh an update is.
    const time = new Date().toISOString();
    for (const update of batch.bookUpdates) {
      const book = this.books.get(update.symbol);
      if (!book) continue;
      book.apply(update.changes);
      book.sequence = update.sequence;
      this.emit(update.symbol, 'book', () => ({
        channel: 'book',
        type: 'update',
        symbol: update.symbol,
        sequence: update.sequence,
        changes: update.changes.map(([side, price, qty]) => [side, formatMoney(price), qty]),
        checksum: book.checksum(),
        time,
      }));
    }
    const touched = new Set(batch.bookUpdates.map((u) => u.symbol));
    for (const trade of batch.trades) {
      const book = this.books.get(trade.symbol);
      touched.add(trade.symbol);
      if (book) {
        book.lastTradeId = trade.id;
        book.last = formatMoney(trade.price);
        const gpuHours = trade.quantity * trade.durationHours;
        book.day.add(trade.time.getTime(), gpuHours, trade.price.times(gpuHours));
      }
      this.emit(trade.symbol, 'trades', () => ({
        channel: 'trades',
        symbol: trade.symbol,
        tradeId: trade.id,
        price: formatMoney(trade.price),
        quantity: trade.quantity,
        durationHours: trade.durationHours,
        takerSide: trade.takerSide,
        time: trade.time.toISOString(),
      }));
    }
    for (const symbol of touched) {
      if (this.books.has(symbol)) this.emit(symbol, 'ticker', () => this.ticker(symbol));
    }
  }

  private emit(symbol: string, channel: 'book' | 'trades' | 'ticker', message: () => FeedMessage): void {
    for (const listener of this.listeners) listener(symbol, channel, message);
  }
}
