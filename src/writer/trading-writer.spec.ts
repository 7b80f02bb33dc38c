import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { TradingCommand } from '../trading/commands';
import type { OrderSnapshot } from '../trading/types';
import { BUYER, CLUSTER, MARKET, SELLER, limit } from '../trading/testing/fixtures';
import type { CommittedBatch } from './committed-batch';
import { Fault, MemoryStore, fund } from './testing/memory-store';
import { TradingWriter, WriterOptions } from './trading-writer';

class FixedClock extends Clock {
  now(): number {
    return 1_800_000_000_000;
  }
}

const quiet = { log: () => {}, warn: () => {}, error: () => {} };
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('TradingWriter', () => {
  let store: MemoryStore;
  let writer: TradingWriter;
  let committed: CommittedBatch[];

  const start = async (options: Partial<WriterOptions> = {}) => {
    writer = new TradingWriter(
      store,
      new FixedClock(),
      { mode: 'instant' },
      { maxBatch: 500, maxQueue: 10_000, verifyForMs: 30, ...options },
      quiet,
    );
    committed = [];
    writer.onCommitted((batch) => committed.push(batch));
    await writer.start();
  };
  const bid = (price: string, more: Partial<Parameters<typeof limit>[3]> = {}) =>
    writer.submit({ kind: 'place', trader: BUYER, order: limit('buy', price, 8, more), cluster: null });
  const ask = (price: string) =>
    writer.submit({ kind: 'place', trader: SELLER, order: limit('sell', price, 8), cluster: CLUSTER });
  const placed = async (p: ReturnType<typeof bid>) => ((await p) as { order: OrderSnapshot }).order;
  const code = (outcome: PromiseSettledResult<unknown>) =>
    outcome.status === 'rejected' ? (outcome.reason as DomainError).code : 'OK';
  const bookBids = () =>
    store.load().then((l) =>
      l.state.engine
        .book(MARKET.symbol)
        ?.depth()
        .bids.map(([price]) => price),
    );

  beforeEach(async () => {
    store = new MemoryStore([MARKET], [CLUSTER]);
    fund(store, BUYER.accountId, '1000');
    await start();
  });

  it('answers a command only after its batch is committed, and hands the batch downstream first', async () => {
    let release: () => void = () => {};
    store.hold = () => new Promise((resolve) => (release = resolve));
    let answered = false;
    const order = bid('1.00').then((value) => {
      answered = true;
      return value;
    });
    for (let i = 0; i < 5; i++) await turn();
    expect(answered).toBe(false);
    expect(store.orders.size).toBe(0);
    store.hold = null;
    release();
    const { id } = await placed(order);
    expect(store.orders.get(id)?.status).toBe('open');
    expect(committed).toHaveLength(1);
  });

  it('puts commands that arrive together in one batch', async () => {
    await Promise.all([bid('1.00'), bid('1.01'), bid('1.02')]);
    expect(committed).toHaveLength(1);
    expect(committed[0].entries).toHaveLength(3);
  });

  it('a refused command does not spoil the others of its batch', async () => {
    const outcomes = await Promise.allSettled([bid('1.00'), bid('1.005'), bid('1.02')]);
    expect(outcomes.map(code)).toEqual(['OK', 'INVALID_PRICE', 'OK']);
    expect(store.orders.size).toBe(2);
  });

  it('when the database refuses one command’s data, that command alone fails (INVALID_REQUEST), the others commit as if it had never been sent', async () => {
    store.refuses = (order) => order.clientOrderId === 'poison';
    await ask('1.00');
    // The poisoned buy would have taken the ask; without it, the next buy does.
    const outcomes = await Promise.allSettled([
      bid('1.00', { clientOrderId: 'poison' }),
      bid('1.00'),
      bid('0.90'),
    ]);
    expect(outcomes.map(code)).toEqual(['INVALID_REQUEST', 'OK', 'OK']);
    const [, second, third] = outcomes as PromiseFulfilledResult<{ order: OrderSnapshot }>[];
    expect(second.value.order.status).toBe('filled');
    expect(third.value.order.status).toBe('open');
    expect([...store.orders.values()].some((o) => o.clientOrderId === 'poison')).toBe(false);
    expect(store.trades).toHaveLength(1);
    expect(store.trades[0].buyOrderId).toBe(second.value.order.id);
  });

  it('the batch that ran on top of a refused one is run again, not failed', async () => {
    store.refuses = (order) => order.clientOrderId === 'poison';
    let release: () => void = () => {};
    store.hold = () => new Promise((resolve) => (release = resolve));
    const first = [bid('1.00', { clientOrderId: 'poison' }), bid('1.01')];
    await turn();
    const above = [bid('1.02'), bid('1.03')];
    await turn();
    store.hold = null;
    release();
    expect((await Promise.allSettled([...first, ...above])).map(code)).toEqual([
      'INVALID_REQUEST',
      'OK',
      'OK',
      'OK',
    ]);
    expect(await bookBids()).toEqual([1_030_000, 1_020_000, 1_010_000]);
  });

  it('a connection lost after the commit: the database says the batch committed, so it is answered as committed, without a reload', async () => {
    await bid('1.00');
    const loads = store.loads;
    store.faultOf = () => 'lost-after';
    const order = bid('1.10');
    store.faultOf = () => 'none';
    expect((await placed(order)).status).toBe('open');
    expect(store.loads).toBe(loads);
    expect(await bookBids()).toEqual([1_100_000, 1_000_000]);
    expect((await placed(bid('1.20'))).id).toBe(3);
  });

  it('a connection lost before the commit: UNAVAILABLE, nothing changed; the next commands commit with the right numbers', async () => {
    await bid('1.00');
    let faults: Fault[] = ['lost-before'];
    store.faultOf = () => faults.shift() ?? 'none';
    expect(code((await Promise.allSettled([bid('1.10')]))[0])).toBe('UNAVAILABLE');
    faults = [];
    const next = await placed(bid('1.20'));
    expect(next.id).toBe(2);
    expect(await bookBids()).toEqual([1_200_000, 1_000_000]);
    expect(store.outbox.map((r) => r.seq)).toEqual(store.outbox.map((_, i) => i + 1));
  });

  it('a connection lost while the database cannot be asked: OUTCOME_UNKNOWN, and once it is back a reload finds what committed', async () => {
    store.faultOf = () => {
      store.unreachable = true;
      return 'lost-after';
    };
    const outcome = await Promise.allSettled([bid('1.00', { clientOrderId: 'mine' })]);
    expect(code(outcome[0])).toBe('OUTCOME_UNKNOWN');
    expect((outcome[0] as PromiseRejectedResult).reason.message).toMatch(/retry with the same clientOrderId/);
    store.faultOf = () => 'none';
    store.unreachable = false;
    // The order did commit; the retry finds it (in the service, the database read comes first).
    const retry = await writer.submit({
      kind: 'place',
      trader: BUYER,
      order: limit('buy', '1.00', 8, { clientOrderId: 'other' }),
      cluster: null,
    });
    expect('order' in retry && retry.order.id).toBe(2);
    expect([...store.orders.values()].map((o) => o.clientOrderId)).toEqual(['mine', 'other']);
  });

  it('a failed commit fails its batch with UNAVAILABLE, and the writer takes orders again by itself', async () => {
    store.faultOf = () => 'fail';
    const failed = await Promise.allSettled([bid('1.00'), bid('1.10')]);
    expect(failed.map(code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    store.faultOf = () => 'none';
    expect((await placed(bid('1.20'))).id).toBe(1);
  });

  it('a load that fails is not kept: the next command loads again', async () => {
    store.faultOf = () => 'fail';
    await Promise.allSettled([bid('1.00')]);
    store.faultOf = () => 'none';
    store.unreachable = true;
    expect(code((await Promise.allSettled([bid('1.10')]))[0])).toBe('UNAVAILABLE');
    store.unreachable = false;
    expect((await placed(bid('1.20'))).status).toBe('open');
  });

  it('refuses commands at once with OVERLOADED when its queue is full, and commits the ones it took', async () => {
    await start({ maxQueue: 3 });
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => bid(`1.0${i}`)));
    expect(outcomes.map(code)).toEqual(['OK', 'OK', 'OK', 'OVERLOADED', 'OVERLOADED']);
  });

  it('never hands downstream what did not commit: a crossing batch that fails leaves the resting order open everywhere', async () => {
    const seen: string[] = [];
    writer.onCommitted((batch) => {
      for (const { events } of batch.entries)
        for (const e of events)
          if (e.type === 'order.updated' || e.type === 'order.created') seen.push(e.order.status);
    });
    let release: () => void = () => {};
    store.hold = () => new Promise((resolve) => (release = resolve));
    const resting = ask('1.00');
    await turn();
    const buys = (c: TradingCommand) => c.kind === 'place' && c.order.side === 'buy';
    store.faultOf = (batch) => (batch.entries.some((e) => buys(e.command)) ? 'lost-before' : 'none');
    const crossing = Promise.allSettled([bid('1.00')]);
    await turn();
    store.hold = null;
    release();
    expect((await placed(resting)).status).toBe('open');
    expect(code((await crossing)[0])).toBe('UNAVAILABLE');
    expect(seen).toEqual(['open']);
    expect([...store.orders.values()].map((o) => o.status)).toEqual(['open']);
  });
});
