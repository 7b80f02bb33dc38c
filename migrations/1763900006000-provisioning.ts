import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provisioning hook: what a lease's cluster handed the buyer, its deadline, and the webhook deliveries to the
 * sellers' clusters. A delivery row is written in the same statement as the lease change that calls for it (like
 * the outbox), so a committed lease always has its request to the cluster on record, and a restart resumes it.
 */
export class Provisioning1763900006000 implements MigrationInterface {
  name = 'Provisioning1763900006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table leases
        add column access jsonb,
        add column provision_deadline timestamptz,
        add column failure_reason text`);
    await q.query(`
      create table webhook_deliveries (
        id text primary key,
        lease_id uuid not null references leases (id),
        cluster_id uuid not null references clusters (id),
        type text not null check (type in ('lease.provision', 'lease.deprovision')),
        payload text not null,
        status text not null check (status in ('pending', 'delivered', 'abandoned')),
        attempts integer not null default 0,
        next_attempt_at timestamptz not null,
        last_error text,
        response_status integer,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    await q.query(
      `create index webhook_deliveries_pending on webhook_deliveries (next_attempt_at) where status = 'pending'`,
    );
    await q.query(`create index webhook_deliveries_lease on webhook_deliveries (lease_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table webhook_deliveries`);
    await q.query(
      `alter table leases drop column access, drop column provision_deadline, drop column failure_reason`,
    );
  }
}
