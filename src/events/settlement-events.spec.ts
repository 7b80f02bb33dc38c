import Decimal from 'decimal.js';
import { DEFAULT_CATALOG } from '../markets/default-catalog';
import { Batch } from '../orders/batch';
import { placeOrder } from '../orders/order-matching';
import { TradingState } from '../orders/trading-state';
import { settlementEvents } from './settlement-events';

const MARKET = DEFAULT_CATALOG[0];
const BUYER = { accountId: '11111111-1111-1111-1111-111111111111', engineAccountId: 1 };
const SELLER = { accountId: '22222222-2222-2222-2222-222222222222', engineAccountId: 2 };
const CLUSTER = {
  id: '33333333-3333-3333-3333-333333333333',
  accountId: SELLER.accountId,
  name: 'c',
  gpu: MARKET.gpu,
  region: MARKET.region,
  gpuCount: 64,
  webhookUrl: 'http://127.0.0.1:9/x',
  createdAt: new Date(0).toISOString(),
};
const NOW = 1_800_000_000_000;

/** A batch with a resting sell, a buy that takes part of it, and a buy that rests. */
function tradingBatch(): Batch {
  const state = new TradingState(
    {
      markets: [MARKET],
      openOrders: [],
      lastTradeSeq: new Map(),
      bookSequence: new Map(),
      maxOrderId: 0,
      maxPriority: 0,
      liveLeases: [],
      available: new Map([[BUYER.accountId, new Decimal(10_000)]]),
      sshKeys: new Map(),
    },
    { mode: 'webhook', deadlineMs: 600_000 },
  );
  const batch = new Batch();
  const order = (side: 'buy' | 'sell', price: string, quantity: number) =>
    placeOrder(
      state,
      batch,
      side === 'buy' ? BUYER : SELLER,
      side === 'buy'
        ? { symbol: MARKET.symbol, side, type: 'limit', price, quantity, durationHours: 2 }
        : { symbol: MARKET.symbol, side, type: 'limit', price, quantity, clusterId: CLUSTER.id },
      side === 'buy' ? null : CLUSTER,
      NOW,
    );
  order('sell', '2.00', 16);
  order('buy', '2.10', 8);
  order('buy', '1.50', 8);
  return batch;
}

describe('settlementEvents', () => {
  it('describes a batch: its trade with the lease it opened, the lease, and every ledger movement with its postings', () => {
    const batch = tradingBatch();
    const events = settlementEvents(batch, new Date(NOW));
    const [lease] = [...batch.leasesCreated.values()];
    expect(events.map((e) => [e.topic, e.envelope.type])).toEqual([
      ['exchange.trades', 'trade.executed'],
      ['exchange.leases', 'lease.provisioning'],
      ['exchange.settlements', 'funds.held'],
      ['exchange.settlements', 'funds.escrowed'],
      ['exchange.settlements', 'funds.held'],
    ]);
    expect(events[0]).toMatchObject({
      key: MARKET.symbol,
      envelope: { version: 1, data: { price: '2', quantity: 8, durationHours: 2, leaseId: lease.id } },
    });
    expect(events[1].key).toBe(lease.id);
    for (const e of events.slice(2)) {
      expect(e.key).toBe(BUYER.accountId);
      const postings = e.envelope.data.postings as { amount: string }[];
      expect(postings.reduce((sum, p) => sum.plus(p.amount), new Decimal(0)).isZero()).toBe(true);
    }
    // Held 2.10 x 8 x 2 = 33.6; the fill escrows 2.00 x 8 x 2 = 32 and returns the 1.6 the price improved.
    expect(events[2].envelope.data).toMatchObject({ amount: '33.6', orderId: '2' });
    expect(events[3].envelope.data.postings).toEqual([
      { accountId: BUYER.accountId, book: 'held', amount: '-33.6' },
      { accountId: BUYER.accountId, book: 'escrow', amount: '32' },
      { accountId: BUYER.accountId, book: 'available', amount: '1.6' },
    ]);
    expect(new Set(events.map((e) => e.envelope.id)).size).toBe(events.length);
  });
});
