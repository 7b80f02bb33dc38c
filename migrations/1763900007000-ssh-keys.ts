import { MigrationInterface, QueryRunner } from 'typeorm';

/** A buyer's SSH public key, sent to the seller's cluster with each lease it provisions for that buyer. */
export class SshKeys1763900007000 implements MigrationInterface {
  name = 'SshKeys1763900007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table accounts add column ssh_public_key text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table accounts drop column ssh_public_key`);
  }
}
