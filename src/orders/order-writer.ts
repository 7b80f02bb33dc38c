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
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A batch the engine has run: its effects, and each command's answer (given once the batch is committed). */
interface Run {
  jobs: Job[];
  batch: Batch;
  outcomes: ({ value: unknown } | { error: unknown })[];
}

/** At most this many commands share one database transaction. */
const MAX_BATCH = 500;
const TICK_MS = 1000;

/**
 * The single writer. Commands queue here and run one batch at a time: each command goes through the engine in
 * arrival order, the batch's effects are written in one transaction (group commit: whatever arrived while the
 * previous batch was committing), and only then is any command of the batch answered. Answering a committed
 * batch (and telling the feeds about it) happens while the next batch commits. If a commit fails, every command
 * of the batch gets UNAVAILABLE and the in-memory state, now ahead of the database, is thrown away and rebuilt
 * from the database before the next batch, so memory never holds what was not committed.
 */
@Injectable()
export class OrderWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderWriter.name);
  private state: TradingState | null = null;
  private readonly queue: Job[] = [];
  private draining = false;
  /** Committed batches are answered in commit order, each after the one before. */
  private answered: Promise<void> = Promise.resolve();
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
    this.markets.onCreated((market) => this.submit((state) => state.addMarket(market)));
    // Time passes even when nobody trades: GTD orders and sell windows expire on the tick.
    this.ticker = setInterval(() => {
      if (this.queue.length === 0)
        this.submit((state, batch, now) => advanceTime(state, batch, now)).catch(() => {});
    }, TICK_MS);
    this.ticker.unref();
  }

  onApplicationShutdown(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  /** Called with every committed batch, in commit order, before its commands are answered (market data, private feeds). */
  onCommitted(listener: (batch: Batch) => void): void {
    this.committedListeners.push(listener);
  }

  /** Runs `work` inside the next batch; resolves once its effects are committed. */
  submit<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
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
      while (this.queue.length > 0) {
        const run = await this.runInMemory(this.queue.splice(0, MAX_BATCH));
        if (!run) continue;
        try {
          await this.orders.commit(run.batch);
        } catch (error) {
          this.fail(run.jobs, error);
          continue;
        }
        // On a later turn of the event loop, so that the next batch's commit is already on its way.
        this.answered = this.answered.then(
          () => new Promise((done) => setImmediate(() => done(this.answer(run)))),
        );
      }
    } finally {
      this.draining = false;
    }
  }

  /** Runs the jobs through the engine; null (and every job failed) when the batch cannot be kept. */
  private async runInMemory(jobs: Job[]): Promise<Run | null> {
    let state: TradingState;
    try {
      state = await this.ready();
    } catch (error) {
      this.fail(jobs, error);
      return null;
    }
    const now = this.now();
    const batch = new Batch();
    const outcomes: Run['outcomes'] = [];
    for (const job of jobs) {
      try {
        outcomes.push({ value: job.work(state, batch, now) });
      } catch (error) {
        if (!(error instanceof DomainError)) {
          // A bug, possibly halfway through a command: keep nothing of this batch.
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          this.fail(jobs, error);
          return null;
        }
        outcomes.push({ error });
      }
    }
    return { jobs, batch, outcomes };
  }

  private answer({ jobs, batch, outcomes }: Run): void {
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

  /** The clock, never going backwards (the engine's expiries assume time moves forward). */
  private now(): number {
    this.lastNow = Math.max(this.lastNow, this.clock.now());
    return this.lastNow;
  }
}
