import { randomUUID } from 'node:crypto';
import type { LeaseRecord } from '../leases/lease-record';
import { leaseView } from '../leases/lease-view';

export type WebhookType = 'lease.provision' | 'lease.deprovision';

/**
 * One request to a seller's cluster, as the exchange keeps it until the cluster has taken it. Its id is the
 * `webhook-id` of every attempt, and its payload is fixed when it is created, so each retry sends the same bytes
 * and the cluster can dedupe.
 */
export interface WebhookDelivery {
  id: string;
  leaseId: string;
  clusterId: string;
  type: WebhookType;
  payload: string;
  attempts: number;
  /** Wall-clock time (retries are about the network, not the exchange's business time). */
  nextAttemptAt: Date;
  createdAt: Date;
}

/**
 * The request PROTOCOL.md describes: `{type, lease, buyer: {accountId, sshPublicKey?}}`; the lease never carries
 * access details.
 */
export function webhookDelivery(
  type: WebhookType,
  lease: LeaseRecord,
  sshPublicKey: string | null,
  now: Date,
): WebhookDelivery {
  return {
    id: `msg_${randomUUID().replace(/-/g, '')}`,
    leaseId: lease.id,
    clusterId: lease.clusterId,
    type,
    payload: JSON.stringify({
      type,
      lease: leaseView(lease),
      buyer: { accountId: lease.buyerId, ...(sshPublicKey ? { sshPublicKey } : {}) },
    }),
    attempts: 0,
    nextAttemptAt: new Date(),
    createdAt: now,
  };
}
