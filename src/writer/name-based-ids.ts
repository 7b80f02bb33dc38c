import { v5 as uuidV5 } from 'uuid';
import type { IdGenerator } from '../trading/ids';
import type { WebhookType } from '../trading/types';

/**
 * Ids as a function of what they name (UUID version 5), in a namespace of this exchange's own (kept in its
 * database): a trade's lease has the same id in every replay, and no two exchanges (staging and production, say)
 * give a cluster the same lease id.
 */
export class NameBasedIds implements IdGenerator {
  constructor(private readonly namespace: string) {}

  leaseId(tradeId: string): string {
    return uuidV5(`lease:${tradeId}`, this.namespace);
  }

  webhookId(leaseId: string, type: WebhookType): string {
    return `msg_${uuidV5(`${type}:${leaseId}`, this.namespace).replace(/-/g, '')}`;
  }
}
