import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { MarketsService } from '../markets/markets.service';
import { Batch } from './batch';
import { advanceTime } from './order-matching';
import { OrdersRepository } from './orders.repository';
import { TradingState } from './trading-state';

type Work<T> = (state: TradingState, batch: Batch, now: number) => T;

interface Job {
  accounts: string[];
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** At most this many commands share one database transaction. */
const MAX_BATCH = 500;
const TICK_MS = 1000;

/**
 * The single writer. Commands queue here and run one batch at a time: each command goes through the engine in
 * arrival order, the batch's effects are written in one transaction (group commit: whatever arrived while the
 * previous batch was committing), and only then is any command of the batch answered. If the commit fails,
 * every command of the batch gets UNAVAILABLE and the in-memory state, now ahead of the database, is thrown
 * away and rebuilt from the database before the next batch, so memory never holds what was not committed.
 */
@Injectable()
export class OrderWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderWriter.name);
  private state: TradingState | null = null;
  private readonly queue: Job[] = [];
  private draining = false;
  private ticker: NodeJS.Timeout | null = null;
  private lastNow = 0;
  private readonly committedListeners: ((batch: Batch) => void)[] = [];

  constructor(
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(MarketsService) private readonly markets: MarketsService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.markets.onCreated((market) => this.submit([], (state) => state.addMarket(market)));
    // Time passes even when nobody trades: GTD orders and sell windows expire on the tick.
    this.ticker = setInterval(() => {
      if (this.queue.length === 0)
        this.submit([], (state, batch, now) => advanceTime(state, batch, now)).catch(() => {});
    }, TICK_MS);
    this.ticker.unref();
  }

  onApplicationShutdown(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  /** Called with every committed batch, before its commands are answered (market data, private feeds). */
  onCommitted(listener: (batch: Batch) => void): void {
    this.committedListeners.push(listener);
  }

  /** Runs `work` inside the next batch; resolves once its effects are committed. */
  submit<T>(accounts: string[], work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ accounts, work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // One turn of the event loop first, so commands arriving together share a batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** The current state (for reads that must see exactly what the writer sees), rebuilt if needed. */
  async ready(): Promise<TradingState> {
    if (this.state) return this.state;
    const state = new TradingState(await this.orders.loadState(await this.markets.list()));
    this.state = state;
    return state;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(jobs: Job[]): Promise<void> {
    let state: TradingState;
    try {
      state = await this.ready();
      await this.loadBalances(state, jobs);
    } catch (error) {
      this.fail(jobs, error);
      return;
    }
    const now = this.now();
    const batch = new Batch();
    const outcomes: { value?: unknown; error?: unknown }[] = [];
    for (const job of jobs) {
      try {
        outcomes.push({ value: job.work(state, batch, now) });
      } catch (error) {
        if (!(error instanceof DomainError)) {
          // A bug, possibly halfway through a command: keep nothing of this batch.
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          this.fail(jobs, error);
          return;
        }
        outcomes.push({ error });
      }
    }
    try {
      await this.orders.commit(batch);
    } catch (error) {
      this.fail(jobs, error);
      return;
    }
    for (const listener of this.committedListeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.error(
          `a committed-batch listener failed: ${error instanceof Error ? error.stack : error}`,
        );
      }
    }
    outcomes.forEach((outcome, i) =>
      'error' in outcome ? jobs[i].reject(outcome.error) : jobs[i].resolve(outcome.value),
    );
  }

  private fail(jobs: Job[], error: unknown): void {
    this.state = null;
    this.logger.warn(
      `batch of ${jobs.length} not committed: ${error instanceof Error ? error.message : error}`,
    );
    const unavailable = new DomainError('UNAVAILABLE', 'the database is unavailable; nothing was changed');
    for (const job of jobs) job.reject(unavailable);
  }

  /**
   * Reads the available balances of the batch's accounts afresh: between batches the database is the truth
   * (deposits land there directly), and within a batch the writer keeps them current itself.
   */
  private async loadBalances(state: TradingState, jobs: Job[]): Promise<void> {
    state.available.clear();
    const accounts = [...new Set(jobs.flatMap((j) => j.accounts))];
    if (accounts.length === 0) return;
    for (const [account, amount] of await this.orders.availableBalances(accounts))
      state.available.set(account, amount);
  }

  /** The clock, never going backwards (the engine's expiries assume time moves forward). */
  private now(): number {
    this.lastNow = Math.max(this.lastNow, this.clock.now());
    return this.lastNow;
  }
}
