import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The leader lease: which node is the single writer, until when (database time), and its epoch, incremented on
 * every takeover. Every batch statement calls `leader_is(epoch)`, which locks the row (FOR SHARE) and raises
 * SQLSTATE GX002 unless the epoch is still current: a takeover (an UPDATE of the row) and a deposed leader's
 * batch cannot interleave, and the deposed leader's batch fails as a whole.
 */
export class Leader1763900012000 implements MigrationInterface {
  name = 'Leader1763900012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table exchange_leader (
        id integer primary key check (id = 1),
        node_id text,
        address text,
        epoch bigint not null,
        expires_at timestamptz not null
      )`);
    await q.query(`insert into exchange_leader (id, epoch, expires_at) values (1, 0, '-infinity')`);
    await q.query(`
      create function leader_is(expected bigint) returns boolean
      language plpgsql as $$
      begin
        perform 1 from exchange_leader where id = 1 and epoch = expected for share;
        if not found then
          raise exception 'epoch % is no longer the leader''s: another node took over', expected
            using errcode = 'GX002';
        end if;
        return true;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function leader_is(bigint)`);
    await q.query(`drop table exchange_leader`);
  }
}
