import type { WriteStatement } from './write-statement';
import type { WebhookRequest } from '../../trading/types';

/** Requests to sellers' clusters, due at once, recorded with the lease change that calls for them. */
export function insertDeliveries(statement: WriteStatement, requests: WebhookRequest[]): void {
  if (requests.length === 0) return;
  const column = <T>(f: (r: WebhookRequest) => T): T[] => requests.map(f);
  statement.add(
    `insert into webhook_deliveries (id, lease_id, cluster_id, type, payload, status, next_attempt_at, created_at,
                                     updated_at)
     select v.id, v.lease_id, v.cluster_id, v.type, v.payload, 'pending', now(), v.created_at, now()
       from unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
         as v (id, lease_id, cluster_id, type, payload, created_at)`,
    [
      column((r) => r.id),
      column((r) => r.leaseId),
      column((r) => r.clusterId),
      column((r) => r.type),
      column((r) => r.payload),
      column((r) => new Date(r.createdAt)),
    ],
  );
}
