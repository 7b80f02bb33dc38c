import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sellers' clusters, orders with their time priority, trades, and each book's sequences. */
export class ClustersOrdersTrades1763900001000 implements MigrationInterface {
  name = 'ClustersOrdersTrades1763900001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table clusters (
        id uuid primary key,
        account_id uuid not null references accounts (id),
        name text not null,
        gpu text not null,
        region text not null,
        gpu_count integer not null check (gpu_count > 0),
        webhook_url text not null,
        webhook_secret text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`create index clusters_account on clusters (account_id)`);
    await q.query(`
      create table orders (
        id bigint primary key,
        account_id uuid not null references accounts (id),
        client_order_id text,
        symbol text not null references markets (symbol),
        side text not null check (side in ('buy', 'sell')),
        type text not null check (type in ('limit', 'market')),
        price numeric(20, 6),
        hold_price numeric(20, 6),
        quantity integer not null check (quantity > 0),
        filled_quantity integer not null default 0,
        notional_filled numeric(30, 10) not null default 0,
        duration_hours integer,
        available_until timestamptz,
        min_quantity integer,
        time_in_force text not null,
        expire_at timestamptz,
        post_only boolean not null default false,
        self_trade_prevention text not null,
        cluster_id uuid references clusters (id),
        status text not null check (status in ('open', 'filled', 'cancelled', 'expired', 'rejected')),
        reason text,
        priority bigint not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (account_id, client_order_id)
      )`);
    await q.query(`create index orders_open on orders (symbol, priority) where status = 'open'`);
    await q.query(`create index orders_account on orders (account_id, id desc)`);
    await q.query(`
      create table trades (
        id text primary key,
        symbol text not null references markets (symbol),
        seq bigint not null,
        price numeric(20, 6) not null,
        quantity integer not null,
        duration_hours integer not null,
        taker_side text not null,
        buy_order_id bigint not null references orders (id),
        sell_order_id bigint not null references orders (id),
        buyer_id uuid not null references accounts (id),
        seller_id uuid not null references accounts (id),
        created_at timestamptz not null,
        unique (symbol, seq)
      )`);
    await q.query(`create index trades_buyer on trades (buyer_id, created_at desc)`);
    await q.query(`create index trades_seller on trades (seller_id, created_at desc)`);
    await q.query(`alter table markets add column book_sequence bigint not null default 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table markets drop column book_sequence`);
    for (const table of ['trades', 'orders', 'clusters']) await q.query(`drop table ${table}`);
  }
}
