import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { AppConfig, ProvisioningConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { ProvisioningPolicy } from '../leases/lease-lifecycle';
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
 * The single writer. Commands run through the engine as soon as they arrive, in arrival order, into the next
 * batch; whenever no batch is committing, the next one is written in one statement (group commit: whatever ran
 * while the previous batch was committing), and only once it is committed is any command of it answered. So
 * PostgreSQL never waits for the engine, and memory is ahead of the database by at most the batch committing and
 * the one filling up. If a commit fails, every command of that batch and of the one that ran on top of it gets
 * UNAVAILABLE, and the in-memory state is thrown away and rebuilt from the database (with nothing in flight), so
 * memory never keeps what was not committed.
 */
@Injectable()
export class OrderWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderWriter.name);
  private state: TradingState | null = null;
  private readonly queue: Job[] = [];
  /** Commands already run in memory, to be committed when the batch committing now is done. */
  private next: Run | null = null;
  private committing = false;
  private loading: Promise<TradingState> | null = null;
  private scheduled = false;
  /** Committed batches are answered in commit order, each after the one before. */
  private answered: Promise<void> = Promise.resolve();
  private ticker: NodeJS.Timeout | null = null;
  private lastNow = 0;
  private readonly committedListeners: ((batch: Batch) => void)[] = [];

  constructor(
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(MarketsService) private readonly markets: MarketsService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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

  /** Runs `work` in the next batch; resolves once its effects are committed. */
  submit<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // One turn of the event loop first, so commands arriving together run together.
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** The in-memory state, loaded from the database if there is none (call only with nothing in flight). */
  async ready(): Promise<TradingState> {
    if (this.state) return this.state;
    this.loading ??= (async () => {
      try {
        this.state = new TradingState(
          await this.orders.loadState(await this.markets.list()),
          provisioningPolicy(this.config.provisioning),
        );
        return this.state;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** Runs what has queued into the next batch, and sends that batch if none is committing. */
  private pump(): void {
    if (this.queue.length === 0 && !this.next) return;
    if (!this.state) {
      void this.rebuildThenPump();
      return;
    }
    this.runQueued(this.state);
    if (!this.committing && this.next) {
      void this.commitNext();
      if (this.state) this.runQueued(this.state);
    }
  }

  /** Rebuilds the state once nothing is committing (what is in flight would be missing from what is loaded). */
  private async rebuildThenPump(): Promise<void> {
    if (this.committing) return; // the commit's end pumps again
    try {
      await this.ready();
    } catch (error) {
      this.fail(this.queue.splice(0), error);
      return;
    }
    this.pump();
  }

  private runQueued(state: TradingState): void {
    if (this.queue.length === 0) return;
    const run = (this.next ??= { jobs: [], batch: new Batch(), outcomes: [] });
    const now = this.now();
    const taken = this.queue.splice(0, MAX_BATCH - run.jobs.length);
    run.jobs.push(...taken);
    for (const job of taken) {
      try {
        run.outcomes.push({ value: job.work(state, run.batch, now) });
      } catch (error) {
        if (!(error instanceof DomainError)) {
          // A bug, possibly halfway through a command: keep nothing that is not committed.
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          this.next = null;
          this.fail(run.jobs, error);
          return;
        }
        run.outcomes.push({ error });
      }
    }
  }

  private async commitNext(): Promise<void> {
    const run = this.next as Run;
    this.next = null;
    this.committing = true;
    try {
      await this.orders.commit(run.batch);
      // On a later turn of the event loop, so that the next batch's commit is already on its way.
      this.answered = this.answered.then(
        () => new Promise((done) => setImmediate(() => done(this.answer(run)))),
      );
    } catch (error) {
      // The batch that ran on top of this one cannot be kept either.
      const above = this.next as Run | null;
      this.next = null;
      this.fail([...run.jobs, ...(above?.jobs ?? [])], error);
    } finally {
      this.committing = false;
    }
    this.pump();
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

  /** Refuses the jobs and drops the in-memory state, which holds their effects. */
  private fail(jobs: Job[], error: unknown): void {
    this.state = null;
    if (jobs.length === 0) return;
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

function provisioningPolicy(config: ProvisioningConfig): ProvisioningPolicy {
  return config.mode === 'instant'
    ? { mode: 'instant' }
    : { mode: 'webhook', deadlineMs: config.deadlineSeconds * 1000 };
}
