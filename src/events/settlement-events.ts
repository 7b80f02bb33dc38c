import { randomUUID } from 'node:crypto';
import { formatMoney } from '../common/money';
import { leaseView } from '../leases/lease-view';
import type { Batch, LedgerTransaction } from '../orders/batch';

/** The three topics of PROTOCOL.md (before the configurable prefix) and what each is keyed by. */
export type EventTopic = 'exchange.trades' | 'exchange.leases' | 'exchange.settlements';

export interface OutboxEvent {
  topic: EventTopic;
  key: string;
  envelope: {
    id: string;
    type: string;
    version: 1;
    occurredAt: string;
    data: Record<string, unknown>;
  };
}

/** Ledger transaction kinds, as settlement event types. */
const FUNDS_EVENT: Record<LedgerTransaction['kind'], string> = {
  deposit: 'funds.deposited',
  hold: 'funds.held',
  release: 'funds.released',
  fill: 'funds.escrowed',
  settlement: 'settlement.paid',
  refund: 'settlement.refunded',
};

/** What the reference of a ledger transaction names, per kind. */
const REFERENCE_FIELD: Record<LedgerTransaction['kind'], string | null> = {
  deposit: null,
  hold: 'orderId',
  release: 'orderId',
  fill: 'tradeId',
  settlement: 'leaseId',
  refund: 'leaseId',
};

/** Whose money a ledger transaction is about: the account the event is keyed by. */
function accountOf(t: LedgerTransaction): { accountId: string; amount: string } {
  // A settlement pays the seller (the posting to an available book); every other kind moves one account's money.
  const main =
    t.kind === 'settlement'
      ? t.postings.find((p) => p.book === 'available')
      : t.postings.find((p) => p.book === 'available' || p.book === 'escrow');
  const posting = main ?? t.postings[0];
  return { accountId: posting.accountId, amount: formatMoney(posting.amount.abs()) };
}

/**
 * The settlement events of a batch, in the order a consumer should see them: trades, then lease transitions,
 * then every ledger movement (each carries its balanced postings, so a consumer can keep balances that equal the
 * exchange's ledger).
 */
export function settlementEvents(batch: Batch, now: Date): OutboxEvent[] {
  const events: OutboxEvent[] = [];
  const event = (
    topic: EventTopic,
    key: string,
    type: string,
    occurredAt: Date,
    data: Record<string, unknown>,
  ) =>
    events.push({
      topic,
      key,
      envelope: { id: randomUUID(), type, version: 1, occurredAt: occurredAt.toISOString(), data },
    });
  const leaseOfTrade = new Map([...batch.leasesCreated.values()].map((l) => [l.tradeId, l.id]));
  for (const t of batch.trades) {
    event('exchange.trades', t.symbol, 'trade.executed', t.time, {
      tradeId: t.id,
      symbol: t.symbol,
      price: formatMoney(t.price),
      quantity: t.quantity,
      durationHours: t.durationHours,
      buyOrderId: String(t.buyOrderId),
      sellOrderId: String(t.sellOrderId),
      buyerId: t.buyerId,
      sellerId: t.sellerId,
      leaseId: leaseOfTrade.get(t.id) ?? null,
    });
  }
  for (const lease of batch.leasesCreated.values()) {
    event('exchange.leases', lease.id, `lease.${lease.status}`, lease.createdAt, {
      leaseId: lease.id,
      lease: leaseView(lease),
    });
  }
  for (const lease of batch.leasesChanged.values()) {
    // A lease still active but with an interrupt time set has just been given its notice.
    const type =
      lease.status === 'active' && lease.interruptAt ? 'lease.interrupt_noticed' : `lease.${lease.status}`;
    event('exchange.leases', lease.id, type, lease.updatedAt, { leaseId: lease.id, lease: leaseView(lease) });
  }
  for (const t of batch.ledger) {
    if (t.postings.every((p) => p.amount.isZero())) continue; // nothing moved (the ledger skips it too)
    const { accountId, amount } = accountOf(t);
    const reference = REFERENCE_FIELD[t.kind];
    event('exchange.settlements', accountId, FUNDS_EVENT[t.kind], now, {
      accountId,
      amount,
      ...(reference ? { [reference]: t.reference } : {}),
      postings: t.postings
        .filter((p) => !p.amount.isZero())
        .map((p) => ({ accountId: p.accountId, book: p.book, amount: formatMoney(p.amount) })),
    });
  }
  return events;
}
