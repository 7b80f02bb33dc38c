import { formatMoney } from '../common/money';
import { LeaseRecord } from './lease-record';

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/**
 * The lease as PROTOCOL.md shows it, with its settlement once it has ended. `access` (what the cluster handed
 * over) is in it only when the viewer is the buyer; events, webhooks and the seller never see it.
 */
export function leaseView(l: LeaseRecord, viewerId: string | null = null) {
  return {
    id: l.id,
    tradeId: l.tradeId,
    symbol: l.symbol,
    buyerId: l.buyerId,
    sellerId: l.sellerId,
    clusterId: l.clusterId,
    quantity: l.quantity,
    price: formatMoney(l.price),
    durationHours: l.durationHours,
    startAt: iso(l.startAt),
    endAt: iso(l.endAt),
    status: l.status,
    provisionDeadline: iso(l.provisionDeadline),
    interruptAt: iso(l.interruptAt),
    endedAt: iso(l.endedAt),
    ...(l.failureReason === null ? {} : { failureReason: l.failureReason }),
    ...(viewerId !== null && viewerId === l.buyerId && l.access !== null ? { access: l.access } : {}),
    settlement:
      l.paid === null
        ? null
        : {
            paid: formatMoney(l.paid),
            fee: formatMoney(l.fee ?? '0'),
            refunded: formatMoney(l.refunded ?? '0'),
          },
  };
}
