import { MigrationInterface, QueryRunner } from 'typeorm';

/** A lease per trade: the GPUs a buyer holds on a seller's cluster, from start to end, and how it settled. */
export class Leases1763900002000 implements MigrationInterface {
  name = 'Leases1763900002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table leases (
        id uuid primary key,
        trade_id text not null unique references trades (id),
        symbol text not null references markets (symbol),
        buyer_id uuid not null references accounts (id),
        seller_id uuid not null references accounts (id),
        cluster_id uuid not null references clusters (id),
        quantity integer not null check (quantity > 0),
        price numeric(20, 6) not null,
        duration_hours integer not null,
        fee_bps integer not null,
        status text not null
          check (status in ('provisioning', 'active', 'ended', 'released', 'interrupted', 'failed')),
        start_at timestamptz,
        end_at timestamptz,
        interrupt_at timestamptz,
        ended_at timestamptz,
        paid numeric(30, 10),
        fee numeric(30, 10),
        refunded numeric(30, 10),
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    await q.query(`create index leases_live on leases (end_at) where status in ('provisioning', 'active')`);
    await q.query(`create index leases_buyer on leases (buyer_id, created_at desc)`);
    await q.query(`create index leases_seller on leases (seller_id, created_at desc)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table leases`);
  }
}
