import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper order writes. The clientOrderId uniqueness only indexes orders that have one (most have none). Open
 * orders are no longer indexed by status: an index on a column that every fill or cancel changes turns each of
 * those updates into a new entry in every index of the table; without it (and with room left on each page) they
 * can be heap-only updates. The writer reads open orders once, at start, with a scan.
 */
export class OrderIndexes1763900005000 implements MigrationInterface {
  name = 'OrderIndexes1763900005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table orders drop constraint orders_account_id_client_order_id_key`);
    await q.query(
      `create unique index orders_client_order_id on orders (account_id, client_order_id) where client_order_id is not null`,
    );
    await q.query(`drop index orders_open`);
    await q.query(`alter table orders set (fillfactor = 80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table orders reset (fillfactor)`);
    await q.query(`create index orders_open on orders (symbol, priority) where status = 'open'`);
    await q.query(`drop index orders_client_order_id`);
    await q.query(
      `alter table orders add constraint orders_account_id_client_order_id_key unique (account_id, client_order_id)`,
    );
  }
}
