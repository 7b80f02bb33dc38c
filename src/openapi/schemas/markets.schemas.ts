import type { SchemaObject, SchemasObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { listOf } from '../../common/api-responses';
import {
  BOOLEAN,
  COUNT,
  described,
  ID,
  INTEGER,
  MONEY,
  nullable,
  object,
  oneOf,
  PRICE,
  TEXT,
  TIME,
} from './wire-types';

const LEVEL: SchemaObject = {
  type: 'array',
  description: '[price, GPUs at that price]',
  items: { oneOf: [PRICE, COUNT] },
  minItems: 2,
  maxItems: 2,
};

/** The catalog and public market data (src/markets, src/market-data). */
export const MARKET_SCHEMAS: SchemasObject = {
  Market: object({
    symbol: TEXT,
    gpu: TEXT,
    region: TEXT,
    leaseClass: oneOf('firm', 'int'),
    tickSize: PRICE,
    lotSize: COUNT,
    minDurationHours: COUNT,
    maxDurationHours: COUNT,
    feeBps: COUNT,
    noticeMinutes: described(COUNT, 'interruptible markets: the notice a seller gives'),
    activationMinutes: described(COUNT, 'a lease is promised active this long after its trade'),
    creditBps: described(COUNT, 'the SLA credit rate'),
    requireChecks: described(BOOLEAN, 'leases activate only after passed acceptance checks'),
  }),
  Book: object({
    symbol: TEXT,
    sequence: INTEGER,
    bids: { ...listOf(LEVEL), description: 'best (highest) first' },
    asks: { ...listOf(LEVEL), description: 'best (lowest) first' },
  }),
  Trade: object({
    tradeId: ID,
    symbol: TEXT,
    price: PRICE,
    quantity: COUNT,
    durationHours: COUNT,
    takerSide: oneOf('buy', 'sell'),
    time: TIME,
  }),
  Candle: object({
    time: described(TIME, 'the start of the interval'),
    open: PRICE,
    high: PRICE,
    low: PRICE,
    close: PRICE,
    volume: described(COUNT, 'GPU-hours'),
    trades: COUNT,
  }),
  Ticker: object({
    symbol: TEXT,
    bestBid: nullable(PRICE),
    bestAsk: nullable(PRICE),
    last: nullable(PRICE),
    volume24h: described(COUNT, 'GPU-hours traded in the last 24 hours'),
    vwap24h: nullable(MONEY),
    time: TIME,
  }),
};
