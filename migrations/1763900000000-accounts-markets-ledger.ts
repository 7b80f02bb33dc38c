import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts and their API keys, the market catalog, and the double-entry ledger with its balances. */
export class AccountsMarketsLedger1763900000000 implements MigrationInterface {
  name = 'AccountsMarketsLedger1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table accounts (
        id uuid primary key,
        engine_id bigserial not null unique,
        name text not null,
        created_at timestamptz not null default now()
      )`);
    // The exchange's own account holds the system books: 'deposits' (money that came in) and 'revenue' (fees).
    await q.query(
      `insert into accounts (id, name) values ('00000000-0000-0000-0000-000000000000', 'exchange')`,
    );
    await q.query(`
      create table api_keys (
        id uuid primary key,
        account_id uuid not null references accounts (id),
        key_hash char(64) not null unique,
        key_prefix text not null,
        scopes text[] not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table markets (
        symbol text primary key,
        gpu text not null,
        region text not null,
        lease_class text not null check (lease_class in ('firm', 'int')),
        tick_size numeric(20, 6) not null check (tick_size > 0),
        lot_size integer not null check (lot_size > 0),
        min_duration_hours integer not null check (min_duration_hours > 0),
        max_duration_hours integer not null check (max_duration_hours >= min_duration_hours),
        fee_bps integer not null check (fee_bps between 0 and 10000),
        notice_minutes integer not null default 0 check (notice_minutes >= 0),
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table ledger_transactions (
        id bigserial primary key,
        kind text not null,
        reference text,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table ledger_entries (
        id bigserial primary key,
        transaction_id bigint not null references ledger_transactions (id),
        account_id uuid not null references accounts (id),
        book text not null,
        amount numeric(30, 10) not null
      )`);
    await q.query(`create index ledger_entries_account on ledger_entries (account_id, id)`);
    await q.query(`
      create table balances (
        account_id uuid not null references accounts (id),
        book text not null,
        amount numeric(30, 10) not null default 0,
        primary key (account_id, book),
        constraint balance_not_negative check (book in ('deposits') or amount >= 0)
      )`);
    await q.query(`
      insert into balances (account_id, book, amount)
      values ('00000000-0000-0000-0000-000000000000', 'deposits', 0),
             ('00000000-0000-0000-0000-000000000000', 'revenue', 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'balances',
      'ledger_entries',
      'ledger_transactions',
      'markets',
      'api_keys',
      'accounts',
    ]) {
      await q.query(`drop table ${table}`);
    }
  }
}
