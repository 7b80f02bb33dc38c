import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: settlement events, written by the same statement as the changes they describe, and
 * published by the relay in `seq` order (`published_at` set once the broker or the in-process bus took them).
 */
export class Outbox1763900004000 implements MigrationInterface {
  name = 'Outbox1763900004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table outbox (
        seq bigserial primary key,
        id uuid not null unique,
        topic text not null,
        key text not null,
        type text not null,
        envelope json not null,
        created_at timestamptz not null default now(),
        published_at timestamptz
      )`);
    await q.query(`create index outbox_unpublished on outbox (seq) where published_at is null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table outbox`);
  }
}
