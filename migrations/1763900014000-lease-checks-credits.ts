import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Acceptance checks and SLA credits: the `verifying` lease state, each lease's checks report, its credit terms
 * (fixed from its market when it opened) and what it was credited; the markets' SLA settings; the interrupt
 * notice webhook; and each cluster's inventory as its agent last reported it.
 */
export class LeaseChecksCredits1763900014000 implements MigrationInterface {
  name = 'LeaseChecksCredits1763900014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table leases drop constraint leases_status_check`);
    await q.query(`
      alter table leases
        add constraint leases_status_check check (status in
          ('provisioning', 'verifying', 'active', 'ended', 'released', 'interrupted', 'failed')),
        add column credit_bps integer not null default 0 check (credit_bps between 0 and 10000),
        add column activate_by timestamptz,
        add column require_checks boolean not null default false,
        add column checks jsonb,
        add column credited numeric(30, 10)`);
    await q.query(`drop index leases_live`);
    await q.query(
      `create index leases_live on leases (end_at) where status in ('provisioning', 'verifying', 'active')`,
    );
    await q.query(`create index leases_cluster on leases (cluster_id, created_at)`);
    await q.query(`
      alter table markets
        add column activation_minutes integer not null default 10 check (activation_minutes > 0),
        add column credit_bps integer not null default 1000 check (credit_bps between 0 and 10000),
        add column require_checks boolean not null default false`);
    await q.query(`alter table webhook_deliveries drop constraint webhook_deliveries_type_check`);
    await q.query(`
      alter table webhook_deliveries add constraint webhook_deliveries_type_check
        check (type in ('lease.provision', 'lease.interrupt', 'lease.deprovision'))`);
    await q.query(`
      alter table clusters
        add column inventory jsonb,
        add column inventory_at timestamptz,
        add column degraded_cause text check (degraded_cause in ('unresponsive', 'failed_checks'))`);
    await q.query(`update clusters set degraded_cause = 'unresponsive' where degraded_at is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `alter table clusters drop column inventory, drop column inventory_at, drop column degraded_cause`,
    );
    await q.query(`delete from webhook_deliveries where type = 'lease.interrupt'`);
    await q.query(`alter table webhook_deliveries drop constraint webhook_deliveries_type_check`);
    await q.query(`
      alter table webhook_deliveries add constraint webhook_deliveries_type_check
        check (type in ('lease.provision', 'lease.deprovision'))`);
    await q.query(`alter table markets drop column activation_minutes, drop column credit_bps,
                   drop column require_checks`);
    await q.query(`drop index leases_cluster`);
    await q.query(`drop index leases_live`);
    await q.query(`create index leases_live on leases (end_at) where status in ('provisioning', 'active')`);
    // A lease still verifying goes back to provisioning (its checks are forgotten with the column).
    await q.query(`update leases set status = 'provisioning' where status = 'verifying'`);
    await q.query(`alter table leases drop constraint leases_status_check`);
    await q.query(`
      alter table leases
        add constraint leases_status_check
          check (status in ('provisioning', 'active', 'ended', 'released', 'interrupted', 'failed')),
        drop column credit_bps, drop column activate_by, drop column require_checks, drop column checks,
        drop column credited`);
  }
}
