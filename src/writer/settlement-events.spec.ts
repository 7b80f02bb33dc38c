import Decimal from 'decimal.js';
import { BUYER, CLUSTER, NOW, SELLER, emptyCore, limit } from '../trading/testing/fixtures';
import { settlementEvents } from './settlement-events';

describe('settlementEvents', () => {
  it('describes each command as it happened: the trade with the lease it opened, the lease, every ledger movement with its postings and ids', () => {
    const core = emptyCore({ available: [[BUYER.accountId, '10000']] });
    const entries = [
      { kind: 'place', trader: SELLER, order: limit('sell', '2.00', 16), cluster: CLUSTER },
      { kind: 'place', trader: BUYER, order: limit('buy', '2.10', 8), cluster: null },
      { kind: 'place', trader: BUYER, order: limit('buy', '1.50', 8), cluster: null },
    ].map((command, i) => {
      const now = NOW + i;
      return { now, ...core.execute(command as Parameters<typeof core.execute>[0], now) };
    });
    const events = settlementEvents(entries, 1);
    const lease = [...core.state.leases.sorted()][0];
    expect(events.map((e) => [e.topic, e.envelope.type])).toEqual([
      ['exchange.settlements', 'funds.held'],
      ['exchange.trades', 'trade.executed'],
      ['exchange.leases', 'lease.provisioning'],
      ['exchange.settlements', 'funds.escrowed'],
      ['exchange.settlements', 'funds.held'],
    ]);
    expect(events[1]).toMatchObject({
      key: 'H100-SXM.us-east.firm',
      envelope: { version: 1, data: { price: '2', quantity: 8, durationHours: 2, leaseId: lease.id } },
    });
    expect(events[2].key).toBe(lease.id);
    for (const e of [events[0], events[3], events[4]]) {
      expect(e.key).toBe(BUYER.accountId);
      const postings = e.envelope.data.postings as { amount: string }[];
      expect(postings.reduce((sum, p) => sum.plus(p.amount), new Decimal(0)).isZero()).toBe(true);
    }
    // Held 2.10 x 8 x 2 = 33.6; the fill escrows 2.00 x 8 x 2 = 32 and returns the 1.6 the price improved.
    expect(events[0].envelope.data).toMatchObject({ amount: '33.6', orderId: '2' });
    // funds.escrowed names its trade, its lease and the buy order (PROTOCOL.md).
    expect(events[3].envelope.data).toMatchObject({
      orderId: '2',
      tradeId: 'H100-SXM.us-east.firm:1',
      leaseId: lease.id,
    });
    expect(events[3].envelope.data.postings).toEqual([
      { accountId: BUYER.accountId, book: 'held', amount: '-33.6' },
      { accountId: BUYER.accountId, book: 'escrow', amount: '32' },
      { accountId: BUYER.accountId, book: 'available', amount: '1.6' },
    ]);
    expect(new Set(events.map((e) => e.envelope.id)).size).toBe(events.length);
  });

  it('records a notice and the end it leads to as two events, even when one batch holds both', () => {
    const core = emptyCore({
      available: [[BUYER.accountId, '10000']],
      provisioning: { mode: 'instant' },
    });
    const int = 'H100-SXM.us-east.int';
    core.execute(
      { kind: 'place', trader: SELLER, order: limit('sell', '2.00', 8, { symbol: int }), cluster: CLUSTER },
      NOW,
    );
    core.execute(
      { kind: 'place', trader: BUYER, order: limit('buy', '2.00', 8, { symbol: int }), cluster: null },
      NOW,
    );
    const [lease] = core.state.leases.sorted();
    const batch = [
      {
        now: NOW + 3_600_000,
        ...core.execute(
          { kind: 'interruptLease', accountId: SELLER.accountId, leaseId: lease.id },
          NOW + 3_600_000,
        ),
      },
      {
        now: NOW + 3_600_000 + 15 * 60_000,
        ...core.execute({ kind: 'tick' }, NOW + 3_600_000 + 15 * 60_000),
      },
    ];
    const types = settlementEvents(batch, 1).map((e) => e.envelope.type);
    expect(types).toEqual([
      'lease.interrupt_noticed',
      'lease.interrupted',
      'settlement.paid',
      'settlement.refunded',
    ]);
  });
});
