import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { privateMessages } from '../gateway/private-feed';
import { LeaderElection } from '../leadership/leader-election';
import { MarketFeed } from '../market-data/market-feed';
import type { CommittedBatch } from '../writer/committed-batch';
import { TradingWriter } from '../writer/trading-writer';
import { KafkaStreamProducer } from './kafka-stream';
import type { PublicEvent, SnapshotMessage, StreamMessage } from './stream-messages';

const HEARTBEAT_MS = 1000;
/** A follower that lets this much of the stream wait unread is cut off: it reconnects and starts from a snapshot. */
const MAX_UNREAD_BYTES = 64 * 1024 * 1024;

const isPublic = (e: { type: string }): e is PublicEvent =>
  e.type === 'book.changed' || e.type === 'trade.executed' || e.type === 'market.opened';

/**
 * The leader's committed stream (see StreamMessage), for followers: built from each committed batch once,
 * whatever the number of followers, and written to each follower connected directly (`GET /internal/v1/stream`)
 * and, with KAFKA_BROKERS, to Kafka. It never holds up the writer: a direct follower that cannot keep up is cut
 * off, and a Kafka send that fails is logged (followers see the gap in a book's sequence, and resync).
 */
@Injectable()
export class ReplicationSource implements OnApplicationShutdown {
  private readonly logger = new Logger(ReplicationSource.name);
  private readonly followers = new Set<ServerResponse>();
  private readonly kafka: KafkaStreamProducer | null;
  private readonly heartbeat: NodeJS.Timeout;
  private kafkaFailing = false;
  /** The last batch the feeds hold (the writer's position may be ahead: batches are answered a turn later). */
  private batch = 0;

  constructor(
    @Inject(TradingWriter) writer: TradingWriter,
    @Inject(MarketFeed) private readonly feed: MarketFeed,
    @Inject(LeaderElection) private readonly election: LeaderElection,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { brokers, clientId, topicPrefix } = config.kafka;
    this.kafka = brokers.length > 0 ? new KafkaStreamProducer(brokers, clientId, topicPrefix) : null;
    writer.onLoaded(() => (this.batch = writer.lastBatch));
    writer.onCommitted((batch) => this.publish(batch));
    this.heartbeat = setInterval(() => {
      if (this.election.writing)
        this.send({ type: 'heartbeat', batch: this.batch, time: new Date().toISOString() });
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Every book as committed, and the batch that left them so. */
  snapshot(): SnapshotMessage {
    return {
      type: 'snapshot',
      epoch: this.election.epoch,
      batch: this.batch,
      books: this.feed.state(),
    };
  }

  /** A follower connected directly: it gets the snapshot, then every batch committed from now on. */
  follow(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    response.write(`${JSON.stringify(this.snapshot())}\n`);
    this.followers.add(response);
    response.on('close', () => this.followers.delete(response));
  }

  onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const follower of this.followers) follower.end();
    return this.kafka?.close().catch(() => {}) ?? Promise.resolve();
  }

  private publish(batch: CommittedBatch): void {
    // A batch that wrote nothing keeps the number the next one will have.
    if (batch.entries.some((entry) => entry.events.length > 0)) this.batch = batch.number;
    if (this.followers.size === 0 && !this.kafka) return;
    const events: PublicEvent[] = [];
    for (const entry of batch.entries) for (const e of entry.events) if (isPublic(e)) events.push(e);
    const messages = privateMessages(batch.entries);
    if (events.length === 0 && messages.length === 0) return;
    this.send({
      type: 'batch',
      number: batch.number,
      time: new Date().toISOString(),
      events,
      private: messages.map(([accountId, channel, build]) => [accountId, channel, build()]),
    });
  }

  private send(message: StreamMessage): void {
    if (this.followers.size > 0) {
      const line = `${JSON.stringify(message)}\n`;
      for (const follower of this.followers) {
        if (follower.writableLength > MAX_UNREAD_BYTES) {
          this.logger.warn(
            'a follower fell too far behind the stream: cut off, it starts again from a snapshot',
          );
          follower.destroy();
        } else {
          follower.write(line);
        }
      }
    }
    this.kafka?.send(message).then(
      () => {
        if (this.kafkaFailing) this.logger.log('the stream reaches Kafka again');
        this.kafkaFailing = false;
      },
      (error: unknown) => {
        if (!this.kafkaFailing)
          this.logger.error(
            `the stream cannot reach Kafka: ${error instanceof Error ? error.message : error}`,
          );
        this.kafkaFailing = true;
      },
    );
  }
}
