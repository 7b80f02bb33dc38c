import { Pool } from 'pg';
import { BalanceProjection } from './balance-projection';
import { startSettlementConsumer } from './settlement-consumer';

/**
 * `npm run consumer`: the reference settlement consumer. KAFKA_BROKERS (required), CONSUMER_DATABASE_URL (its own
 * PostgreSQL database, required), KAFKA_TOPIC_PREFIX (as the exchange's), CONSUMER_GROUP (default
 * settlement-projection).
 */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b.trim().length > 0);
  const database = process.env.CONSUMER_DATABASE_URL;
  if (brokers.length === 0 || !database) {
    console.error('set KAFKA_BROKERS and CONSUMER_DATABASE_URL');
    process.exit(2);
  }
  const pool = new Pool({ connectionString: database, max: 2 });
  const projection = new BalanceProjection(pool);
  await projection.createSchema();
  let applied = 0;
  const consumer = await startSettlementConsumer(
    {
      brokers,
      topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
      groupId: process.env.CONSUMER_GROUP || 'settlement-projection',
    },
    projection,
    (_event, fresh) => {
      if (fresh && ++applied % 1000 === 0) console.log(`${applied} events applied`);
    },
  );
  console.log('settlement consumer running');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void consumer
        .disconnect()
        .then(() => pool.end())
        .then(() => process.exit(0));
    });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
