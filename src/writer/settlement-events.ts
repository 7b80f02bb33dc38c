import { randomUUID } from 'node:crypto';
import { formatMoney, formatUnits } from '../trading/money';
import type { TradingEvent } from '../trading/events';
import type { CreditTerms, LedgerKind, LedgerTransaction } from '../trading/types';
import { leaseView } from '../trading/views/lease-view';
import { isoTime } from '../trading/time';

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

/** An event as the outbox holds it: its number in the outbox, and whether the relay has published it. */
export interface OutboxRow extends OutboxEvent {
  seq: number;
  published: boolean;
}

/** Ledger transaction kinds, as settlement event types. */
const FUNDS_EVENT: Record<LedgerKind, string> = {
  deposit: 'funds.deposited',
  hold: 'funds.held',
  release: 'funds.released',
  fill: 'funds.escrowed',
  settlement: 'settlement.paid',
  refund: 'settlement.refunded',
  credit: 'settlement.credited',
};

/** Whose money a ledger transaction is about: the account the event is keyed by, and how much moved. */
function accountOf(t: LedgerTransaction): { accountId: string; amount: string } {
  // A settlement pays the seller (the posting to an available book), a credit pays the buyer (likewise); every
  // other kind moves one account's money.
  const main =
    t.kind === 'settlement' || t.kind === 'credit'
      ? t.postings.find((p) => p.book === 'available' && p.amount.gt(0))
      : t.postings.find((p) => p.book === 'available' || p.book === 'escrow');
  const posting = main ?? t.postings[0];
  return { accountId: posting.accountId, amount: formatMoney(posting.amount.abs()) };
}

/** An SLA credit's reason and the formula's inputs, as decimal strings. */
function creditView(c: CreditTerms) {
  return {
    reason: c.reason,
    undeliveredGpuHours: c.undeliveredGpuHours.toFixed(),
    price: formatMoney(c.price),
    creditBps: c.creditBps,
    penalty: formatMoney(c.penalty),
    cap: formatMoney(c.cap),
  };
}

/** The ids a funds or settlement event names: the order, the trade and the lease it belongs to. */
function refsOf(t: LedgerTransaction): Record<string, string> {
  return {
    ...(t.orderId === null ? {} : { orderId: String(t.orderId) }),
    ...(t.tradeId === null ? {} : { tradeId: t.tradeId }),
    ...(t.leaseId === null ? {} : { leaseId: t.leaseId }),
  };
}

/**
 * The settlement events of committed commands, numbered from `firstSeq` as the outbox will hold them, one per
 * recorded event and in the order they happened: each
 * trade, each lease transition (a notice and the end it leads to are two events, even in one batch), and each
 * ledger movement with its balanced postings (so a consumer can keep balances equal to the exchange's ledger).
 */
export function settlementEvents(
  entries: readonly { now: number; events: readonly TradingEvent[] }[],
  firstSeq: number,
): OutboxRow[] {
  const out: OutboxRow[] = [];
  const add = (topic: EventTopic, key: string, type: string, at: number, data: Record<string, unknown>) =>
    out.push({
      seq: firstSeq + out.length,
      published: false,
      topic,
      key,
      envelope: { id: randomUUID(), type, version: 1, occurredAt: isoTime(at), data },
    });
  for (const { now, events } of entries) {
    for (const e of events) {
      if (e.type === 'trade.executed') {
        const t = e.trade;
        add('exchange.trades', t.symbol, 'trade.executed', t.time, {
          tradeId: t.id,
          symbol: t.symbol,
          price: formatUnits(t.price),
          quantity: t.quantity,
          durationHours: t.durationHours,
          buyOrderId: String(t.buyOrderId),
          sellOrderId: String(t.sellOrderId),
          buyerId: t.buyerId,
          sellerId: t.sellerId,
          leaseId: t.leaseId,
        });
      } else if (e.type === 'lease.changed') {
        const type = e.transition === 'interrupt_noticed' ? 'lease.interrupt_noticed' : `lease.${e.to}`;
        add('exchange.leases', e.lease.id, type, e.lease.updatedAt, {
          leaseId: e.lease.id,
          from: e.from,
          lease: leaseView(e.lease),
        });
      } else if (e.type === 'ledger.posted') {
        const t = e.transaction;
        const { accountId, amount } = accountOf(t);
        add('exchange.settlements', accountId, FUNDS_EVENT[t.kind], now, {
          accountId,
          amount,
          ...refsOf(t),
          ...(t.credit ? { credit: creditView(t.credit) } : {}),
          postings: t.postings.map((p) => ({
            accountId: p.accountId,
            book: p.book,
            amount: formatMoney(p.amount),
          })),
        });
      }
    }
  }
  return out;
}
