import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export const CANDLE_SECONDS = { '1m': 60, '5m': 300, '1h': 3600, '1d': 86400 } as const;
export type CandleInterval = keyof typeof CANDLE_SECONDS;

@Injectable()
export class MarketDataRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  trades(symbol: string, limit: number) {
    return this.db.query(
      `select id, price, quantity, duration_hours, taker_side, created_at from trades
        where symbol = $1 order by seq desc limit $2`,
      [symbol, limit],
    ) as Promise<
      {
        id: string;
        price: string;
        quantity: number;
        duration_hours: number;
        taker_side: string;
        created_at: Date;
      }[]
    >;
  }

  /**
   * OHLC per interval over the last `limit` intervals before `now` (those with trades), newest first; volume in
   * GPU-hours. Bounded: it reads only the trades of that window, through the (symbol, created_at) index.
   */
  candles(symbol: string, interval: CandleInterval, limit: number, now: Date) {
    const seconds = CANDLE_SECONDS[interval];
    return this.db.query(
      `select to_timestamp(floor(extract(epoch from created_at) / $2) * $2) as start,
              (array_agg(price order by seq))[1] as open, max(price) as high, min(price) as low,
              (array_agg(price order by seq desc))[1] as close,
              sum(quantity * duration_hours) as volume, count(*) as trades
         from trades
        where symbol = $1 and created_at <= $4
          and created_at >= to_timestamp((floor(extract(epoch from $4::timestamptz) / $2) - $3 + 1) * $2)
        group by 1 order by 1 desc limit $3`,
      [symbol, seconds, limit, now],
    ) as Promise<
      {
        start: Date;
        open: string;
        high: string;
        low: string;
        close: string;
        volume: string;
        trades: string;
      }[]
    >;
  }

  /** Every trade since `since`, oldest first, and each market's last price (to seed the live ticker). */
  async recent(since: Date) {
    const trades: { symbol: string; price: string; gpu_hours: string; created_at: Date }[] =
      await this.db.query(
        `select symbol, price, quantity * duration_hours as gpu_hours, created_at from trades
        where created_at > $1 order by created_at, seq`,
        [since],
      );
    const last: { symbol: string; price: string }[] = await this.db.query(
      `select distinct on (symbol) symbol, price from trades order by symbol, seq desc`,
    );
    return { trades, last };
  }
}
