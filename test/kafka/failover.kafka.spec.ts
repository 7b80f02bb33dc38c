import { brokers } from '../support/kafka';
import { failoverSuite } from '../support/failover-suite';

const CYCLES = Number(process.env.FAILOVER_CYCLES ?? 20);

/**
 * Runs with `npm run test:kafka`: three nodes on the real PostgreSQL and a real broker, the leader killed
 * `CYCLES` times; followers serve their clients from the stream's Kafka topics (by symbol, by account).
 */
describe('nodes on one database, followers on the Kafka stream: failover', () => {
  failoverSuite(
    { KAFKA_BROKERS: brokers().join(','), KAFKA_TOPIC_PREFIX: `failover-${Date.now()}.` },
    CYCLES,
  );
});
