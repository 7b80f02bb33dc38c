import { MigrationInterface, QueryRunner } from 'typeorm';

/** Candles and the ticker's day read a market's trades by time: an index for that, instead of every trade. */
export class TradeTimeIndex1763900009000 implements MigrationInterface {
  name = 'TradeTimeIndex1763900009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index trades_symbol_time on trades (symbol, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index trades_symbol_time`);
  }
}
