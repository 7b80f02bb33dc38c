import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The secret the nodes of one exchange share (they share the database, nothing else): a follower sends it with
 * the commands it forwards to the leader and when it reads the leader's committed stream. Made once, from the
 * database's strong random source (gen_random_uuid).
 */
export class NodeSecret1763900013000 implements MigrationInterface {
  name = 'NodeSecret1763900013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `alter table exchange_leader
         add column node_secret text not null default (gen_random_uuid()::text || gen_random_uuid()::text)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table exchange_leader drop column node_secret`);
  }
}
