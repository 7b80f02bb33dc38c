import { rejected } from './events';
import { LimitOrderBook } from './limit-order-book';
import { BookSnapshot, Command, CommandResult, EngineEvent, MarketSpec, OrderBook } from './types';
import { Rejection, validateEnvelope, validateMarketSpec } from './validation';

/** How the engine makes its books: the fast book by default, the reference book in tests. */
export interface BookFactory {
  create(market: MarketSpec): OrderBook;
  restore(snapshot: BookSnapshot): OrderBook;
}

export const fastBooks: BookFactory = {
  create: (market) => new LimitOrderBook(market),
  restore: (snapshot) => LimitOrderBook.restore(snapshot),
};

const unknownSymbol = (symbol: unknown): Rejection => ({
  code: 'UNKNOWN_SYMBOL',
  message: `unknown market ${String(symbol)}`,
});

/**
 * Routes commands to one order book per market. Market-less commands (`tick`, and `cancelAll` without a
 * symbol) visit every book in the order the markets were added. Pure and deterministic, like the books.
 */
export class MatchingEngine {
  private readonly books = new Map<string, OrderBook>();

  constructor(private readonly factory: BookFactory = fastBooks) {}

  addMarket(market: MarketSpec): Rejection | null {
    const problem = validateMarketSpec(market);
    if (problem) return problem;
    if (this.books.has(market.symbol)) return { code: 'INVALID_REQUEST', message: 'market already exists' };
    this.books.set(market.symbol, this.factory.create({ ...market }));
    return null;
  }

  /** Replaces (or adds) a market's book with one restored from a snapshot. */
  restoreMarket(snapshot: BookSnapshot): void {
    this.books.set(snapshot.market.symbol, this.factory.restore(snapshot));
  }

  book(symbol: string): OrderBook | undefined {
    return this.books.get(symbol);
  }

  get symbols(): string[] {
    return [...this.books.keys()];
  }

  /** Never throws: every invalid command yields a rejection and changes nothing. */
  process(command: Command): CommandResult {
    const envelope = validateEnvelope(command);
    if (envelope) return rejected(command, envelope);
    if (command.kind === 'tick' || (command.kind === 'cancelAll' && (command.symbol ?? null) === null)) {
      const events: EngineEvent[] = [];
      for (const book of this.books.values()) events.push(...book.process(command).events);
      return { code: 'OK', events };
    }
    const book = typeof command.symbol === 'string' ? this.books.get(command.symbol) : undefined;
    if (book === undefined) return rejected(command, unknownSymbol(command.symbol));
    return book.process(command);
  }
}
