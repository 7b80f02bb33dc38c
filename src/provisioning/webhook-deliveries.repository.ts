import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WebhookDelivery, WebhookType } from './webhook-delivery';

interface DeliveryRow {
  id: string;
  lease_id: string;
  cluster_id: string;
  type: WebhookType;
  payload: string;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
}

const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  leaseId: r.lease_id,
  clusterId: r.cluster_id,
  type: r.type,
  payload: r.payload,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
});

export type DeliveryStatus = 'pending' | 'delivered' | 'abandoned';

/** How a delivery's last attempt went. */
export interface AttemptRecord {
  attempts: number;
  responseStatus: number | null;
  error: string | null;
}

/** A delivery with where it stands: its status and its last attempt. */
export type DeliveryRecord = WebhookDelivery & AttemptRecord & { status: DeliveryStatus };

/** A delivery as the seller sees it (`GET /v1/leases/:id/deliveries`, `GET /v1/clusters/:id/deliveries`). */
export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    leaseId: d.leaseId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    responseStatus: d.responseStatus,
    lastError: d.error,
    createdAt: d.createdAt.toISOString(),
  };
}

@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The cluster of a lease and whether it is still provisioning (a retry about a lease that is not is dropped). */
  async leaseOf(leaseId: string): Promise<{ clusterId: string; status: string } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(leaseId)) return null;
    const rows: { cluster_id: string; status: string }[] = await this.db.query(
      `select cluster_id, status from leases where id = $1`,
      [leaseId],
    );
    return rows.length ? { clusterId: rows[0].cluster_id, status: rows[0].status } : null;
  }

  /** Every delivery not yet taken by its cluster, the most overdue first (what a restart resumes). */
  async pending(): Promise<WebhookDelivery[]> {
    const rows: DeliveryRow[] = await this.db.query(
      `select * from webhook_deliveries where status = 'pending' order by next_attempt_at, id`,
    );
    return rows.map(toDelivery);
  }

  /** The attempt failed; the next one is due at `nextAttemptAt`. */
  async retryLater(id: string, attempt: AttemptRecord, nextAttemptAt: Date): Promise<void> {
    await this.db.query(
      `update webhook_deliveries set attempts = $2, response_status = $3, last_error = $4, next_attempt_at = $5,
              updated_at = now()
        where id = $1`,
      [id, attempt.attempts, attempt.responseStatus, attempt.error, nextAttemptAt],
    );
  }

  /** No more attempts: the cluster took each (`delivered`), or it no longer matters (`abandoned`). */
  async close(closed: ({ id: string; status: 'delivered' | 'abandoned' } & AttemptRecord)[]): Promise<void> {
    if (closed.length === 0) return;
    await this.db.query(
      `update webhook_deliveries d set status = v.status, attempts = v.attempts, response_status = v.response_status,
              last_error = v.error, updated_at = now()
         from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[])
           as v (id, status, attempts, response_status, error)
        where d.id = v.id`,
      [
        closed.map((c) => c.id),
        closed.map((c) => c.status),
        closed.map((c) => c.attempts),
        closed.map((c) => c.responseStatus),
        closed.map((c) => c.error),
      ],
    );
  }

  /** A lease's deliveries, oldest first (what the seller's cluster was asked, and how it answered). */
  forLease(leaseId: string): Promise<DeliveryRecord[]> {
    return this.records(`select * from webhook_deliveries where lease_id = $1 order by created_at, id`, [
      leaseId,
    ]);
  }

  /** A cluster's deliveries, newest first, optionally only those in one status (`pending`: what is stuck). */
  forCluster(clusterId: string, status: DeliveryStatus | null, limit: number): Promise<DeliveryRecord[]> {
    return this.records(
      `select * from webhook_deliveries where cluster_id = $1 and ($2::text is null or status = $2)
        order by created_at desc, id limit $3`,
      [clusterId, status, limit],
    );
  }

  /** What waits on each cluster, by type, with the oldest request's time: where capacity is stuck. */
  async backlog(): Promise<{ clusterId: string; type: WebhookType; pending: number; oldest: Date }[]> {
    const rows: { cluster_id: string; type: WebhookType; pending: string; oldest: Date }[] =
      await this.db.query(
        `select cluster_id, type, count(*) as pending, min(created_at) as oldest from webhook_deliveries
        where status = 'pending' group by cluster_id, type order by oldest`,
      );
    return rows.map((r) => ({
      clusterId: r.cluster_id,
      type: r.type,
      pending: Number(r.pending),
      oldest: r.oldest,
    }));
  }

  private async records(sql: string, params: unknown[]): Promise<DeliveryRecord[]> {
    const rows: (DeliveryRow & {
      status: DeliveryStatus;
      response_status: number | null;
      last_error: string | null;
    })[] = await this.db.query(sql, params);
    return rows.map((r) => ({
      ...toDelivery(r),
      status: r.status,
      responseStatus: r.response_status,
      error: r.last_error,
    }));
  }
}
