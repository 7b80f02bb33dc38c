import type { WebhookType } from './types';

/**
 * Where the core's ids come from. Injected, and a function of what they name, so the same commands from the same
 * state give the same ids (replays, simulations, a standby) while ids stay unique to one exchange.
 */
export interface IdGenerator {
  /** The lease a trade opens (one per trade). */
  leaseId(tradeId: string): string;
  /** The `webhook-id` of a request about a lease (one provision and one deprovision per lease). */
  webhookId(leaseId: string, type: WebhookType): string;
}
