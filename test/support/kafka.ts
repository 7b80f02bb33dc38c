import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Api } from './api';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka-local.sh');

export const brokers = (): string[] =>
  (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);

/** Stops or starts the test broker (scripts/kafka-local.sh; its storage survives a stop). */
export function broker(command: 'stop' | 'start'): void {
  const result = spawnSync('bash', [SCRIPT, command], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kafka-local.sh ${command}: ${result.stderr}`);
}

export interface Received {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  id: string;
  header: string;
  type: string;
  data: Record<string, unknown>;
}

/** Every message of the three topics under `prefix`, read from the beginning until `count` came and 1 s passed quietly. */
export async function readTopics(prefix: string, count: number, timeoutMs = 60_000): Promise<Received[]> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: brokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-reader-${Date.now()}-${Math.random()}` });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({
    topics: ['exchange.trades', 'exchange.leases', 'exchange.settlements'].map((t) => prefix + t),
    fromBeginning: true,
  });
  let last = Date.now();
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const envelope = JSON.parse(message.value?.toString() ?? '{}');
      received.push({
        topic: topic.slice(prefix.length),
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? '',
        id: envelope.id,
        header: message.headers?.['event-id']?.toString() ?? '',
        type: envelope.type,
        data: envelope.data,
      });
      last = Date.now();
    },
  });
  const started = Date.now();
  while (Date.now() - started < timeoutMs && (received.length < count || Date.now() - last < 1000)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await consumer.disconnect();
  return received;
}

/** Every outbox event of the exchange, oldest first. */
export async function outbox(
  api: Api,
): Promise<{ seq: number; topic: string; key: string; event: { id: string; type: string } }[]> {
  const all = [];
  for (let after = 0; ;) {
    const page = (
      await api.http
        .get(`/v1/admin/events?afterSeq=${after}&limit=1000`)
        .set('Authorization', api.admin())
        .expect(200)
    ).body;
    if (page.length === 0) return all;
    all.push(...page);
    after = page[page.length - 1].seq;
  }
}

/** Waits until the relay has published everything committed so far. */
export async function published(api: Api, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const lag = (await api.http.get('/v1/admin/events/lag').set('Authorization', api.admin()).expect(200))
      .body;
    if (lag.pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the outbox was not published in time');
}

/** The exchange's own balances (non-zero), as `accountId/book` -> amount. */
export async function ledgerBalances(databaseUrl: string): Promise<Map<string, string>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = (await client.query(`select account_id, book, amount::text from balances where amount <> 0`))
      .rows;
    return new Map(
      rows.map((r: { account_id: string; book: string; amount: string }) => [
        `${r.account_id}/${r.book}`,
        r.amount,
      ]),
    );
  } finally {
    await client.end();
  }
}
