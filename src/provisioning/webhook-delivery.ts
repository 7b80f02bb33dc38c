import type { WebhookRequest } from '../trading/types';

export type { WebhookType } from '../trading/types';

/**
 * A request to a seller's cluster, as the dispatcher keeps it until the cluster has taken it: the committed
 * request (its id is the `webhook-id` of every attempt, its payload the bytes of every attempt), and where its
 * retries stand.
 */
export interface WebhookDelivery extends Omit<WebhookRequest, 'createdAt'> {
  attempts: number;
  /** Wall-clock time (retries are about the network, not the exchange's business time). */
  nextAttemptAt: Date;
  createdAt: Date;
}

/** A request just committed: due at once. */
export const freshDelivery = (request: WebhookRequest): WebhookDelivery => ({
  ...request,
  attempts: 0,
  nextAttemptAt: new Date(),
  createdAt: new Date(request.createdAt),
});
