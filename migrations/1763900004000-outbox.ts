import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: settlement events, written by the same statement as the changes they describe, and
 * published by the relay in `seq` order. Batches commit one after the other, so `seq` order is commit order and
 * the relay's progress is one number: `outbox_relay.published_seq`, the last event the broker (or the in-process
 * bus) took. Events are never updated, so publishing costs the database one small update per batch of events.
 */
export class Outbox1763900004000 implements MigrationInterface {
  name = 'Outbox1763900004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table outbox (
        seq bigserial primary key,
        -- Random (v4) ids, unique by construction; not indexed, which would cost an index insert per event.
        id uuid not null,
        topic text not null,
        key text not null,
        type text not null,
        -- The JSON envelope exactly as published (text: no parsing on the write path).
        envelope text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`create table outbox_relay (id int primary key check (id = 1), published_seq bigint not null)`);
    await q.query(`insert into outbox_relay (id, published_seq) values (1, 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table outbox_relay`);
    await q.query(`drop table outbox`);
  }
}
