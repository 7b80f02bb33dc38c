import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The single writer's position: the number of the last batch it committed, the next time priority, and the
 * namespace its ids are made in. Every batch statement moves `batch` from n - 1 to n, and fails as a whole
 * (SQLSTATE GX001) when it is not at n - 1: so after a lost connection the writer can tell whether its batch
 * committed, and a writer whose view of the database is stale can never commit over another's batches.
 */
export class TradingWriter1763900008000 implements MigrationInterface {
  name = 'TradingWriter1763900008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table trading_writer (
        id integer primary key check (id = 1),
        batch bigint not null,
        next_priority bigint not null,
        id_namespace uuid not null
      )`);
    await q.query(`
      insert into trading_writer (id, batch, next_priority, id_namespace)
      select 1, 0, coalesce(max(priority), 0) + 1, gen_random_uuid() from orders`);
    await q.query(`
      create function writer_at(updated bigint, batch bigint) returns boolean
      language plpgsql as $$
      begin
        if updated <> 1 then
          raise exception 'the trading writer is not at batch %: another writer has committed since', batch - 1
            using errcode = 'GX001';
        end if;
        return true;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function writer_at(bigint, bigint)`);
    await q.query(`drop table trading_writer`);
  }
}
