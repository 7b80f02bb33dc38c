import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LeaderElection } from '../leadership/leader-election';
import { Metrics } from '../metrics/metrics';
import { TradingWriter } from '../writer/trading-writer';
import { EventPublisher, InProcessBus, KafkaPublisher } from './event-publisher';
import { OutboxRepository, OutboxRow } from './outbox.repository';

const BATCH = 1000;
const IDLE_POLL_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const RECORD_MS = 250;
const MAX_RECENT = 50_000;

/**
 * Publishes the outbox in `seq` order, so events of one key stay in order. A row is marked published only after
 * the broker acknowledged it; if the exchange dies in between, the row is published again on restart (delivery
 * is at least once; consumers dedupe on the event id). While Kafka (or the database) is down it backs off and
 * retries; order entry never waits for it: events wait in the outbox.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  readonly publisher: EventPublisher;
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private stopWaiting: (() => void) | null = null;
  published = 0;
  /** Events of the batches committed lately, in seq order: published from here when they follow on. */
  private recent: OutboxRow[] = [];
  /** The last event published (null until the relay has read its position from the database). */
  position: number | null = null;

  constructor(
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(TradingWriter) private readonly writer: TradingWriter,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(Metrics) metrics: Metrics,
    @Inject(LeaderElection) private readonly election: Pick<LeaderElection, 'lead'>,
  ) {
    const { brokers, clientId, topicPrefix } = config.kafka;
    this.publisher =
      brokers.length > 0 ? new KafkaPublisher(brokers, clientId, topicPrefix) : new InProcessBus();
    metrics.gauge(
      'exchange_outbox_lag_events',
      'Settlement events committed and not yet published (to Kafka, or the in-process bus)',
      () => (this.position === null ? 0 : Math.max(0, this.writer.lastOutboxSeq - this.position)),
    );
  }

  onApplicationBootstrap(): void {
    this.writer.onCommitted((batch) => {
      if (batch.settlement.length === 0) return;
      this.recent.push(...batch.settlement);
      // Too far behind (Kafka down): the database has them all; reading it is the way back.
      if (this.recent.length > MAX_RECENT) this.recent.length = 0;
      this.wake?.();
    });
    void this.election.lead(async () => {
      this.running = this.run();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopWaiting?.();
    await this.running;
    await this.publisher.close().catch(() => {});
  }

  private async run(): Promise<void> {
    let backoff = 0;
    // Where publishing has got: kept here, recorded in the database at most every RECORD_MS (and when idle), so
    // recording costs one small write per interval; after a crash, at most that interval is published again.
    let published: number | null = null;
    let recorded = 0;
    let recordedAt = 0;
    while (!this.stopped) {
      try {
        if (published === null) published = this.position = recorded = await this.outbox.publishedSeq();
        const from: number = published;
        const rows: OutboxRow[] = this.takeRecent(from) ?? (await this.outbox.after(from, BATCH));
        if (rows.length > 0) {
          await this.publisher.publish(rows);
          published = rows[rows.length - 1].seq;
          this.position = published;
          this.published += rows.length;
          if (backoff > 0) this.logger.log('publishing events again');
          backoff = 0;
        }
        if (published > recorded && (rows.length === 0 || Date.now() - recordedAt >= RECORD_MS)) {
          await this.outbox.markPublished(published);
          recorded = published;
          recordedAt = Date.now();
        }
        if (rows.length === 0) await this.sleep(IDLE_POLL_MS, true);
      } catch (error) {
        if (backoff === 0) {
          this.logger.warn(
            `cannot publish events, retrying with backoff: ${error instanceof Error ? error.message : error}`,
          );
        }
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(250, backoff * 2));
        // Full jitter: many exchanges (or restarts) do not retry in step.
        await this.sleep(backoff / 2 + Math.random() * (backoff / 2), false);
      }
    }
  }

  /** The next events from memory when they follow on from `published` without a gap; null to read the outbox. */
  private takeRecent(published: number): OutboxRow[] | null {
    const stale = this.recent.findIndex((e) => e.seq > published);
    this.recent = stale < 0 ? [] : this.recent.slice(stale);
    if (this.recent.length === 0 || this.recent[0].seq !== published + 1) return null;
    return this.recent.splice(0, BATCH);
  }

  /** Waits `ms`, or (when `wakeable`: idle, not backing off) less if a batch commits; stopping always wakes it. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.stopWaiting = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = wakeable ? done : null;
      this.stopWaiting = done;
    });
  }
}
