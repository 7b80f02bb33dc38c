import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: each committed batch's settlement events, as one row written by the same statement as
 * the changes they describe (one row per batch, not per event, keeps the write path cheap). Events are numbered
 * without gaps (`first_seq`..`last_seq`); batches commit one after the other, so that order is commit order, and
 * the relay's progress is one number: `outbox_relay.published_seq`, the last event the broker (or the in-process
 * bus) took.
 */
export class Outbox1763900004000 implements MigrationInterface {
  name = 'Outbox1763900004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table outbox (
        first_seq bigint primary key,
        last_seq bigint not null check (last_seq >= first_seq),
        -- A JSON array of {"topic","key","envelope"}, in seq order.
        events text not null,
        created_at timestamptz not null default now()
      )`);
    // Out of line, without compression: compressing each batch's events cost the write path more than it saved.
    await q.query(`alter table outbox alter column events set storage external`);
    await q.query(
      `create table outbox_relay (id int primary key check (id = 1), published_seq bigint not null)`,
    );
    await q.query(`insert into outbox_relay (id, published_seq) values (1, 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table outbox_relay`);
    await q.query(`drop table outbox`);
  }
}
