import Decimal from 'decimal.js';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { AppConfig } from '../config/app-config';
import { DEFAULT_CATALOG } from '../markets/default-catalog';
import type { MarketsService } from '../markets/markets.service';
import { Batch } from './batch';
import { placeOrder } from './order-matching';
import { OrderRecord } from './order-record';
import { OrderWriter } from './order-writer';
import type { OrdersRepository } from './orders.repository';
import type { PersistedState } from './trading-state';

const MARKET = DEFAULT_CATALOG[0];
const BUYER = { accountId: 'buyer', engineAccountId: 1 };

/** A repository that keeps what was committed in memory, and can be told to fail the next commit. */
class FakeRepository {
  committed: OrderRecord[] = [];
  failNextCommit = false;
  /** When set, commits wait until the test settles them. */
  held: { resolve(): void; reject(error: Error): void }[] | null = null;
  loads = 0;

  async loadState(): Promise<PersistedState> {
    this.loads++;
    return {
      markets: [MARKET],
      openOrders: this.committed.filter((o) => o.status === 'open').map((o) => ({ ...o })),
      lastTradeSeq: new Map(),
      bookSequence: new Map(),
      maxOrderId: Math.max(0, ...this.committed.map((o) => o.id)),
      maxPriority: Math.max(0, ...this.committed.map((o) => o.priority)),
      liveLeases: [],
      available: new Map([[BUYER.accountId, new Decimal(1000)]]),
      sshKeys: new Map(),
    };
  }

  async commit(batch: Batch): Promise<void> {
    if (this.held) {
      const held = this.held;
      await new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
    }
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('Connection terminated unexpectedly');
    }
    this.committed.push(...[...batch.created.values()].map((o) => ({ ...o })));
  }
}

class FixedClock extends Clock {
  now(): number {
    return 1_800_000_000_000;
  }
}

describe('OrderWriter', () => {
  let repository: FakeRepository;
  let writer: OrderWriter;
  const markets = { list: async () => [MARKET] } as unknown as MarketsService;
  const bid = (price: string) =>
    writer.submit((state, batch, now) =>
      placeOrder(
        state,
        batch,
        BUYER,
        { symbol: MARKET.symbol, side: 'buy', type: 'limit', price, quantity: 8, durationHours: 1 },
        null,
        now,
      ),
    );
  const bookBids = async () => (await writer.ready()).engine.book(MARKET.symbol)?.depth().bids;

  beforeEach(() => {
    repository = new FakeRepository();
    writer = new OrderWriter(repository as unknown as OrdersRepository, markets, new FixedClock(), {
      provisioning: { mode: 'instant' },
    } as AppConfig);
  });

  it('answers a command only after its batch is committed', async () => {
    const order = await bid('1.00');
    expect(repository.committed.map((o) => o.id)).toEqual([order.id]);
    expect(await bookBids()).toEqual([[1_000_000, 8]]);
  });

  it('puts commands that arrive together in one batch', async () => {
    const commit = jest.spyOn(repository, 'commit');
    await Promise.all([bid('1.00'), bid('1.01'), bid('1.02')]);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(commit.mock.calls[0][0].created.size).toBe(3);
  });

  it('when a commit fails: every command of the batch gets UNAVAILABLE and memory is rebuilt from the database', async () => {
    await bid('1.00');
    repository.failNextCommit = true;
    const failed = await Promise.allSettled([bid('1.10'), bid('1.20')]);
    for (const outcome of failed) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(DomainError) });
      expect((outcome as PromiseRejectedResult).reason.code).toBe('UNAVAILABLE');
    }
    expect(await bookBids()).toEqual([[1_000_000, 8]]);
    expect(repository.loads).toBe(2);
    const next = await bid('1.30');
    expect(next.id).toBeGreaterThan(1);
    expect(await bookBids()).toEqual([
      [1_300_000, 8],
      [1_000_000, 8],
    ]);
  });

  it('tells listeners of each committed batch in commit order, before answering its commands', async () => {
    const seen: string[] = [];
    writer.onCommitted((batch) => seen.push(`batch ${[...batch.created.keys()].join(',')}`));
    const first = Promise.all([bid('1.00'), bid('1.01')]).then(() => seen.push('answered first'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = bid('1.02').then(() => seen.push('answered second'));
    await Promise.all([first, second]);
    expect(seen).toEqual(['batch 1,2', 'answered first', 'batch 3', 'answered second']);
  });

  it('keeps available balances in memory across batches: a buyer cannot spend the same money twice', async () => {
    // 1000 USD: a bid for 8 GPUs x 1 h at 100.00 holds 800, so the second such bid finds 200.
    const big = () =>
      writer.submit((state, batch, now) =>
        placeOrder(
          state,
          batch,
          BUYER,
          {
            symbol: MARKET.symbol,
            side: 'buy',
            type: 'limit',
            price: '100.00',
            quantity: 8,
            durationHours: 1,
          },
          null,
          now,
        ),
      );
    await big();
    await expect(big()).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect((await writer.ready()).availableOf(BUYER.accountId).toFixed()).toBe('200');
  });

  it('runs commands arriving during a commit at once, commits them next, and fails them with a failed commit', async () => {
    repository.held = [];
    const first = bid('1.00');
    await new Promise((resolve) => setImmediate(resolve));
    expect(repository.held).toHaveLength(1);
    const second = [bid('1.01'), bid('1.02')];
    await new Promise((resolve) => setImmediate(resolve));
    // Already in the book (in memory), not yet committed: one commit in flight, the next batch waiting.
    expect(await bookBids()).toEqual([
      [1_020_000, 8],
      [1_010_000, 8],
      [1_000_000, 8],
    ]);
    expect(repository.held).toHaveLength(1);
    repository.held[0].reject(new Error('Connection terminated unexpectedly'));
    for (const outcome of await Promise.allSettled([first, ...second])) {
      expect(outcome.status).toBe('rejected');
      expect(((outcome as PromiseRejectedResult).reason as DomainError).code).toBe('UNAVAILABLE');
    }
    repository.held = null;
    expect(await bookBids()).toEqual([]);
    expect(repository.committed).toEqual([]);
    await bid('1.03');
    expect(await bookBids()).toEqual([[1_030_000, 8]]);
  });

  it('a refused command does not spoil the others of its batch', async () => {
    const outcomes = await Promise.allSettled([bid('1.00'), bid('1.005'), bid('1.02')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as DomainError).code).toBe('INVALID_PRICE');
    expect(repository.committed).toHaveLength(2);
  });
});
