import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IncomingMessage, get } from 'node:http';
import { createInterface } from 'node:readline';
import type { Consumer } from 'kafkajs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrivateFeed } from '../gateway/private-feed';
import { LeaderElection, ReplicaStatus } from '../leadership/leader-election';
import { NODE_SECRET } from '../leadership/leadership.module';
import { MarketFeed } from '../market-data/market-feed';
import { Metrics } from '../metrics/metrics';
import { consumeStream } from './kafka-stream';
import { NODE_SECRET_HEADER } from '../leadership/node-secret';
import { SNAPSHOT_PATH, STREAM_PATH, SnapshotMessage, StreamMessage } from './stream-messages';

/** A follower whose stream has been silent this long (the leader beats every second) stops counting as current. */
const CURRENT_WITHIN_MS = 5000;
const RETRY_MS = 250;
const SNAPSHOT_TIMEOUT_MS = 10_000;
/** A direct stream silent this long (a paused leader) is dropped, and the follower connects again. */
const SILENT_MS = 3000;
const MAX_PENDING = 100_000;

/**
 * A follower's copy of the leader's committed stream: the public feed (books, trades, tickers) and each
 * account's private messages, served to this node's clients with the leader's sequences and checksums.
 * - Without Kafka it reads the leader's stream directly (`GET /internal/v1/stream`): a snapshot, then batches.
 *   When the connection breaks (the leader died, or cut off a slow follower) it connects again, to whichever
 *   node leads, and starts from a new snapshot.
 * - With KAFKA_BROKERS it consumes the stream's topics from their end, then takes a snapshot from the leader
 *   (`GET /internal/v1/snapshot`) and skips the batches it holds. It takes a new snapshot when the epoch changes
 *   (what a dead leader committed but did not send is in it) and when a book's sequence skips.
 * It stops once this node leads: the writer's own batches feed the feeds from then on, and the books it kept warm
 * are replaced by the loaded state only where they differ.
 */
@Injectable()
export class Replica implements OnApplicationBootstrap, OnApplicationShutdown, ReplicaStatus {
  private readonly logger = new Logger(Replica.name);
  private stopped = false;
  /** The last batch the snapshot holds; the stream's batches up to it are skipped. */
  private batch = -1;
  private snapshotEpoch = 0;
  private heardAt: number | null = null;
  private synced = false;
  /** Kafka: messages that came while a snapshot was being taken, applied after it. */
  private pending: StreamMessage[] | null = null;
  private consumer: Consumer | null = null;
  private response: IncomingMessage | null = null;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    @Inject(MarketFeed) private readonly feed: MarketFeed,
    @Inject(PrivateFeed) private readonly privateFeed: PrivateFeed,
    @Inject(LeaderElection) private readonly election: LeaderElection,
    @Inject(NODE_SECRET) private readonly secret: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Metrics) metrics: Metrics,
  ) {
    metrics.gauge(
      'exchange_follower_lag_seconds',
      "Since this follower last heard the leader's committed stream (0 on the leader)",
      () => (this.election.isLeader ? 0 : (this.lagMs ?? 0) / 1000),
    );
    metrics.gauge('exchange_follower_current', "1 while this follower's copy of the stream is current", () =>
      this.current ? 1 : 0,
    );
  }

  get current(): boolean {
    return this.synced && this.heardAt !== null && Date.now() - this.heardAt < CURRENT_WITHIN_MS;
  }

  get lagMs(): number | null {
    return this.heardAt === null ? null : Date.now() - this.heardAt;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.election.replica = this;
    // The embedded database is one node: it never follows.
    if (this.config.database.url === null) return;
    if (this.config.kafka.brokers.length > 0) {
      void this.followKafka();
      return;
    }
    void this.followDirectly();
    this.watchdog = setInterval(() => {
      const leader = this.election.leader;
      const moved = leader !== null && this.synced && leader.epoch !== this.snapshotEpoch;
      if (moved) this.response?.destroy();
    }, RETRY_MS);
    this.watchdog.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.response?.destroy();
    await this.consumer?.disconnect().catch(() => {});
  }

  /** Following ends for good once this node leads (or shuts down). */
  private get following(): boolean {
    return !this.stopped && !this.election.isLeader;
  }

  private async followDirectly(): Promise<void> {
    while (this.following) {
      const leader = this.election.leader;
      if (leader) {
        try {
          await this.readStream(leader.address);
        } catch (error) {
          if (this.following)
            this.logger.warn(`the leader's stream broke: ${error instanceof Error ? error.message : error}`);
        }
        // Still current: nothing commits while no node leads, and the next leader's snapshot follows at once.
      }
      await sleep(RETRY_MS);
    }
  }

  /** Reads the stream until it ends: a snapshot, then batches and heartbeats, one JSON object a line. */
  private readStream(address: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = get(new URL(STREAM_PATH, address), {
        headers: { [NODE_SECRET_HEADER]: this.secret },
        timeout: SILENT_MS,
      });
      request.on('timeout', () => request.destroy(new Error(`the stream was silent for ${SILENT_MS} ms`)));
      request.on('error', reject);
      request.on('response', (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`the leader answered HTTP ${response.statusCode}`));
          return;
        }
        this.response = response;
        const lines = createInterface({ input: response, crlfDelay: Infinity });
        lines.on('line', (line) => {
          if (!this.following) return void response.destroy();
          this.receive(JSON.parse(line) as StreamMessage);
        });
        const ended = () => {
          this.response = null;
          resolve();
        };
        lines.on('close', ended);
        lines.on('error', reject);
        response.on('close', ended);
        response.on('error', reject);
      });
    });
  }

  private async followKafka(): Promise<void> {
    const { brokers, clientId, topicPrefix } = this.config.kafka;
    while (this.following && !this.consumer) {
      try {
        this.pending = [];
        const { consumer, started } = await consumeStream(
          brokers,
          clientId,
          topicPrefix,
          `${topicPrefix}exchange-follower-${this.election.nodeId}`,
          (message) => this.fromKafka(message),
        );
        this.consumer = consumer;
        await started;
      } catch (error) {
        this.logger.warn(
          `cannot consume the stream from Kafka: ${error instanceof Error ? error.message : error}`,
        );
        await sleep(RETRY_MS * 4);
      }
    }
    while (this.following) {
      const leader = this.election.leader;
      const stale = !this.synced || (leader !== null && leader.epoch !== this.snapshotEpoch);
      if (leader && stale) {
        try {
          await this.resync(leader.address);
        } catch (error) {
          this.logger.warn(
            `cannot take a snapshot from the leader: ${error instanceof Error ? error.message : error}`,
          );
        }
      }
      await sleep(RETRY_MS);
    }
    await this.consumer?.disconnect().catch(() => {});
  }

  /** Takes the leader's snapshot, then applies what came meanwhile past it. */
  private async resync(address: string): Promise<void> {
    this.pending ??= [];
    const snapshot = await fetchSnapshot(address, this.secret);
    if (!this.following) return;
    this.receive(snapshot);
    const pending = this.pending;
    this.pending = null;
    for (const message of pending) this.receive(message);
  }

  private fromKafka(message: StreamMessage): void {
    if (!this.following) return;
    if (!this.pending) return this.receive(message);
    this.pending.push(message);
    // The leader has not given a snapshot for long: what waits is dropped, the snapshot will hold it.
    if (this.pending.length > MAX_PENDING) this.pending = [];
  }

  private receive(message: StreamMessage): void {
    if (!this.following) return;
    this.heardAt = Date.now();
    if (message.type === 'snapshot') {
      this.feed.restore(message.books);
      this.batch = message.batch;
      this.snapshotEpoch = message.epoch;
      this.synced = true;
      return;
    }
    if (message.type !== 'batch' || message.number <= this.batch) return;
    if (!this.feed.apply([{ events: message.events }], message.time)) {
      this.logger.warn(`a book's sequence skipped at batch ${message.number}: taking a new snapshot`);
      this.synced = false;
      this.response?.destroy();
    }
    this.privateFeed.publish(
      message.private.map(([accountId, channel, body]) => [accountId, channel, () => body]),
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fetchSnapshot(address: string, secret: string): Promise<SnapshotMessage> {
  return new Promise((resolve, reject) => {
    const request = get(
      new URL(SNAPSHOT_PATH, address),
      { headers: { [NODE_SECRET_HEADER]: secret }, timeout: SNAPSHOT_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (response.statusCode !== 200)
            return reject(new Error(`the leader answered HTTP ${response.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()) as SnapshotMessage);
          } catch (error) {
            reject(error as Error);
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('the snapshot took too long')));
    request.on('error', reject);
  });
}
