import { formatMoney, formatUnits } from '../money';
import { isoTimeOrNull } from '../time';
import type { LeaseSnapshot } from '../types';

/**
 * The lease as PROTOCOL.md shows it, with its settlement once it has ended. `access` (what the cluster handed
 * over) is in it only when the viewer is the buyer; events, webhooks and the seller never see it.
 */
export function leaseView(l: LeaseSnapshot, viewerId: string | null = null) {
  return {
    id: l.id,
    tradeId: l.tradeId,
    symbol: l.symbol,
    buyerId: l.buyerId,
    sellerId: l.sellerId,
    clusterId: l.clusterId,
    quantity: l.quantity,
    price: formatUnits(l.price),
    durationHours: l.durationHours,
    startAt: isoTimeOrNull(l.startAt),
    endAt: isoTimeOrNull(l.endAt),
    status: l.status,
    provisionDeadline: isoTimeOrNull(l.provisionDeadline),
    interruptAt: isoTimeOrNull(l.interruptAt),
    endedAt: isoTimeOrNull(l.endedAt),
    ...(l.failureReason === null ? {} : { failureReason: l.failureReason }),
    activateBy: isoTimeOrNull(l.activateBy),
    verified: l.checks?.passed === true,
    checks: l.checks,
    ...(viewerId !== null && viewerId === l.buyerId && l.access !== null ? { access: l.access } : {}),
    settlement:
      l.paid === null
        ? null
        : {
            paid: formatMoney(l.paid),
            fee: formatMoney(l.fee ?? '0'),
            refunded: formatMoney(l.refunded ?? '0'),
            credited: formatMoney(l.credited ?? '0'),
          },
  };
}
