import { MigrationInterface, QueryRunner } from 'typeorm';

/** A cluster that stopped answering the exchange's webhooks is degraded (no new sell orders), with why and since when. */
export class ClusterHealth1763900011000 implements MigrationInterface {
  name = 'ClusterHealth1763900011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table clusters add column degraded_at timestamptz, add column degraded_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table clusters drop column degraded_at, drop column degraded_reason`);
  }
}
