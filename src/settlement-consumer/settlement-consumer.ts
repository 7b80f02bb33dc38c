import { Consumer, Kafka, logLevel } from 'kafkajs';
import { TOPICS, ensureTopics } from '../events/event-publisher';
import { BalanceProjection, SettlementEnvelope } from './balance-projection';

export interface ConsumerOptions {
  brokers: string[];
  topicPrefix: string;
  groupId: string;
}

/**
 * Consumes the exchange's three topics in one consumer group and applies every settlement event to the
 * projection (deduped on the event id). An offset is committed only after its event is applied, so a crash
 * redelivers rather than loses.
 */
export async function startSettlementConsumer(
  options: ConsumerOptions,
  projection: BalanceProjection,
  onApplied: (event: SettlementEnvelope, fresh: boolean) => void = () => {},
): Promise<Consumer> {
  const kafka = new Kafka({
    clientId: `${options.groupId}-client`,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  await ensureTopics(kafka, options.topicPrefix);
  const consumer = kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({
    topics: TOPICS.map((t) => options.topicPrefix + t),
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString() ?? '{}') as SettlementEnvelope;
      const fresh = await projection.apply(event);
      onApplied(event, fresh);
    },
  });
  return consumer;
}
