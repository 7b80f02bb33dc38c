import { Consumer, Kafka, Producer, logLevel } from 'kafkajs';
import type { BatchMessage, StreamMessage } from './stream-messages';
import { STREAM_TOPICS } from './stream-messages';
import { ensureTopics } from '../events/event-publisher';

const HEARTBEAT_KEY = '-heartbeat';

function kafkaClient(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100 },
  });
}

/**
 * The leader's side: each batch is split by symbol (public topic, key: symbol) and by account (private topic,
 * key: account id), so each key's messages stay in order in its partition; the heartbeat goes under its own key.
 */
export class KafkaStreamProducer {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;

  constructor(
    brokers: string[],
    clientId: string,
    private readonly prefix: string,
  ) {
    this.kafka = kafkaClient(brokers, clientId);
  }

  async send(message: StreamMessage): Promise<void> {
    const producer = await this.connected();
    const publicMessages: { key: string; value: string }[] = [];
    const privateMessages: { key: string; value: string }[] = [];
    if (message.type === 'heartbeat') {
      publicMessages.push({ key: HEARTBEAT_KEY, value: JSON.stringify(message) });
    } else if (message.type === 'batch') {
      const bySymbol = new Map<string, BatchMessage['events']>();
      for (const e of message.events) {
        const symbol =
          e.type === 'market.opened'
            ? e.market.symbol
            : e.type === 'trade.executed'
              ? e.trade.symbol
              : e.symbol;
        const events = bySymbol.get(symbol);
        if (events) events.push(e);
        else bySymbol.set(symbol, [e]);
      }
      for (const [symbol, events] of bySymbol)
        publicMessages.push({ key: symbol, value: JSON.stringify({ ...message, events, private: [] }) });
      const byAccount = new Map<string, BatchMessage['private']>();
      for (const m of message.private) {
        const messages = byAccount.get(m[0]);
        if (messages) messages.push(m);
        else byAccount.set(m[0], [m]);
      }
      for (const [accountId, messages] of byAccount)
        privateMessages.push({
          key: accountId,
          value: JSON.stringify({ ...message, events: [], private: messages }),
        });
    }
    const topicMessages = [
      { topic: this.prefix + STREAM_TOPICS.public, messages: publicMessages },
      { topic: this.prefix + STREAM_TOPICS.private, messages: privateMessages },
    ].filter((t) => t.messages.length > 0);
    if (topicMessages.length === 0) return;
    try {
      await producer.sendBatch({ acks: 1, topicMessages });
    } catch (error) {
      this.producer = null;
      await producer.disconnect().catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await (await producer?.catch(() => null))?.disconnect();
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      await ensureTopics(this.kafka, this.prefix, Object.values(STREAM_TOPICS));
      const producer = this.kafka.producer();
      await producer.connect();
      return producer;
    })();
    const pending = this.producer;
    pending.catch(() => {
      if (this.producer === pending) this.producer = null;
    });
    return pending;
  }
}

/**
 * A follower's side: a consumer group of its own (so every follower reads every partition), from the end of
 * each topic. `started` resolves once the consumer has joined and fetched, so its position is fixed: a snapshot
 * taken after that misses nothing the consumer will not see.
 */
export async function consumeStream(
  brokers: string[],
  clientId: string,
  prefix: string,
  groupId: string,
  onMessage: (message: StreamMessage) => void,
): Promise<{ consumer: Consumer; started: Promise<void> }> {
  const kafka = kafkaClient(brokers, clientId);
  await ensureTopics(kafka, prefix, Object.values(STREAM_TOPICS));
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, heartbeatInterval: 1000 });
  let fetched: () => void = () => {};
  const started = new Promise<void>((resolve) => (fetched = resolve));
  const stopListening = consumer.on(consumer.events.FETCH, () => {
    stopListening();
    fetched();
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: Object.values(STREAM_TOPICS).map((t) => prefix + t),
    fromBeginning: false,
  });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ message }) => {
      if (message.value) onMessage(JSON.parse(message.value.toString()) as StreamMessage);
    },
  });
  return { consumer, started };
}
