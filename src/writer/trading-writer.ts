import { performance } from 'node:perf_hooks';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import type { TradingCommand } from '../trading/commands';
import type { ResultOf } from '../trading/results';
import type { TradingState } from '../trading/state/trading-state';
import { Execution, TradingCore } from '../trading/trading-core';
import type { ProvisioningPolicy } from '../trading/types';
import type { CommittedBatch } from './committed-batch';
import { NameBasedIds } from './name-based-ids';
import { OutboxRow, settlementEvents } from './settlement-events';
import {
  BatchToCommit,
  CommitOutcomeUnknown,
  CommitRefused,
  StorePosition,
  TradingStore,
} from './trading-store';

export interface WriterOptions {
  /** At most this many commands share one batch. */
  maxBatch: number;
  /** Commands waiting beyond this many are refused at once with OVERLOADED. */
  maxQueue: number;
  /** After a lost connection, how long to keep asking the database whether the batch committed. */
  verifyForMs: number;
}

/** Told of each committed batch: how many commands it held and how long its statement took (for metrics). */
export interface WriterObserver {
  batchCommitted(commands: number, seconds: number): void;
}

const UNOBSERVED: WriterObserver = { batchCommitted: () => {} };

export interface WriterLog {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

interface Job {
  command: TradingCommand;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A command the core has run: its job, its time, what it did, and the priority counter after it. */
interface Ran {
  job: Job;
  now: number;
  execution: Execution;
  nextPriority: number;
}

const unavailable = () => new DomainError('UNAVAILABLE', 'the database is unavailable; nothing was changed');
const outcomeUnknown = () =>
  new DomainError(
    'OUTCOME_UNKNOWN',
    'the exchange lost contact with its database while committing: the command may or may not have taken ' +
      'effect; retry with the same clientOrderId, or read the order',
  );

/**
 * The single writer. Commands run through the trading core as soon as they arrive, in arrival order, into the
 * next batch; whenever no batch is committing, the next one is written in one statement (group commit), and only
 * once it is committed is any of its commands answered, and is it handed downstream. So PostgreSQL never waits
 * for the core, and memory is ahead of the database by at most the batch committing and the one filling up.
 *
 * When a commit fails, each command fails only for its own reason:
 * - the database refused the batch's data: the writer reloads, then commits the batch's commands one by one; the
 *   one whose data is refused gets INVALID_REQUEST, every other one commits as if it had never been sent;
 * - the connection broke: the writer asks the database whether the batch committed; if it did, the batch is
 *   answered as committed, if it did not, UNAVAILABLE; if the database cannot say, OUTCOME_UNKNOWN;
 * - anything else (a timeout, the database down): UNAVAILABLE, nothing was changed.
 * The batch that ran on top of a failed one was never sent: its commands run again after the reload. Any failure
 * reloads the state (and with it every counter: ids, sequences, the outbox position) before the next batch.
 */
export class TradingWriter {
  private core: TradingCore | null = null;
  private position: StorePosition | null = null;
  private readonly queue: Job[] = [];
  /** Commands already run in memory, to be committed when the batch committing now is done. */
  private filling: Ran[] | null = null;
  private committing = false;
  /** Loading the state: nothing runs meanwhile. */
  private loading = false;
  /** Committing a refused batch's commands one by one: nothing else runs meanwhile. */
  private isolating = false;
  private scheduled = false;
  /** Committed batches are answered in commit order, each after the one before. */
  private answered: Promise<void> = Promise.resolve();
  private lastNow = 0;
  private readonly committedListeners: ((batch: CommittedBatch) => void)[] = [];
  private readonly loadedListeners: ((state: TradingState) => void)[] = [];

  constructor(
    private readonly store: TradingStore,
    private readonly clock: Clock,
    private readonly provisioning: ProvisioningPolicy,
    private readonly options: WriterOptions,
    private readonly logger: WriterLog,
    private readonly observer: WriterObserver = UNOBSERVED,
  ) {}

  /** Loads the committed state (at start; later loads happen by themselves after a failure). */
  async start(): Promise<void> {
    await this.load();
    this.pump(); // commands that came while it loaded
  }

  /** Called with every committed batch, in commit order, before its commands are answered. */
  onCommitted(listener: (batch: CommittedBatch) => void): void {
    this.committedListeners.push(listener);
  }

  /**
   * Called with the state each time it is loaded from the database (at start, and after a failure), before any
   * command runs on it: a batch whose outcome was unknown may be in it, so views kept downstream resync here.
   */
  onLoaded(listener: (state: TradingState) => void): void {
    this.loadedListeners.push(listener);
  }

  /** Queues a command; resolves with its result once its effects are committed, or rejects with a DomainError. */
  submit<C extends TradingCommand>(command: C): Promise<ResultOf[C['kind']]> {
    if (this.queue.length >= this.options.maxQueue)
      return Promise.reject(
        new DomainError('OVERLOADED', 'the exchange is shedding load; retry with backoff'),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve: resolve as (value: unknown) => void, reject });
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

  /** The last settlement event committed (0 before the first load), for the outbox's lag. */
  get lastOutboxSeq(): number {
    return this.position?.outboxSeq ?? 0;
  }

  /** The last batch committed (0 before the first load). */
  get lastBatch(): number {
    return this.position?.batch ?? 0;
  }

  /** Commands waiting to run (for metrics and the bounded queue). */
  get queued(): number {
    return this.queue.length;
  }

  /** Runs what has queued into the next batch, and sends that batch if none is committing. */
  private pump(): void {
    if (this.loading || this.isolating) return;
    if (this.core) this.runQueued(this.core);
    if (!this.committing && this.filling) {
      void this.commit(this.filling);
      if (this.core) this.runQueued(this.core);
    }
    if (!this.core && !this.committing && !this.filling && this.queue.length > 0) void this.reload();
  }

  private async reload(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      this.logger.warn(`cannot load the trading state: ${describe(error)}`);
      for (const job of this.queue.splice(0)) job.reject(unavailable());
    }
    this.pump();
  }

  private async load(): Promise<TradingCore> {
    this.loading = true;
    const started = Date.now();
    this.logger.log('loading the trading state');
    try {
      const loaded = await this.store.load();
      const { orders, leases } = loaded.state;
      this.logger.log(
        `trading state loaded in ${Date.now() - started} ms: ${orders.size} open orders, ` +
          `${leases.size} live leases, at batch ${loaded.position.batch}`,
      );
      const core = new TradingCore(loaded.state, new NameBasedIds(loaded.idNamespace), this.provisioning);
      this.core = core;
      this.position = loaded.position;
      for (const listener of this.loadedListeners) this.safely(() => listener(loaded.state));
      return core;
    } finally {
      this.loading = false;
    }
  }

  private runQueued(core: TradingCore): void {
    if (this.queue.length === 0) return;
    const run = (this.filling ??= []);
    const taken = this.queue.splice(0, this.options.maxBatch - run.length);
    const now = this.now();
    for (let i = 0; i < taken.length; i++) {
      const ran = this.execute(core, taken[i], now);
      if (!ran) {
        // A bug, possibly halfway through the command: the state is rebuilt before anything else runs on it.
        this.queue.unshift(...taken.slice(i + 1));
        this.core = null;
        break;
      }
      run.push(ran);
    }
  }

  /** Runs one command; on a bug, answers it INTERNAL_ERROR and returns null. */
  private execute(core: TradingCore, job: Job, now: number): Ran | null {
    try {
      const execution = core.execute(job.command, now);
      return { job, now, execution, nextPriority: core.state.orders.counters()[1] };
    } catch (error) {
      this.logger.error(
        `${job.command.kind} failed with a bug: ${error instanceof Error ? error.stack : error}`,
      );
      job.reject(new DomainError('INTERNAL_ERROR', 'internal error'));
      return null;
    }
  }

  private async commit(run: Ran[]): Promise<void> {
    this.filling = null;
    this.committing = true;
    const batch = this.prepare(run);
    try {
      if (batch.entries.some((entry) => entry.events.length > 0)) {
        const started = performance.now();
        await this.store.commit(batch);
        this.observer.batchCommitted(run.length, (performance.now() - started) / 1000);
      }
      this.committed(batch, run);
    } catch (error) {
      await this.recover(run, batch, error);
    } finally {
      this.committing = false;
    }
    this.pump();
  }

  /** The batch as the store writes it: the next number, the settlement events numbered after the last ones. */
  private prepare(run: Ran[]): BatchToCommit {
    const position = this.position as StorePosition;
    const entries = run.map(({ job, now, execution }) => ({
      command: job.command,
      now,
      outcome: execution.outcome,
      events: execution.events,
    }));
    const settlement: OutboxRow[] = settlementEvents(entries, position.outboxSeq + 1);
    return {
      number: position.batch + 1,
      entries,
      settlement,
      nextPriority: run[run.length - 1]?.nextPriority ?? 0,
    };
  }

  /**
   * The batch is durable (or had nothing to write): the position moves on, and (on a later turn, in commit
   * order) it is answered.
   */
  private committed(batch: BatchToCommit, run: Ran[]): void {
    if (batch.entries.some((entry) => entry.events.length > 0)) this.position = this.after(batch);
    // On a later turn of the event loop, so that the next batch's commit is already on its way.
    this.answered = this.answered.then(
      () => new Promise((done) => setImmediate(() => done(this.answer(batch, run)))),
    );
  }

  /** Where the writer stands once `batch` has committed. */
  private after(batch: BatchToCommit): StorePosition {
    const last = batch.settlement[batch.settlement.length - 1];
    return { batch: batch.number, outboxSeq: last ? last.seq : (this.position as StorePosition).outboxSeq };
  }

  private answer(batch: CommittedBatch, run: Ran[]): void {
    for (const listener of this.committedListeners) this.safely(() => listener(batch));
    for (const { job, execution } of run) {
      const outcome = execution.outcome;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(new DomainError(outcome.code, outcome.message));
    }
  }

  private async recover(run: Ran[], batch: BatchToCommit, error: unknown): Promise<void> {
    if (error instanceof CommitOutcomeUnknown) {
      const verdict = await this.verify(batch);
      if (verdict === 'committed') {
        // Memory is what the database holds: no reload, and the batch that ran on top goes next.
        this.logger.warn(`batch ${batch.number}: the connection broke, but the batch committed`);
        this.committed(batch, run);
        return;
      }
      this.requeueAbove();
      this.fail(run, verdict === 'unknown' ? outcomeUnknown : unavailable, error);
    } else if (error instanceof CommitRefused) {
      this.requeueAbove();
      this.logger.warn(
        `batch ${batch.number} refused (${error.message}): committing its commands one by one`,
      );
      await this.isolate(run);
      return;
    } else {
      this.requeueAbove();
      this.fail(run, unavailable, error);
    }
    this.core = null;
  }

  /** The batch that ran on top of a failed one was never sent: its commands run again on the reloaded state. */
  private requeueAbove(): void {
    this.queue.unshift(...(this.filling ?? []).map((ran) => ran.job));
    this.filling = null;
  }

  /**
   * Finds the commands of a refused batch whose data the database refuses: reloads (memory ran the batch), then
   * commits each command alone, in order. A refused one gets INVALID_REQUEST and memory is reloaded again; the
   * others commit as they would have without it.
   */
  private async isolate(run: Ran[]): Promise<void> {
    this.isolating = true;
    this.core = null;
    try {
      for (let i = 0; i < run.length; i++) {
        let core: TradingCore | null = this.core as TradingCore | null;
        if (!core) {
          try {
            core = await this.load();
          } catch (error) {
            this.fail(run.slice(i), unavailable, error);
            return;
          }
        }
        const ran = this.execute(core, run[i].job, this.now());
        if (!ran) {
          this.core = null;
          continue;
        }
        if (!(await this.commitAlone(ran))) {
          this.fail(run.slice(i + 1), unavailable, 'the database failed while isolating a refused command');
          this.core = null;
          return;
        }
      }
    } finally {
      this.isolating = false;
    }
  }

  /** Commits one command on its own; false when the database failed (rather than refused the command). */
  private async commitAlone(ran: Ran): Promise<boolean> {
    const batch = this.prepare([ran]);
    try {
      if (ran.execution.events.length > 0) await this.store.commit(batch);
      this.committed(batch, [ran]);
      return true;
    } catch (error) {
      if (error instanceof CommitRefused) {
        this.logger.warn(`${ran.job.command.kind} refused by the database: ${error.message}`);
        const code = error.code ? ` (SQLSTATE ${error.code})` : '';
        ran.job.reject(
          new DomainError('INVALID_REQUEST', `the database cannot store this request's data${code}`),
        );
        this.core = null;
        return true;
      }
      const verdict = error instanceof CommitOutcomeUnknown ? await this.verify(batch) : 'not committed';
      if (verdict === 'committed') {
        this.committed(batch, [ran]);
        return true;
      }
      this.fail([ran], verdict === 'unknown' ? outcomeUnknown : unavailable, error);
      return false;
    }
  }

  /**
   * After a lost connection: did the batch commit? Asks the database until it answers, for a while. Committed
   * means the database is exactly where memory is (the batch's number and its last outbox event); anything else
   * is not committed, and memory is reloaded.
   */
  private async verify(batch: BatchToCommit): Promise<'committed' | 'not committed' | 'unknown'> {
    const until = Date.now() + this.options.verifyForMs;
    const expected = this.after(batch);
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        const found = await this.store.readPosition();
        if (found.batch === expected.batch && found.outboxSeq === expected.outboxSeq) return 'committed';
        if (found.batch < batch.number) return 'not committed';
        throw new Error(
          `the database is at batch ${found.batch}, outbox ${found.outboxSeq}: not where memory is`,
        );
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('the database is at')) {
          this.logger.error(error.message);
          return 'unknown';
        }
        if (Date.now() + wait > until) return 'unknown';
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private fail(run: Ran[], reason: () => DomainError, error: unknown): void {
    if (run.length === 0) return;
    this.logger.warn(`${run.length} commands not committed (${reason().code}): ${describe(error)}`);
    for (const { job } of run) job.reject(reason());
  }

  private safely(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.logger.error(`a writer listener failed: ${error instanceof Error ? error.stack : error}`);
    }
  }

  /** The clock, never going backwards (the engine's expiries assume time moves forward). */
  private now(): number {
    this.lastNow = Math.max(this.lastNow, this.clock.now());
    return this.lastNow;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
