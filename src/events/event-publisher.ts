import { EventEmitter } from 'node:events';
import { Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import type { OutboxRow } from './outbox.repository';
import type { EventTopic } from '../writer/settlement-events';

export const TOPICS: EventTopic[] = ['exchange.trades', 'exchange.leases', 'exchange.settlements'];

/**
 * Creates the topics (3 partitions each; by default the three settlement topics) unless they exist: publishers
 * and consumers may start first.
 */
export async function ensureTopics(
  kafka: Kafka,
  topicPrefix: string,
  topics: readonly string[] = TOPICS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({ topic: topicPrefix + t, numPartitions: 3 })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Where the outbox relay publishes: resolves only once every event given is accepted, in order. */
export interface EventPublisher {
  publish(rows: OutboxRow[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Kafka through an idempotent kafkajs producer (acks from all in-sync replicas, one request in flight, so a
 * retried send neither duplicates nor reorders). Each event goes to its topic under its key, with its id in the
 * `event-id` header. Topics are created (3 partitions) on first connection if missing.
 */
export class KafkaPublisher implements EventPublisher {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;

  constructor(
    brokers: string[],
    clientId: string,
    private readonly topicPrefix: string,
  ) {
    // The relay retries with its own backoff: kafkajs gives up quickly instead of stalling a publish.
    this.kafka = new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 2, initialRetryTime: 200 },
    });
  }

  async publish(rows: OutboxRow[]): Promise<void> {
    const producer = await this.connected();
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const topic = this.topicPrefix + row.topic;
      const messages = byTopic.get(topic) ?? [];
      messages.push({
        key: row.key,
        value: JSON.stringify(row.envelope),
        headers: { 'event-id': row.envelope.id, 'event-type': row.envelope.type },
      });
      byTopic.set(topic, messages);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      // Start afresh next time: a producer that failed mid-send may hold a broken connection.
      this.producer = null;
      await producer.disconnect().catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    await ensureTopics(this.kafka, this.topicPrefix);
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }
}

/** Without Kafka: events are handed to in-process listeners (and stay readable at GET /v1/admin/events). */
export class InProcessBus implements EventPublisher {
  readonly events = new EventEmitter();

  async publish(rows: OutboxRow[]): Promise<void> {
    for (const row of rows) this.events.emit(row.topic, row);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}
