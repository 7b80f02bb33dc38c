import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import Decimal from 'decimal.js';
import { Clock } from '../common/clock';
import { formatMoney, formatUnits, unitsToUsd } from '../trading/money';
import type { TradingState } from '../trading/state/trading-state';
import type { LevelChange, TradeRecord } from '../trading/types';
import { isoTime } from '../trading/time';
import type { TradingEvent } from '../trading/events';
import { TradingWriter } from '../writer/trading-writer';
import { WireLevel, bookChecksum } from './book-checksum';
import { LevelLadder } from './level-ladder';
import { MarketDataRepository } from './market-data.repository';
import { TradeWindow } from './trade-window';

const DAY_MS = 24 * 3600_000;

/** One market's feed as a follower starts from it: the book, its last trade and its 24 hours. */
export interface BookState {
  symbol: string;
  sequence: number;
  bids: WireLevel[];
  asks: WireLevel[];
  lastTradeId: string | null;
  last: string | null;
  day: [time: number, gpuHours: number, value: string][];
}

/** One market's book as the feed knows it: absolute quantities per price, as committed. */
class FeedBook {
  bids = new LevelLadder('buy');
  asks = new LevelLadder('sell');
  sequence = 0;
  lastTradeId: string | null = null;
  last: string | null = null;
  /** Trades of the last 24 hours, for the ticker's volume and VWAP. */
  day = new TradeWindow(DAY_MS);

  state(symbol: string): BookState {
    return {
      symbol,
      sequence: this.sequence,
      bids: this.bids.top(),
      asks: this.asks.top(),
      lastTradeId: this.lastTradeId,
      last: this.last,
      day: this.day.entries(),
    };
  }

  restore(state: BookState): void {
    this.bids = new LevelLadder('buy');
    this.asks = new LevelLadder('sell');
    for (const [price, quantity] of state.bids) this.bids.set(price, quantity);
    for (const [price, quantity] of state.asks) this.asks.set(price, quantity);
    this.sequence = state.sequence;
    this.lastTradeId = state.lastTradeId;
    this.last = state.last;
    this.day = new TradeWindow(DAY_MS);
    for (const [time, gpuHours, value] of state.day) this.day.add(time, gpuHours, new Decimal(value));
  }

  apply(changes: readonly LevelChange[]): void {
    for (const [side, price, quantity] of changes) {
      (side === 'buy' ? this.bids : this.asks).set(formatUnits(price), quantity);
    }
  }

  /** Takes the levels of a book the writer has just loaded. */
  reset(state: TradingState, symbol: string): void {
    const { sequence, bids, asks } = state.engine.book(symbol)?.depth() ?? {
      sequence: 0,
      bids: [],
      asks: [],
    };
    this.bids = new LevelLadder('buy');
    this.asks = new LevelLadder('sell');
    this.apply([
      ...bids.map(([p, q]) => ['buy', p, q] as const),
      ...asks.map(([p, q]) => ['sell', p, q] as const),
    ]);
    this.sequence = sequence;
  }

  trade(trade: TradeRecord): void {
    this.lastTradeId = trade.id;
    this.last = formatUnits(trade.price);
    const gpuHours = trade.quantity * trade.durationHours;
    this.day.add(trade.time, gpuHours, unitsToUsd(trade.price).times(gpuHours));
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
 * The public market data, kept from committed batches only (never a batch still being committed): each book,
 * its last trade and its 24 hours. It turns each command's level changes into one `update` with the book's
 * sequence and the checksum of the top 10 levels, and hands every message to its listeners (the WebSocket
 * gateway) once, whatever the number of subscribers: the matching path never waits on a client. The REST book
 * and ticker read it too, so reads never queue behind the writer.
 */
@Injectable()
export class MarketFeed implements OnApplicationBootstrap {
  private readonly books = new Map<string, FeedBook>();
  private readonly listeners: FeedListener[] = [];

  constructor(
    @Inject(TradingWriter) writer: TradingWriter,
    @Inject(MarketDataRepository) private readonly data: MarketDataRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    writer.onLoaded((state) => this.resync(state));
    // When the batch became durable: clients can measure how fresh an update is.
    writer.onCommitted((batch) => this.apply(batch.entries, new Date().toISOString()));
  }

  /** The last price and the 24 hours of each market, from the trades table. */
  async onApplicationBootstrap(): Promise<void> {
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

  onMessage(listener: FeedListener): void {
    this.listeners.push(listener);
  }

  has(symbol: string): boolean {
    return this.books.has(symbol);
  }

  /** The committed book, best `depth` levels a side. */
  book(symbol: string, depth: number) {
    const book = this.books.get(symbol) as FeedBook;
    return { symbol, sequence: book.sequence, bids: book.bids.top(depth), asks: book.asks.top(depth) };
  }

  /** Best bid and ask, last price, and the last 24 hours' GPU-hours and VWAP. */
  ticker(symbol: string) {
    const book = this.books.get(symbol) as FeedBook;
    const now = this.clock.now();
    const { gpuHours: volume, value } = book.day.totals(now);
    return {
      symbol,
      bestBid: book.bids.top(1)[0]?.[0] ?? null,
      bestAsk: book.asks.top(1)[0]?.[0] ?? null,
      last: book.last,
      volume24h: volume,
      vwap24h: volume === 0 ? null : formatMoney(value.dividedBy(volume).toDecimalPlaces(6)),
      time: isoTime(now),
    };
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

  /** Every book as it is now: what a follower starts from (see Replica). */
  state(): BookState[] {
    return [...this.books].map(([symbol, book]) => book.state(symbol));
  }

  /**
   * A follower starts again from the leader's books: every book is replaced, and the subscribers of one whose
   * sequence moved get the fresh snapshot.
   */
  restore(books: readonly BookState[]): void {
    for (const state of books) {
      const known = this.books.get(state.symbol);
      const book = known ?? new FeedBook();
      const before = book.sequence;
      book.restore(state);
      this.books.set(state.symbol, book);
      if (known && book.sequence !== before)
        this.emit(state.symbol, 'book', () => this.snapshot(state.symbol));
    }
  }

  /**
   * The writer loaded the state anew (at start, or after a failure): a batch whose outcome was unknown may be in
   * it. A book whose sequence moved without the feed is replaced, and its subscribers get the fresh snapshot.
   */
  private resync(state: TradingState): void {
    for (const market of state.markets.terms()) {
      const known = this.books.get(market.symbol);
      const book = known ?? new FeedBook();
      const before = book.sequence;
      book.reset(state, market.symbol);
      this.books.set(market.symbol, book);
      if (known && book.sequence !== before)
        this.emit(market.symbol, 'book', () => this.snapshot(market.symbol));
    }
  }

  /**
   * Applies committed events (the writer's, or on a follower the leader's, see Replica) and hands out the
   * messages they make, stamped with `time` (when they became durable). Answers false when a book's sequence
   * did not follow on (a follower missed part of the stream): that book is not changed, the caller resyncs.
   */
  apply(entries: readonly { readonly events: readonly TradingEvent[] }[], time: string): boolean {
    const touched = new Set<string>();
    let followsOn = true;
    for (const { events } of entries) {
      for (const e of events) {
        if (e.type === 'market.opened') {
          if (!this.books.has(e.market.symbol)) this.books.set(e.market.symbol, new FeedBook());
        } else if (e.type === 'book.changed') {
          const book = this.books.get(e.symbol);
          if (!book) continue;
          // Already held (a follower's snapshot was taken after it), or a gap: part of the stream was missed.
          if (e.sequence !== book.sequence + 1) {
            if (e.sequence > book.sequence) followsOn = false;
            continue;
          }
          book.apply(e.changes);
          book.sequence = e.sequence;
          touched.add(e.symbol);
          this.emit(e.symbol, 'book', () => ({
            channel: 'book',
            type: 'update',
            symbol: e.symbol,
            sequence: e.sequence,
            changes: e.changes.map(([side, price, qty]) => [side, formatUnits(price), qty]),
            checksum: book.checksum(),
            time,
          }));
        } else if (e.type === 'trade.executed') {
          const trade = e.trade;
          this.books.get(trade.symbol)?.trade(trade);
          touched.add(trade.symbol);
          this.emit(trade.symbol, 'trades', () => ({
            channel: 'trades',
            symbol: trade.symbol,
            tradeId: trade.id,
            price: formatUnits(trade.price),
            quantity: trade.quantity,
            durationHours: trade.durationHours,
            takerSide: trade.takerSide,
            time: isoTime(trade.time),
          }));
        }
      }
    }
    for (const symbol of touched) {
      if (this.books.has(symbol))
        this.emit(symbol, 'ticker', () => ({ channel: 'ticker', ...this.ticker(symbol) }));
    }
    return followsOn;
  }

  private emit(symbol: string, channel: 'book' | 'trades' | 'ticker', message: () => FeedMessage): void {
    for (const listener of this.listeners) listener(symbol, channel, message);
  }
}
