import Decimal from 'decimal.js';
import type { MarketSpec } from '../../engine/types';
import { UNITS_PER_USD } from '../money';
import type { MarketTerms } from '../types';

/** The engine's view of a market: only what matching needs, prices in units. */
export function engineSpec(market: MarketTerms): MarketSpec {
  return {
    symbol: market.symbol,
    tickSize: new Decimal(market.tickSize).times(UNITS_PER_USD).toNumber(),
    lotSize: market.lotSize,
    minDurationHours: market.minDurationHours,
    maxDurationHours: market.maxDurationHours,
  };
}

/** The markets the core trades, with their engine specs. */
export class Markets {
  private readonly bySymbol = new Map<string, { terms: MarketTerms; spec: MarketSpec }>();

  constructor(markets: Iterable<MarketTerms>) {
    for (const market of markets) this.add(market);
  }

  get(symbol: string): MarketTerms | undefined {
    return this.bySymbol.get(symbol)?.terms;
  }

  spec(symbol: string): MarketSpec | undefined {
    return this.bySymbol.get(symbol)?.spec;
  }

  has(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  add(market: MarketTerms): MarketSpec {
    const spec = engineSpec(market);
    this.bySymbol.set(market.symbol, { terms: market, spec });
    return spec;
  }

  terms(): MarketTerms[] {
    return [...this.bySymbol.values()].map((m) => m.terms);
  }
}
